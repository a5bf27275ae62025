import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isApiError } from '../../shared/api/apiError';
import type { ImportFileOutcome } from '../../shared/api/schemas';
import { defaultDatabasePath, userDataDir } from '../services/userDataDir';
import { GOVERNANCE_COMMANDS, HELP } from './usage';

// Each command imports what it uses when it runs (esbuild makes every `import()` a chunk of the
// CLI bundle): `--help` and a mistyped command load nothing but this file and ./usage, `probe`
// never loads SQLite, and no command but `serve` loads the loopback host.

type Out = { log: (line: string) => void; error: (line: string) => void };
const stdio: Out = {
  log: (line) => process.stdout.write(line + '\n'),
  error: (line) => process.stderr.write(line + '\n'),
};

/** The app folder, above src/main/cli in a source checkout and above out/cli in the bundle. */
function appRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, '..', '..'), resolve(here, '..', '..', '..')];
  return candidates.find((dir) => existsSync(join(dir, 'package.json'))) ?? here;
}

function errorBody(error: unknown): { code: string; message: string } {
  if (isApiError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${String(minutes).padStart(2, '0')}:${(seconds - minutes * 60).toFixed(3).padStart(6, '0')}`;
}

function describeOutcome(outcome: ImportFileOutcome): string {
  if (outcome.status === 'error') {
    return `  error  ${outcome.relativePath}  ${outcome.code}: ${outcome.message}`;
  }
  const s = outcome.summary;
  const again = outcome.alreadyImported ? '  (already imported)' : '';
  return `  ok     ${outcome.relativePath}  ${s.codecFamily} ${s.width}x${s.height} rot ${s.rotation}  ${s.frameCount} frames  ${formatDuration(s.durationSeconds)}${again}`;
}

async function runImport(folder: string, db: string, json: boolean, out: Out): Promise<number> {
  const { createServices } = await import('../services/createServices');
  const services = createServices({ databasePath: db });
  try {
    const report = await services.handlers.importBatch({ folder: resolve(folder) });
    // The CLI is used by scripts that read the database next: wait for checksums to land,
    // this batch's and any an interrupted run left pending.
    services.checksums.kick();
    await services.checksums.whenIdle();
    const clips = new Map(services.store.media.listClips(report.batch.id).map((c) => [c.id, c]));
    const files = report.files.map((file) => {
      if (file.status === 'error') return file;
      const clip = clips.get(file.clipId);
      return {
        ...file,
        ...file.summary,
        sha256: clip?.sha256 ?? null,
        checksumState: clip?.checksumState ?? null,
      };
    });
    if (json) {
      out.log(JSON.stringify({ batch: report.batch, files }, null, 2));
    } else {
      out.log(`Batch ${report.batch.name} (${report.batch.id}) from ${report.batch.folder}`);
      for (const outcome of report.files) out.log(describeOutcome(outcome));
      const failed = report.files.filter((f) => f.status === 'error').length;
      out.log(`${report.files.length - failed} imported, ${failed} failed.`);
    }
    return report.files.some((f) => f.status === 'error') ? 3 : 0;
  } catch (error) {
    const body = errorBody(error);
    if (json) out.log(JSON.stringify({ error: body }));
    else out.error(`framewise import: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}

async function runProbe(file: string, json: boolean, out: Out): Promise<number> {
  const { probeVideo } = await import('../../node/media/probeVideo');
  try {
    const result = await probeVideo(resolve(file));
    if (json) {
      out.log(JSON.stringify(result));
    } else {
      out.log(
        `${file}: ${result.codec} (${result.codecFamily}) ${result.width}x${result.height} rotation ${result.rotation}, ` +
          `${result.frameCount} frames, ${formatDuration(result.durationSeconds)}`,
      );
      const flagged = Object.entries(result.flagged).filter(([, v]) => v !== null);
      for (const [key, value] of flagged) out.log(`  flagged ${key}: ${String(value)}`);
    }
    return 0;
  } catch (error) {
    const body = errorBody(error);
    if (json) out.log(JSON.stringify({ error: body }));
    else out.error(`framewise probe: ${body.code}: ${body.message}`);
    return 1;
  }
}

async function runExportCommand(
  args: {
    batch: string[];
    clip: string[];
    all: boolean;
    format: string | undefined;
    out: string | undefined;
    includeVideos: boolean;
    blur: string | undefined;
    region: string[];
    status: string | undefined;
  },
  db: string,
  out: Out,
): Promise<number> {
  const usage = (message: string) => {
    out.error(`framewise export: ${message}\n\n${HELP}`);
    return 2;
  };
  const chosen = [args.all, args.batch.length > 0, args.clip.length > 0].filter(Boolean).length;
  if (chosen !== 1) {
    return usage('give one of --batch ID, --clip ID (both repeatable) or --all.');
  }
  if (args.out === undefined) return usage('--out DIR is required.');
  const [{ ExportRequest }, { createServices }, { resolveBatchRef }] = await Promise.all([
    import('../../shared/api/exportSchemas'),
    import('../services/createServices'),
    import('./batchRef'),
  ]);
  let batchIds: string[] = [];
  if (args.batch.length > 0) {
    const lookup = createServices({ databasePath: db });
    try {
      const batches = lookup.store.media.listBatches();
      batchIds = args.batch.map((ref) => resolveBatchRef(batches, ref));
    } catch (error) {
      const body = errorBody(error);
      out.log(JSON.stringify({ error: body }));
      out.error(`framewise export: ${body.code}: ${body.message}`);
      return 1;
    } finally {
      lookup.close();
    }
  }
  const parsed = ExportRequest.safeParse({
    ...(batchIds.length > 0 ? { batchIds } : {}),
    ...(args.clip.length > 0 ? { clipIds: args.clip } : {}),
    formats: (args.format ?? 'coco,cvat,epic,hands,provenance').split(',').map((f) => f.trim()),
    destination: resolve(args.out),
    // Blurred faces are a property of the video copies: asking for them asks for the videos.
    includeVideos: args.includeVideos || args.blur !== undefined,
    ...(args.blur === undefined ? {} : { blur: args.blur }),
    ...(args.region.length > 0 ? { regions: args.region } : {}),
    ...(args.status === undefined ? {} : { status: args.status }),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return usage(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid arguments'}`);
  }
  const services = createServices({ databasePath: db });
  let exportId: string | null = null;
  const cancel = () => {
    if (exportId !== null) services.exports.cancel(exportId);
  };
  process.once('SIGINT', cancel);
  try {
    // Clips whose checksum is still pending would be left out: compute them first.
    services.checksums.kick();
    await services.checksums.whenIdle();
    const report = await services.exports.run(parsed.data, (progress) => {
      exportId = progress.exportId;
      const eta =
        progress.etaSeconds === null ? '' : `, about ${Math.ceil(progress.etaSeconds)} s left`;
      out.error(
        `export ${progress.phase}${progress.current === null ? '' : ` ${progress.current}`}: ` +
          `${progress.done}/${progress.total}, ${progress.clipsExported} clips, ` +
          `${progress.clipsExcluded} excluded${eta}`,
      );
    });
    out.log(JSON.stringify(report, null, 2));
    return 0;
  } catch (error) {
    const body = errorBody(error);
    out.log(JSON.stringify({ error: body }));
    out.error(`framewise export: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    process.off('SIGINT', cancel);
    services.close();
  }
}

async function runImportLabels(
  clipId: string,
  file: string,
  db: string,
  out: Out,
): Promise<number> {
  const [{ createServices }, { importLabels }, { activeProjectId }] = await Promise.all([
    import('../services/createServices'),
    import('../services/export/importLabels'),
    import('../services/labels/projectLibrary'),
  ]);
  const services = createServices({ databasePath: db });
  try {
    const result = await importLabels(
      { store: services.store, actor: services.actor, projectId: activeProjectId(services.store) },
      clipId,
      resolve(file),
    );
    out.log(JSON.stringify(result));
    return 0;
  } catch (error) {
    const body = errorBody(error);
    out.log(JSON.stringify({ error: body }));
    out.error(`framewise import-labels: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}

async function runSubmit(clipId: string, db: string, out: Out): Promise<number> {
  const { createServices } = await import('../services/createServices');
  const services = createServices({ databasePath: db });
  try {
    const set = await services.handlers.openAnnotationSet({ clipId });
    const outcome = await services.handlers.submitAnnotationSet({ setId: set.id });
    out.log(JSON.stringify({ ...outcome, queued: services.store.sync.pendingCount() }));
    return outcome.submitted ? 0 : 3;
  } catch (error) {
    const body = errorBody(error);
    out.log(JSON.stringify({ error: body }));
    out.error(`framewise submit: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}

async function runSync(
  server: string,
  token: string,
  budgetSeconds: number,
  db: string,
  out: Out,
): Promise<number> {
  const { createServices } = await import('../services/createServices');
  const services = createServices({ databasePath: db });
  try {
    // A clip is named on the server by its sha256: compute pending hashes first.
    services.checksums.kick();
    await services.checksums.whenIdle();
    services.sync.signIn(server, token);
    const report = await services.sync.syncNow(budgetSeconds * 1000);
    out.log(JSON.stringify(report, null, 2));
    return report.pending > 0 || report.conflicts.length > 0 ? 3 : 0;
  } catch (error) {
    const body = errorBody(error);
    out.log(JSON.stringify({ error: body }));
    out.error(`framewise sync: ${body.code}: ${body.message}`);
    return 1;
  } finally {
    services.close();
  }
}

/** `framewise batches`: what `--batch` and the batch-taking commands accept, id or name. */
async function runBatches(db: string, json: boolean, out: Out): Promise<number> {
  const [{ createServices }, { consentSummary }] = await Promise.all([
    import('../services/createServices'),
    import('./batchRef'),
  ]);
  const services = createServices({ databasePath: db });
  try {
    const rows = services.store.media.listBatches().map((batch) => ({
      id: batch.id,
      name: batch.name,
      clips: batch.clipCount,
      contributor: batch.contributor,
      consent: consentSummary(services.store.media.listClips(batch.id)),
    }));
    if (json) {
      out.log(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) out.log('No batches imported yet (framewise import FOLDER).');
    for (const row of rows) {
      const consent = Object.entries(row.consent)
        .map(([state, count]) => `${count} ${state.replaceAll('_', ' ')}`)
        .join(', ');
      out.log(`${row.id}  ${row.name}  ${row.clips} clips  consent: ${consent || 'no clips'}`);
    }
    return 0;
  } finally {
    services.close();
  }
}

async function runServe(db: string, port: number, out: Out): Promise<number> {
  const [{ createServices }, { defaultRendererDir, startLoopbackHost }] = await Promise.all([
    import('../services/createServices'),
    import('../host/loopbackHost'),
  ]);
  const services = createServices({ databasePath: db });
  services.start();
  const rendererDir = defaultRendererDir(appRoot());
  const host = await startLoopbackHost({
    services,
    rendererDir: existsSync(join(rendererDir, 'index.html')) ? rendererDir : null,
    port,
  });
  out.log(host.url);
  if (!existsSync(join(rendererDir, 'index.html'))) {
    out.error('The renderer is not built (npm run build); only the API is served.');
  }
  out.error(`Serving ${db} on 127.0.0.1:${host.port}. Ctrl+C to stop.`);
  await new Promise<void>((done) => {
    const stop = () => done();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await host.close();
  services.close();
  return 0;
}

export async function main(argv: string[], out: Out = stdio): Promise<number> {
  // Commands that read no database take their own options.
  if (argv[0] === 'agreement') {
    const { runAgreementCommand } = await import('./agreementCommand');
    return runAgreementCommand(argv.slice(1), out);
  }
  if (argv[0] === 'project') {
    const { runProjectCommand } = await import('./projectCommand');
    return runProjectCommand(argv.slice(1), out);
  }
  // Governance commands take their own options (--consent, --at) and subcommands.
  if (argv[0] !== undefined && GOVERNANCE_COMMANDS.has(argv[0])) {
    const { runGovernanceCommand } = await import('./governanceCommands');
    return runGovernanceCommand(argv, out);
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        port: { type: 'string' },
        batch: { type: 'string', multiple: true },
        clip: { type: 'string', multiple: true },
        all: { type: 'boolean', default: false },
        format: { type: 'string' },
        out: { type: 'string' },
        'include-videos': { type: 'boolean', default: false },
        blur: { type: 'string' },
        region: { type: 'string', multiple: true },
        status: { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        budget: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    out.error(`framewise: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, target] = positionals;
  if (values.help || command === undefined || command === 'help') {
    out.log(HELP);
    return 0;
  }
  const db = resolve(values.db ?? defaultDatabasePath(userDataDir()));
  switch (command) {
    case 'import':
      if (!target) break;
      return runImport(target, db, values.json, out);
    case 'probe':
      if (!target) break;
      return runProbe(target, values.json, out);
    case 'batches':
      return runBatches(db, values.json, out);
    case 'export':
      return runExportCommand(
        {
          batch: values.batch ?? [],
          clip: values.clip ?? [],
          all: values.all,
          format: values.format,
          out: values.out,
          includeVideos: values['include-videos'],
          blur: values.blur,
          region: values.region ?? [],
          status: values.status,
        },
        db,
        out,
      );
    case 'import-labels': {
      const file = positionals[2];
      if (!target || file === undefined) break;
      return runImportLabels(target, file, db, out);
    }
    case 'faces': {
      const { runFacesCommand } = await import('./facesCommand');
      return runFacesCommand(target, values.clip?.[0], db, out);
    }
    case 'submit':
      if (!target) break;
      return runSubmit(target, db, out);
    case 'sync': {
      const token = values.token ?? process.env.FRAMEWISE_TOKEN;
      const budget = Number(values.budget ?? 60);
      if (values.server === undefined || token === undefined || !(budget > 0)) {
        out.error(
          `framewise sync: give --server URL and --token TOKEN (or FRAMEWISE_TOKEN).\n\n${HELP}`,
        );
        return 2;
      }
      return runSync(values.server, token, budget, db, out);
    }
    case 'serve': {
      const port = values.port === undefined ? 0 : Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        out.error(
          `framewise serve: --port must be a number from 0 to 65535, not "${values.port ?? ''}".`,
        );
        return 2;
      }
      return runServe(db, port, out);
    }
    default:
      out.error(`framewise: unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
  out.error(`framewise ${command}: missing argument.\n\n${HELP}`);
  return 2;
}

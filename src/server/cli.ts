import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import {
  ADMIN_OPTIONS,
  AUDIT_BROKEN_EXIT,
  runAdminCommand,
  type AdminValues,
  type Out,
} from './adminCommands';
import type { Db, DbTarget } from './db/Db';
import type { DeliveryDeps } from './delivery/ingest';
import { ServerError } from './serverError';

// Commands import what they use when they run, as the desktop CLI's do (src/main/cli/main.ts):
// `--help` loads neither PGlite nor Fastify, and admin commands never load Fastify.

export { AUDIT_BROKEN_EXIT } from './adminCommands';

const HELP = `framewise-server — the team's central server for Framewise

Usage:
  framewise-server serve [--port N] [--host H] [--data DIR] [--rate-limit N]
      Serve the API under /v1 (default 0.0.0.0:8787). The first line printed is the base URL.
  framewise-server user add <name> --role annotator|reviewer|lead
  framewise-server token issue <user> [--expires-days N]   (prints the token once; store it safely)
  framewise-server token revoke <token-id>
  framewise-server project create <name> --lead <user>
  framewise-server assign <clip-sha256> --project ID --annotator U [--reviewer R]
  framewise-server reassign <assignment-id> --annotator U
  framewise-server consent record <clip-sha256> --id ID --scope training[,commercial,...]
      --granted YYYY-MM-DD [--expires YYYY-MM-DD]
      Records the contributor's consent for a clip (a batch without its record, or a renewal);
      workstations assigned the clip receive it by sync, where it replaces the manifest's.
  framewise-server consent withdraw <clip-sha256> --reason TEXT
      Also deletes the clip's original and delivered copy from the blob store (audited).
  framewise-server ingest <batch-folder> --project ID [--server URL]
      Takes a contributor batch (batch.json with consent required): each clip is probed, stored
      by sha256 with a copy whose location, device and dates are neutralised (what annotators
      download), and registered with its consent. Bad files are reported; the rest go in. With
      --server (and FRAMEWISE_TOKEN, the lead's) it uploads through the resumable route.
  framewise-server double --project ID --share 0.1 [--annotators a,b]
      Marks that share of the project's clips for double annotation (a second annotator each).
  framewise-server export --project ID --format coco,cvat,epic,hands,provenance --out DIR
      [--status accepted|submitted]
      The project's label files from the server (no video), with the workstation's writers:
      video_id is the clip's sha256; clips without valid consent are left out, with the reason,
      in export_report.json.
  framewise-server audit verify
      Recomputes the audit trail's hash chain; exit code ${AUDIT_BROKEN_EXIT} names the first broken entry.
  framewise-server audit export --project ID [--clip SHA256] --out FILE.jsonl
      A project's (or one clip's) audit entries, with their hashes, one JSON object a line.

Database: DATABASE_URL (postgres://...) selects a PostgreSQL server; without it an embedded
PostgreSQL (PGlite) lives in --data DIR (default ${defaultDataDir()}). A PGlite folder belongs to
one process: while \`serve\` runs on it, admin commands on the same machine are run by the server
(it leaves a per-launch secret in the folder, readable by its owner only), so it need not stop.
Remote admin: --server URL with FRAMEWISE_TOKEN set to an admin's token (or a lead's, for
assign, double and consent on the projects they lead).
Clips: blobs/ in the data folder, or an S3-compatible bucket when FRAMEWISE_S3_BUCKET is set
(FRAMEWISE_S3_ENDPOINT, FRAMEWISE_S3_REGION, FRAMEWISE_S3_FORCE_PATH_STYLE=1,
FRAMEWISE_S3_ACCESS_KEY_ID, FRAMEWISE_S3_SECRET_ACCESS_KEY, FRAMEWISE_S3_PREFIX).
Every command prints JSON on stdout; errors go to stderr with exit code 1 (2 for usage).
`;

/** Who ran an admin command: the shell's user, as the audit trail records it. */
function adminActor(): string {
  try {
    return `admin:${userInfo().username}`;
  } catch (error) {
    // No passwd entry for this uid (a container): the uid is still a name.
    if (error instanceof Error) return `admin:uid${String(process.getuid?.() ?? '?')}`;
    throw error;
  }
}

const stdio: Out = {
  log: (line) => process.stdout.write(line + '\n'),
  error: (line) => process.stderr.write(line + '\n'),
};

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share');
  return join(base, 'framewise-server', 'pglite');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive under another user; ESRCH: gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite has no lock of its own, and two processes on one folder would corrupt it: a pid file
 * claims the folder for as long as this process holds it.
 */
function claimDataDir(dataDir: string): () => void {
  const lock = join(dataDir, 'framewise-server.pid');
  if (existsSync(lock)) {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new ServerError(
        'CONFLICT',
        `${dataDir} is in use by framewise-server process ${pid}; stop it first (PGlite is single-process).`,
      );
    }
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}

async function open(
  data: string | undefined,
): Promise<{ db: Db; release: () => void; dataDir: string | null }> {
  const url = process.env.DATABASE_URL;
  const target: DbTarget = url
    ? { databaseUrl: url }
    : { dataDir: resolve(data ?? defaultDataDir()) };
  // Claimed before PGlite opens it: opening a folder another process is writing could damage it.
  let release: () => void = () => undefined;
  if ('dataDir' in target) {
    mkdirSync(target.dataDir, { recursive: true });
    release = claimDataDir(target.dataDir);
  }
  let db: Db | null = null;
  try {
    const [{ openDb }, { migrateServerDb }] = await Promise.all([
      import('./db/Db'),
      import('./db/migrations'),
    ]);
    db = await openDb(target);
    await migrateServerDb(db);
    return { db, release, dataDir: 'dataDir' in target ? target.dataDir : null };
  } catch (error) {
    await db?.close();
    release();
    throw error;
  }
}

async function serve(values: AdminValues, out: Out): Promise<number> {
  const { buildServer, DEFAULT_RATE_LIMIT } = await import('./app');
  const port = Number(values.port ?? 8787);
  const rate = Number(values['rate-limit'] ?? DEFAULT_RATE_LIMIT);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(rate) || rate < 1) {
    out.error('framewise-server serve: --port must be 0-65535 and --rate-limit a positive number.');
    return 2;
  }
  const { db, release, dataDir } = await open(values.data);
  // Admin commands run on this machine while the server holds the PGlite folder reach it with
  // this per-launch secret, left in the folder for its owner only (as the desktop's loopback host
  // keeps its per-launch token): whoever can read the folder could open the database anyway.
  const adminSecret = dataDir === null ? undefined : `fwa_${randomBytes(32).toString('base64url')}`;
  const delivery = await openDelivery(values.data);
  const app = await buildServer({
    db,
    rateLimitPerMinute: rate,
    ...(adminSecret === undefined ? {} : { adminSecret }),
    delivery,
  });
  // Withdrawals made while no server ran (a shell command on the database) left blobs queued.
  const { drainBlobDeletions } = await import('./delivery/withdrawal');
  const drain = (): void => {
    drainBlobDeletions(db, delivery.blobs, 'server').catch((error: unknown) => {
      out.error(`framewise-server: deleting withdrawn clips' blobs failed: ${String(error)}`);
    });
  };
  drain();
  const drainTimer = setInterval(drain, 60_000);
  drainTimer.unref();
  const host = values.host ?? '0.0.0.0';
  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${actualPort}`;
  const endpoint = dataDir === null ? null : join(dataDir, ADMIN_ENDPOINT_FILE);
  if (endpoint !== null && adminSecret !== undefined) {
    writeFileSync(endpoint, JSON.stringify({ url, secret: adminSecret, pid: process.pid }), {
      mode: 0o600,
    });
  }
  out.log(url);
  out.error(`framewise-server: serving on ${host}:${actualPort} (${db.kind}). Ctrl+C to stop.`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  if (endpoint !== null) rmSync(endpoint, { force: true });
  clearInterval(drainTimer);
  await app.close();
  await delivery.blobs.close();
  await db.close();
  release();
  return 0;
}

/**
 * Where the server keeps clips: the blob store the environment names (FRAMEWISE_S3_BUCKET), else
 * `blobs/` in the data folder; uploads in progress and scratch copies in its `staging/`.
 */
async function openDelivery(data: string | undefined): Promise<Omit<DeliveryDeps, 'db'>> {
  const { blobConfigFromEnv, openBlobStore } = await import('./blobs/blobStore');
  const files = resolve(data ?? defaultDataDir());
  const blobs = await openBlobStore(blobConfigFromEnv(process.env, join(files, 'blobs')));
  return { blobs, stagingDir: join(files, 'staging') };
}

/**
 * `ingest <folder> --project ID`: the batch goes in from this machine's disk, with the database
 * opened here (or, with --server, uploaded to a running server through the resumable route).
 */
async function ingest(
  positionals: readonly string[],
  values: AdminValues,
  out: Out,
): Promise<number> {
  const folder = positionals[1];
  const projectId = values.project;
  if (folder === undefined || projectId === undefined || positionals.length > 2) {
    out.error('framewise-server: usage: ingest <batch-folder> --project ID [--server URL]');
    return 2;
  }
  if (values.server !== undefined) {
    const token = process.env.FRAMEWISE_TOKEN;
    if (token === undefined || token === '') {
      out.error(
        "framewise-server: --server needs FRAMEWISE_TOKEN set to the project lead's token.",
      );
      return 2;
    }
    const { uploadBatchFolder } = await import('./delivery/uploadClient');
    const report = await uploadBatchFolder({ baseUrl: values.server, token }, folder, projectId);
    out.log(JSON.stringify(report, null, 2));
    return report.errors > 0 ? 1 : 0;
  }
  const [{ ingestBatchFolder }, { ImportError }] = await Promise.all([
    import('./delivery/ingest'),
    import('../node/importError'),
  ]);
  const { db, release } = await open(values.data);
  const delivery = await openDelivery(values.data);
  try {
    const actor = adminActor();
    const report = await ingestBatchFolder(
      { db, ...delivery },
      { id: actor, name: actor, role: 'admin' },
      resolve(folder),
      projectId,
      actor,
    );
    out.log(JSON.stringify(report, null, 2));
    return report.errors > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof ImportError) {
      out.error(`framewise-server: ${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await delivery.blobs.close();
    await db.close();
    release();
  }
}

/** In a PGlite folder while `serve` runs on it: where admin commands reach the server. */
const ADMIN_ENDPOINT_FILE = 'framewise-server.admin.json';

/** The running server of a PGlite folder, when one holds it and left its admin endpoint. */
function runningServerOf(dataDir: string): { url: string; secret: string } | null {
  const lock = join(dataDir, 'framewise-server.pid');
  const endpoint = join(dataDir, ADMIN_ENDPOINT_FILE);
  if (!existsSync(lock) || !existsSync(endpoint)) return null;
  const pid = Number(readFileSync(lock, 'utf8').trim());
  if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) return null;
  const parsed = JSON.parse(readFileSync(endpoint, 'utf8')) as {
    url?: unknown;
    secret?: unknown;
    pid?: unknown;
  };
  if (typeof parsed.url !== 'string' || typeof parsed.secret !== 'string' || parsed.pid !== pid) {
    return null;
  }
  return { url: parsed.url, secret: parsed.secret };
}

/**
 * Sends the command line to a running server (`POST /v1/admin/commands`) and prints its output
 * as if it had run here. Paths are made absolute first: they name this machine's files.
 */
async function forward(
  target: { url: string; token: string },
  argv: readonly string[],
  values: AdminValues,
  out: Out,
): Promise<number> {
  const args = [...argv];
  const outAt = args.indexOf('--out');
  if (outAt >= 0 && values.out !== undefined) args[outAt + 1] = resolve(values.out);
  let response: Response;
  try {
    response = await fetch(`${target.url.replace(/\/$/, '')}/v1/admin/commands`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ argv: args, actor: adminActor() }),
    });
  } catch (error) {
    out.error(`framewise-server: the server at ${target.url} did not answer: ${String(error)}`);
    return 1;
  }
  const body = (await response.json()) as {
    exitCode?: number;
    stdout?: string[];
    stderr?: string[];
    error?: { code: string; message: string };
  };
  if (response.status !== 200 || body.exitCode === undefined) {
    out.error(
      `framewise-server: ${body.error?.code ?? response.status}: ${body.error?.message ?? 'refused'}`,
    );
    return 1;
  }
  for (const line of body.stdout ?? []) out.log(line);
  for (const line of body.stderr ?? []) out.error(line);
  return body.exitCode;
}

/**
 * An admin command: through a running server when one holds the PGlite folder (or `--server`
 * names one), else on the database opened here.
 */
async function runCommand(
  argv: readonly string[],
  positionals: readonly string[],
  values: AdminValues,
  out: Out,
): Promise<number | undefined> {
  if (values.server !== undefined) {
    const token = process.env.FRAMEWISE_TOKEN;
    if (token === undefined || token === '') {
      out.error(
        "framewise-server: --server needs FRAMEWISE_TOKEN set to an admin's (or lead's) token.",
      );
      return 2;
    }
    return forward({ url: values.server, token }, withoutTarget(argv), values, out);
  }
  if (process.env.DATABASE_URL === undefined || process.env.DATABASE_URL === '') {
    const running = runningServerOf(resolve(values.data ?? defaultDataDir()));
    if (running !== null) {
      return forward({ url: running.url, token: running.secret }, withoutTarget(argv), values, out);
    }
  }
  compileWasmQuickly();
  return runAdminCommand(positionals, values, {
    actor: adminActor(),
    out,
    withDb: async (fn) => {
      const { db, release } = await open(values.data);
      try {
        const result = await fn(db);
        // A withdrawal queued the clip's blobs: delete them now rather than at the next serve.
        if (positionals[0] === 'consent' && positionals[1] === 'withdraw') {
          const delivery = await openDelivery(values.data);
          try {
            const { drainBlobDeletions } = await import('./delivery/withdrawal');
            await drainBlobDeletions(db, delivery.blobs, adminActor());
          } finally {
            await delivery.blobs.close();
          }
        }
        return result;
      } finally {
        await db.close();
        release();
      }
    },
  });
}

/**
 * A one-shot admin command uses PGlite's Postgres (WebAssembly) for about a second; V8 would spend
 * more CPU optimising that code (TurboFan tier-up) than the command spends running it, so the
 * process keeps to the baseline compiler: `user add` on a migrated folder measured 1.7 s of user
 * CPU before, 0.75 s after. Set before PGlite compiles its module (in `open`); `serve` and
 * `ingest`, which run long enough for optimised code to pay, never call this.
 */
function compileWasmQuickly(): void {
  setFlagsFromString('--liftoff-only');
}

/** The command line without the options that chose where it runs (the server has its own). */
function withoutTarget(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--server' || arg === '--data') i += 1;
    else if (!arg.startsWith('--server=') && !arg.startsWith('--data=')) args.push(arg);
  }
  return args;
}

export async function main(argv: string[], out: Out = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: ADMIN_OPTIONS,
    });
  } catch (error) {
    out.error(
      `framewise-server: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    out.log(HELP);
    return 0;
  }
  try {
    if (positionals[0] === 'serve') return await serve(values, out);
    if (positionals[0] === 'ingest') return await ingest(positionals, values, out);
    const code = await runCommand(argv, positionals, values, out);
    if (code !== undefined) return code;
  } catch (error) {
    if (error instanceof ServerError) {
      out.error(`framewise-server: ${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  out.error(
    `framewise-server: unknown or incomplete command "${positionals.join(' ')}".\n\n${HELP}`,
  );
  return 2;
}

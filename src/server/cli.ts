import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoredAuditEntry } from './audit';
import type { Db, DbTarget } from './db/Db';
import { ServerError } from './serverError';

// Commands import what they use when they run, as the desktop CLI's do (src/main/cli/main.ts):
// `--help` loads neither PGlite nor Fastify, and admin commands never load Fastify.

/** Exit code of `audit verify` when the chain is broken, as the desktop's `framewise audit verify`. */
export const AUDIT_BROKEN_EXIT = 4;

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
one process: admin commands refuse to open it while \`serve\` runs on it (stop the server first,
or use PostgreSQL, which also lets several server processes serve one team).
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

type Out = { log: (line: string) => void; error: (line: string) => void };
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

async function open(data: string | undefined): Promise<{ db: Db; release: () => void }> {
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
    return { db, release };
  } catch (error) {
    await db?.close();
    release();
    throw error;
  }
}

async function serve(values: Values, out: Out): Promise<number> {
  const { buildServer, DEFAULT_RATE_LIMIT } = await import('./app');
  const port = Number(values.port ?? 8787);
  const rate = Number(values['rate-limit'] ?? DEFAULT_RATE_LIMIT);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(rate) || rate < 1) {
    out.error('framewise-server serve: --port must be 0-65535 and --rate-limit a positive number.');
    return 2;
  }
  const { db, release } = await open(values.data);
  const app = await buildServer({ db, rateLimitPerMinute: rate });
  const host = values.host ?? '0.0.0.0';
  await app.listen({ port, host });
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  out.log(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actualPort}`);
  out.error(`framewise-server: serving on ${host}:${actualPort} (${db.kind}). Ctrl+C to stop.`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await app.close();
  await db.close();
  release();
  return 0;
}

type Values = {
  port?: string | undefined;
  host?: string | undefined;
  data?: string | undefined;
  role?: string | undefined;
  lead?: string | undefined;
  project?: string | undefined;
  annotator?: string | undefined;
  reviewer?: string | undefined;
  reason?: string | undefined;
  share?: string | undefined;
  annotators?: string | undefined;
  'expires-days'?: string | undefined;
  'rate-limit'?: string | undefined;
  clip?: string | undefined;
  out?: string | undefined;
  id?: string | undefined;
  scope?: string | undefined;
  granted?: string | undefined;
  expires?: string | undefined;
  format?: string | undefined;
  status?: string | undefined;
};

/** Every page of the trail, written beside the target and renamed, so a crash leaves no half file. */
async function exportAudit(
  db: Db,
  input: { projectId: string; clipRef?: string; out: string },
): Promise<{
  projectId: string;
  entries: number;
  out: string;
  head: { seq: number; hash: string };
}> {
  const { auditHead, auditTrail } = await import('./audit');
  const head = await auditHead(db);
  const lines: string[] = [];
  let after = 0;
  for (;;) {
    const page: StoredAuditEntry[] = await auditTrail(db, {
      projectId: input.projectId,
      after,
      ...(input.clipRef === undefined ? {} : { clipRef: input.clipRef }),
    });
    // Entries appended after the head was read belong to the next export.
    for (const entry of page) if (entry.seq <= head.seq) lines.push(JSON.stringify(entry) + '\n');
    const last = page.at(-1);
    if (last === undefined || last.seq >= head.seq) break;
    after = last.seq;
  }
  const out = resolve(input.out);
  writeFileSync(`${out}.partial`, lines.join(''));
  renameSync(`${out}.partial`, out);
  return { projectId: input.projectId, entries: lines.length, out, head };
}

async function admin(positionals: string[], values: Values, out: Out): Promise<number | undefined> {
  const [command, sub, arg] = positionals;
  const [
    { verifyAudit },
    { recordConsent },
    { markDoubleAnnotation },
    { addUser, assignClip, createProject, issueToken, reassign, revokeToken, withdrawConsent },
  ] = await Promise.all([
    import('./audit'),
    import('./consentRecords'),
    import('./doubleAnnotation'),
    import('./team'),
  ]);
  const run = async <T>(fn: (db: Db) => Promise<T>): Promise<number> => {
    const { db, release } = await open(values.data);
    try {
      out.log(JSON.stringify(await fn(db)));
      return 0;
    } finally {
      await db.close();
      release();
    }
  };
  const actor = adminActor();
  if (command === 'audit' && sub === 'verify') {
    const { db, release } = await open(values.data);
    try {
      const verdict = await verifyAudit(db);
      out.log(JSON.stringify(verdict));
      if (verdict.ok) return 0;
      out.error(
        `framewise-server: audit trail broken at entry ${verdict.firstBadSeq} ` +
          `(${verdict.problem}): ${verdict.message}`,
      );
      return AUDIT_BROKEN_EXIT;
    } finally {
      await db.close();
      release();
    }
  }
  if (command === 'audit' && sub === 'export' && values.project && values.out) {
    const { project, clip, out: file } = values;
    return run((db) =>
      exportAudit(db, { projectId: project, out: file, ...(clip ? { clipRef: clip } : {}) }),
    );
  }
  if (command === 'export' && values.project && values.format && values.out) {
    const { project, format, out: folder } = values;
    const status = values.status ?? 'accepted';
    const formats = format.split(',').map((f) => f.trim());
    const known = ['coco', 'cvat', 'epic', 'hands', 'provenance'] as const;
    const valid = formats.every((f) => (known as readonly string[]).includes(f));
    if (!valid || (status !== 'accepted' && status !== 'submitted')) {
      out.error(
        `framewise-server export: --format takes ${known.join(',')} and --status accepted or submitted.`,
      );
      return 2;
    }
    const { exportProject } = await import('./exportProject');
    return run(async (db) => {
      const report = await exportProject(db, {
        projectId: project,
        formats: formats as (typeof known)[number][],
        status,
        out: folder,
      });
      return {
        projectId: report.projectId,
        out: report.destination,
        exported: report.exported.length,
        excluded: report.excluded.map(({ clipRef, reason }) => ({ clipRef, reason })),
        files: report.files,
      };
    });
  }
  if (command === 'user' && sub === 'add' && arg && values.role) {
    return run((db) => addUser(db, arg, values.role ?? '', actor));
  }
  if (command === 'token' && sub === 'issue' && arg) {
    const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
    return run((db) =>
      issueToken(db, arg, days === undefined ? { actor } : { expiresInDays: days, actor }),
    );
  }
  if (command === 'token' && sub === 'revoke' && arg) {
    return run(async (db) => {
      await revokeToken(db, arg, actor);
      return { revoked: arg };
    });
  }
  if (command === 'project' && sub === 'create' && arg && values.lead) {
    const lead = values.lead;
    return run((db) => createProject(db, arg, lead, actor));
  }
  if (command === 'assign' && sub && values.project && values.annotator) {
    const { project, annotator, reviewer } = values;
    return run((db) =>
      assignClip(db, {
        clipRef: sub,
        projectId: project,
        annotator,
        actor,
        ...(reviewer ? { reviewer } : {}),
      }),
    );
  }
  if (command === 'reassign' && sub && values.annotator) {
    const annotator = values.annotator;
    return run(async (db) => {
      await reassign(db, sub, annotator, actor);
      return { reassigned: sub, annotator };
    });
  }
  if (command === 'double' && values.project && values.share) {
    const { project, share, annotators } = values;
    return run((db) =>
      markDoubleAnnotation(db, {
        projectId: project,
        share: Number(share),
        actor,
        ...(annotators ? { annotators: annotators.split(',').map((a) => a.trim()) } : {}),
      }),
    );
  }
  if (
    command === 'consent' &&
    sub === 'record' &&
    arg &&
    values.id &&
    values.scope &&
    values.granted
  ) {
    const consent = {
      id: values.id,
      scope: values.scope.split(',').map((scope) => scope.trim()),
      grantedAt: values.granted,
      expiresAt: values.expires ?? null,
    };
    return run((db) => recordConsent(db, arg, consent, actor));
  }
  if (command === 'consent' && sub === 'withdraw' && arg && values.reason) {
    const reason = values.reason;
    return run(async (db) => ({
      clipRef: arg,
      notified: await withdrawConsent(db, arg, reason, actor),
    }));
  }
  return undefined;
}

export async function main(argv: string[], out: Out = stdio): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        role: { type: 'string' },
        lead: { type: 'string' },
        project: { type: 'string' },
        annotator: { type: 'string' },
        reviewer: { type: 'string' },
        reason: { type: 'string' },
        share: { type: 'string' },
        annotators: { type: 'string' },
        'expires-days': { type: 'string' },
        'rate-limit': { type: 'string' },
        clip: { type: 'string' },
        out: { type: 'string' },
        id: { type: 'string' },
        scope: { type: 'string' },
        granted: { type: 'string' },
        expires: { type: 'string' },
        format: { type: 'string' },
        status: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
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
    const code = await admin(positionals, values, out);
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

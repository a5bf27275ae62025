import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StoredAuditEntry } from './audit';
import type { AuthUser } from './auth';
import type { Db, Queryable } from './db/Db';
import { ServerError } from './serverError';

// Commands import what they use when they run: `--help` loads neither PGlite nor Fastify, and
// admin commands in the CLI never load Fastify.

/**
 * The server's admin commands (users, tokens, projects, assignments, consent, audit, export), run
 * one way whether the CLI opened the database itself or a running server runs them for it
 * (`POST /v1/admin/commands`, so a PGlite server need not stop): `withDb` hands the database.
 */

/** Exit code of `audit verify` when the chain is broken, as the desktop's `framewise audit verify`. */
export const AUDIT_BROKEN_EXIT = 4;

export type Out = { log: (line: string) => void; error: (line: string) => void };

export type AdminContext = {
  withDb: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;
  /** Who runs it, as the audit trail records it. */
  actor: string;
  out: Out;
};

/** The command line's options (`node:util` parseArgs), the CLI's and the admin route's. */
export const ADMIN_OPTIONS = {
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
  server: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The parsed options of a command line (`ADMIN_OPTIONS`). */
export type AdminValues = {
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
  server?: string | undefined;
  help?: boolean | undefined;
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

export async function runAdminCommand(
  positionals: readonly string[],
  values: AdminValues,
  ctx: AdminContext,
): Promise<number | undefined> {
  const { out, actor } = ctx;
  const [command, sub, arg] = positionals;
  const [
    { verifyAudit },
    { parseConsentRecord, recordConsent },
    { checkDoubleShare, markDoubleAnnotation },
    {
      addUser,
      assignClip,
      createProject,
      issueToken,
      parseAssignedClip,
      parseNewUser,
      reassign,
      revokeToken,
      withdrawConsent,
    },
  ] = await Promise.all([
    import('./audit'),
    import('./consentRecords'),
    import('./doubleAnnotation'),
    import('./team'),
  ]);
  // Each command checks what it can of its arguments before `run`: a refusal then costs no
  // database (in the CLI, opening PGlite is most of a command's time).
  const run = async <T>(fn: (db: Db) => Promise<T>): Promise<number> => {
    out.log(JSON.stringify(await ctx.withDb(fn)));
    return 0;
  };
  if (command === 'audit' && sub === 'verify') {
    const verdict = await ctx.withDb((db) => verifyAudit(db));
    out.log(JSON.stringify(verdict));
    if (verdict.ok) return 0;
    out.error(
      `framewise-server: audit trail broken at entry ${verdict.firstBadSeq} ` +
        `(${verdict.problem}): ${verdict.message}`,
    );
    return AUDIT_BROKEN_EXIT;
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
    parseNewUser(arg, values.role);
    return run((db) => addUser(db, arg, values.role ?? '', actor));
  }
  if (command === 'token' && sub === 'issue' && arg) {
    const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
    if (days !== undefined && !(Number.isFinite(days) && days > 0)) {
      throw new ServerError(
        'INVALID_INPUT',
        `--expires-days takes a number of days above 0, not "${values['expires-days']}".`,
      );
    }
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
    parseAssignedClip(sub);
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
    checkDoubleShare(Number(share));
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
    parseConsentRecord(arg, consent);
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

/**
 * Whether a lead may run this command: one that names a project they lead (`assign`, `double`),
 * or records or withdraws consent for a clip of such a project. Every other command (users,
 * tokens, projects, reassignments) is an admin's, and so are those that write files (`export`,
 * `audit export`): through the route they would write on the server's disk, wherever `--out`
 * points. A lead exports on their workstation, or asks an admin.
 */
export async function leadMayRun(
  db: Queryable,
  user: AuthUser,
  positionals: readonly string[],
  values: AdminValues,
): Promise<boolean> {
  if (user.role !== 'lead') return false;
  const [command, sub, arg] = positionals;
  if (command === 'assign' || command === 'double') {
    const projectId = values.project;
    if (projectId === undefined) return false;
    const led = await db.query('SELECT 1 FROM projects WHERE id = $1 AND lead_id = $2', [
      projectId,
      user.id,
    ]);
    return led.length > 0;
  }
  if (command === 'consent' && (sub === 'record' || sub === 'withdraw') && arg !== undefined) {
    const rows = await db.query(
      `SELECT 1 FROM assignments a JOIN projects p ON p.id = a.project_id
       WHERE a.clip_ref = $1 AND p.lead_id = $2
       UNION SELECT 1 FROM withdrawn_sets w JOIN projects p ON p.id = w.project_id
       WHERE w.clip_ref = $1 AND p.lead_id = $2`,
      [arg.toLowerCase(), user.id],
    );
    return rows.length > 0;
  }
  return false;
}

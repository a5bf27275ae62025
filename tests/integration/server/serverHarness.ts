import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/server/app';
import { openDb, type Db } from '../../../src/server/db/Db';
import { migrateServerDb } from '../../../src/server/db/migrations';
import { addUser, assignClip, createProject, issueToken } from '../../../src/server/team';
import { freshPgliteDir } from '../../support/pgliteTemplate';
import { startTestPostgres } from './postgresForTests';

export const SERVER_BIN = resolve(import.meta.dirname, '../../../bin/framewise-server.mjs');

export type Backend = 'pglite' | 'postgres';

/** Both, as the server suite runs: PostgreSQL is DATABASE_URL's server, else a throwaway one. */
export const backends: readonly Backend[] = ['pglite', 'postgres'];

/** A migrated database of either kind, and how to throw it away. */
export async function openTestDb(backend: Backend): Promise<{
  db: Db;
  target: { databaseUrl: string } | { dataDir: string };
  dispose: () => Promise<void>;
}> {
  if (backend === 'postgres') {
    const pgServer = await startTestPostgres();
    const db = await openDb({ databaseUrl: pgServer.url });
    await migrateServerDb(db);
    return {
      db,
      target: { databaseUrl: pgServer.url },
      dispose: async () => {
        await db.close();
        await pgServer.stop();
      },
    };
  }
  const dataDir = await freshPgliteDir('fw-pglite-');
  const db = await openDb({ dataDir });
  await migrateServerDb(db);
  return {
    db,
    target: { dataDir },
    dispose: async () => {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function clipRefOf(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export type Team = {
  projectId: string;
  otherProjectId: string;
  tokens: Record<'ann1' | 'ann2' | 'rev1' | 'rev2' | 'lead1' | 'lead2', string>;
  /** clip A: ann1 / rev1 in lead1's project; clip B: ann2 / rev2 in lead2's project. */
  clipA: string;
  clipB: string;
  setA: string;
  setB: string;
};

export async function seedTeam(
  db: Db,
  extraClipsForAnn1 = 0,
): Promise<Team & { extraClips: string[] }> {
  for (const [name, role] of [
    ['ann1', 'annotator'],
    ['ann2', 'annotator'],
    ['rev1', 'reviewer'],
    ['rev2', 'reviewer'],
    ['lead1', 'lead'],
    ['lead2', 'lead'],
  ] as const) {
    await addUser(db, name, role);
  }
  const tokens = {} as Team['tokens'];
  for (const name of ['ann1', 'ann2', 'rev1', 'rev2', 'lead1', 'lead2'] as const) {
    tokens[name] = (await issueToken(db, name)).token;
  }
  const { projectId } = await createProject(db, 'p1', 'lead1');
  const { projectId: otherProjectId } = await createProject(db, 'p2', 'lead2');
  const clipA = clipRefOf('clip-a');
  const clipB = clipRefOf('clip-b');
  const a = await assignClip(db, {
    clipRef: clipA,
    projectId,
    annotator: 'ann1',
    reviewer: 'rev1',
  });
  const b = await assignClip(db, {
    clipRef: clipB,
    projectId: otherProjectId,
    annotator: 'ann2',
    reviewer: 'rev2',
  });
  const extraClips: string[] = [];
  for (let i = 0; i < extraClipsForAnn1; i++) {
    const clipRef = clipRefOf(`extra-${i}`);
    await assignClip(db, { clipRef, projectId, annotator: 'ann1', reviewer: 'rev1' });
    extraClips.push(clipRef);
  }
  return {
    projectId,
    otherProjectId,
    tokens,
    clipA,
    clipB,
    setA: a.setId,
    setB: b.setId,
    extraClips,
  };
}

/** The real Fastify server in this process, on a real port. */
export async function listenInProcess(
  db: Db,
  options: { rateLimitPerMinute?: number; bodyLimitBytes?: number; adminSecret?: string } = {},
): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  const app = await buildServer({ db, rateLimitPerMinute: 100_000, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { url: `http://127.0.0.1:${address.port}`, app, close: () => app.close() };
}

/** A migrated `backend` database with the seeded team, served in this process. */
export type SeededServer = {
  db: Db;
  team: Team;
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
};

/** `prepare` runs on the seeded database before the server listens. */
export async function seededServer(
  backend: Backend,
  prepare?: (db: Db, team: Team) => Promise<void>,
): Promise<SeededServer> {
  const opened = await openTestDb(backend);
  try {
    const team = await seedTeam(opened.db);
    await prepare?.(opened.db, team);
    const server = await listenInProcess(opened.db);
    return {
      db: opened.db,
      team,
      app: server.app,
      url: server.url,
      close: async () => {
        await server.close();
        await opened.dispose();
      },
    };
  } catch (error) {
    await opened.dispose();
    throw error;
  }
}

/** A team's server for sync tests: PGlite, the seeded team, serving in this process. */
export type TeamServer = { db: Db; team: Team; url: string; close: () => Promise<void> };

/**
 * Starts a server (PGlite unless `backend` says) with the seeded team and `clipRefs` assigned to
 * ann1 (reviewer rev1); `prepare` runs before it listens (marking double annotation, say).
 */
export function startTeamServer(
  clipRefs: readonly string[],
  prepare?: (db: Db, team: Team) => Promise<void>,
  backend: Backend = 'pglite',
): Promise<TeamServer> {
  return seededServer(backend, async (db, team) => {
    await bulkAssign(db, {
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
      clipRefs,
    });
    await prepare?.(db, team);
  });
}

/** `framewise-server serve` as its own process; resolves once it prints its URL. */
export async function spawnServer(
  target: { databaseUrl: string } | { dataDir: string },
  extraArgs: string[] = [],
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const args = [
    SERVER_BIN,
    'serve',
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--rate-limit',
    '1000000',
  ];
  if ('databaseUrl' in target) env.DATABASE_URL = target.databaseUrl;
  else {
    delete env.DATABASE_URL;
    args.push('--data', target.dataDir);
  }
  const child = spawn(process.execPath, [...args, ...extraArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolveUrl(line.trim()));
    child.once('exit', (code) =>
      reject(new Error(`framewise-server exited (${String(code)}): ${stderr}`)),
    );
  });
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

export type Answer = { status: number; body: unknown; headers: Headers };

export async function call(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; key?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (options.key !== undefined) headers['idempotency-key'] = options.key;
  let body: string | undefined;
  if (options.rawBody !== undefined || options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = options.rawBody ?? JSON.stringify(options.body);
  }
  const response = await fetch(url + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export const EMPTY_DOC = { tracks: [], segments: [], contacts: [] };

export function pushBody(baseRevision: number, extra: Record<string, unknown> = {}) {
  return { baseRevision, labels: EMPTY_DOC, localSetId: 'local-1', localRevision: 1, ...extra };
}

/**
 * Assigns many clips to one annotator in two statements (the CLI's `assign` is one clip per
 * call, with events; a benchmark's 10,000 assignments need neither).
 */
export async function bulkAssign(
  db: Db,
  input: { projectId: string; annotator: string; reviewer: string; clipRefs: readonly string[] },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO assignments (id, project_id, clip_ref, annotator_id, reviewer_id)
       SELECT gen_random_uuid()::text, $1, ref,
         (SELECT id FROM users WHERE name = $2), (SELECT id FROM users WHERE name = $3)
       FROM unnest($4::text[]) AS ref`,
      [input.projectId, input.annotator, input.reviewer, [...input.clipRefs]],
    );
    await tx.query(
      `INSERT INTO annotation_sets (id, assignment_id)
       SELECT gen_random_uuid()::text, a.id FROM assignments a
       LEFT JOIN annotation_sets s ON s.assignment_id = a.id WHERE s.id IS NULL`,
    );
  });
}

/**
 * Per clip, how many documents the server stored for it (one per applied push): every clip's, or
 * only `clipRefs`' (a property test asking after each of its 1,000 runs need not count them all).
 */
export async function versionsPerClip(
  db: Db,
  clipRefs?: readonly string[],
): Promise<Map<string, number>> {
  const rows = await db.query<{ clip_ref: string; n: number }>(
    `SELECT a.clip_ref, count(v.revision)::int AS n FROM assignments a
     JOIN annotation_sets s ON s.assignment_id = a.id
     LEFT JOIN set_versions v ON v.set_id = s.id
     WHERE $1::text[] IS NULL OR a.clip_ref = ANY($1::text[])
     GROUP BY a.clip_ref`,
    [clipRefs === undefined ? null : [...clipRefs]],
  );
  return new Map(rows.map((r) => [r.clip_ref, r.n]));
}

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/server/app';
import { openBlobStore, type BlobStore } from '../../../src/server/blobs/blobStore';
import { openDb, type Db } from '../../../src/server/db/Db';
import {
  createIngestBatch,
  ingestBatchFolder,
  type DeliveryDeps,
} from '../../../src/server/delivery/ingest';
import { startUpload } from '../../../src/server/delivery/uploads';
import { parseBatchManifest } from '../../../src/shared/domain/batchManifest';
import { migrateServerDb } from '../../../src/server/db/migrations';
import { addUser, assignClip, createProject, issueToken } from '../../../src/server/team';
import { freshMigratedPgliteDir } from '../../support/migratedPgliteTemplate';
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
  // A copy of a folder migrated once per run; the call below then finds nothing to do, as a
  // server opening its own folder would.
  const dataDir = await freshMigratedPgliteDir('fw-pglite-');
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
  options: {
    rateLimitPerMinute?: number;
    bodyLimitBytes?: number;
    adminSecret?: string;
    delivery?: Omit<DeliveryDeps, 'db'>;
  } = {},
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
  /** Set when asked for: the clip delivery routes are served, with these to aim at. */
  delivery?: DeliveryFixture;
};

/**
 * What the delivery routes need to be reached for real: a folder blob store, `clipRef` ingested
 * into the team's project and assigned to ann1 (reviewer rev1), and an ingest batch of lead1's
 * with `upload` started and no byte sent. `files()` lists every file the server keeps (blobs and
 * staged uploads) with its size, so a test can tell that a refusal stored nothing.
 */
export type DeliveryFixture = {
  deps: DeliveryDeps;
  clipRef: string;
  deliveredSha256: string;
  batchId: string;
  uploadId: string;
  upload: { path: string; absolutePath: string; sizeBytes: number; sha256: string };
  files: () => Record<string, number>;
};

/** Small, so a test can send a chunk over the limit without sending 64 MiB. */
export const TEST_CHUNK_MAX = 8 * 1024;

/** `prepare` runs on the seeded database before the server listens. */
export async function seededServer(
  backend: Backend,
  prepare?: (db: Db, team: Team) => Promise<void>,
  options: { delivery?: boolean } = {},
): Promise<SeededServer> {
  const opened = await openTestDb(backend);
  const scratch = options.delivery ? mkdtempSync(join(tmpdir(), 'fw-seeded-delivery-')) : null;
  let blobs: BlobStore | null = null;
  try {
    const team = await seedTeam(opened.db);
    await prepare?.(opened.db, team);
    let delivery: DeliveryFixture | undefined;
    if (scratch !== null) {
      blobs = await openBlobStore({ kind: 'folder', dir: join(scratch, 'blobs') });
      delivery = await seedDelivery(
        {
          db: opened.db,
          blobs,
          stagingDir: join(scratch, 'staging'),
          chunkMaxBytes: TEST_CHUNK_MAX,
        },
        team,
        scratch,
      );
    }
    const server = await listenInProcess(
      opened.db,
      delivery === undefined ? {} : { delivery: delivery.deps },
    );
    return {
      db: opened.db,
      team,
      app: server.app,
      url: server.url,
      ...(delivery === undefined ? {} : { delivery }),
      close: async () => {
        await server.close();
        await blobs?.close();
        await opened.dispose();
        if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await blobs?.close();
    await opened.dispose();
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
}

const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');

async function seedDelivery(
  deps: DeliveryDeps,
  team: Team,
  scratch: string,
): Promise<DeliveryFixture> {
  const consent = { id: 'consent-seeded', scope: ['training'], grantedAt: '2026-11-01' };
  const folder = join(scratch, 'batch');
  mkdirSync(folder);
  copyFileSync(join(GENERATED, 'batch/cfr30.mp4'), join(folder, 'cfr30.mp4'));
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: 'seeded',
      contributor: { pseudonym: 'contrib_seeded' },
      consent,
    }),
  );
  const admin = { id: 'admin:test', name: 'admin:test', role: 'admin' as const };
  const report = await ingestBatchFolder(deps, admin, folder, team.projectId, admin.id);
  const ingested = report.files[0];
  if (ingested?.status !== 'ok') throw new Error('the seeded clip was not ingested');
  await assignClip(deps.db, {
    clipRef: ingested.clipRef,
    projectId: team.projectId,
    annotator: 'ann1',
    reviewer: 'rev1',
  });
  const [lead] = await deps.db.query<{ id: string; name: string }>(
    `SELECT id, name FROM users WHERE name = 'lead1'`,
  );
  if (lead === undefined) throw new Error('no lead1');
  const leadUser = { ...lead, role: 'lead' as const };
  const absolutePath = join(GENERATED, 'batch/cfr60.mp4');
  const bytes = readFileSync(absolutePath);
  const upload = {
    path: 'cfr60.mp4',
    absolutePath,
    sizeBytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  const manifest = parseBatchManifest(
    JSON.stringify({
      version: 1,
      batchId: 'uploading',
      contributor: { pseudonym: 'contrib_upload' },
      consent,
      clips: [{ path: upload.path }],
    }),
  );
  if (!manifest.ok) throw new Error(manifest.message);
  const batch = await createIngestBatch(
    deps.db,
    leadUser,
    team.projectId,
    manifest.manifest,
    leadUser.id,
  );
  const started = await startUpload(deps, leadUser, batch.id, {
    path: upload.path,
    sizeBytes: upload.sizeBytes,
    sha256: upload.sha256,
  });
  return {
    deps,
    clipRef: ingested.clipRef,
    deliveredSha256: ingested.deliveredSha256,
    batchId: batch.id,
    uploadId: started.uploadId,
    upload,
    files: () => filesUnder(scratch, ['blobs', 'staging']),
  };
}

/** Every file under the named folders of `root`, with its size (temporary folders included). */
function filesUnder(root: string, folders: readonly string[]): Record<string, number> {
  const found: Record<string, number> = {};
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else found[relative(root, path)] = statSync(path).size;
    }
  };
  for (const folder of folders) walk(join(root, folder));
  return found;
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

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createServices } from '../src/main/services/createServices';
import { SyncService } from '../src/main/services/sync/syncService';
import { openDb } from '../src/server/db/Db';
import { startTestPostgres } from '../tests/integration/server/postgresForTests';
import {
  bulkAssign,
  call,
  EMPTY_DOC,
  clipRefOf,
  openTestDb,
  seedTeam,
  spawnServer,
  versionsPerClip,
} from '../tests/integration/server/serverHarness';
import { migrateServerDb } from '../src/server/db/migrations';
import { startLossyProxy } from '../tests/integration/sync/lossyProxy';
import { seedWorkstation } from '../tests/integration/sync/workstationSeed';

const SETS = 10_000;
const ANNOTATOR = 'annotator-1';
/** The app's sender runs 4 in flight; the benchmark keeps that, so figures are the app's. */
const CONCURRENCY = 4;
const BACKOFF = { baseMs: 10, capMs: 1_000 };

const LOAD_CONCURRENCY = 32;

async function pushLoad(
  urls: readonly string[],
  token: string,
  refs: readonly string[],
): Promise<{ seconds: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < refs.length) {
      const index = next++;
      const ref = refs[index] ?? '';
      const url = urls[index % urls.length] ?? '';
      const answer = await call(url, 'PUT', `/v1/clips/${ref}/set`, {
        token,
        key: `load-key-${index}`,
        body: { baseRevision: 0, labels: EMPTY_DOC, localSetId: `load-${index}`, localRevision: 1 },
      });
      if (answer.status !== 200) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
  return { seconds: (performance.now() - start) / 1000, failed };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function deliver(
  workDir: string,
  name: string,
  serverUrl: string,
  token: string,
  refs: readonly string[],
): Promise<{
  seconds: number;
  requests: number;
  retries: number;
  delivered: number;
  pending: number;
  seedSeconds: number;
}> {
  const file = join(workDir, `${name}.sqlite`);
  rmSync(file, { force: true });
  const seedStart = performance.now();
  seedWorkstation(file, refs, ANNOTATOR);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const services = createServices({ databasePath: file, actor: ANNOTATOR });
  const sync = new SyncService({
    store: services.store,
    actor: ANNOTATOR,
    backoff: BACKOFF,
    concurrency: CONCURRENCY,
  });
  sync.signIn(serverUrl, token);
  try {
    const start = performance.now();
    const report = await sync.syncNow(30 * 60_000);
    return {
      seconds: (performance.now() - start) / 1000,
      requests: report.requests,
      retries: report.retries,
      delivered: report.delivered.length,
      pending: report.pending,
      seedSeconds,
    };
  } finally {
    services.close();
  }
}

/**
 * 10,000 submitted sets delivered by the real sync client to real server processes: through a
 * link resetting 30% of requests and 30% of responses, and through a clean one (PGlite, as
 * `framewise-server serve` runs with no DATABASE_URL); then pushes per second with two server
 * processes over one PostgreSQL. Exactly-once is checked in the server's database afterwards.
 */
export async function runSyncBench(workDir: string): Promise<Record<string, number>> {
  const dir = join(workDir, 'sync');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const lossyRefs = Array.from({ length: SETS }, (_, i) => clipRefOf(`bench-lossy-${i}`));
  const cleanRefs = Array.from({ length: SETS }, (_, i) => clipRefOf(`bench-clean-${i}`));
  const figures: Record<string, number> = { sets: SETS, client_concurrency: CONCURRENCY };

  // PGlite: one server process, lossy link then clean link.
  const opened = await openTestDb('pglite');
  const team = await seedTeam(opened.db);
  await bulkAssign(opened.db, {
    projectId: team.projectId,
    annotator: 'ann1',
    reviewer: 'rev1',
    clipRefs: [...lossyRefs, ...cleanRefs],
  });
  await opened.db.close();
  const server = await spawnServer(opened.target);
  const proxy = await startLossyProxy([server.url], { dropRequest: 0.3, dropResponse: 0.3 });
  try {
    const lossy = await deliver(dir, 'lossy', proxy.url, team.tokens.ann1, lossyRefs);
    figures.lossy_seconds = round(lossy.seconds);
    figures.lossy_sets_per_s = round(SETS / lossy.seconds);
    figures.lossy_client_requests = lossy.requests;
    figures.lossy_retries = lossy.retries;
    figures.lossy_dropped_requests = proxy.stats.droppedRequests;
    figures.lossy_dropped_responses = proxy.stats.droppedResponses;
    figures.lossy_delivered = lossy.delivered;
    figures.lossy_left_pending = lossy.pending;
    figures.seed_10k_submits_seconds = round(lossy.seedSeconds);
    const clean = await deliver(dir, 'clean', server.url, team.tokens.ann1, cleanRefs);
    figures.clean_seconds = round(clean.seconds);
    figures.clean_sets_per_s = round(SETS / clean.seconds);
    figures.clean_client_requests = clean.requests;
  } finally {
    await proxy.close();
    await server.stop();
  }
  const check = await openDb(opened.target);
  const versions = await versionsPerClip(check);
  await check.close();
  await opened.dispose();
  const counts = [...lossyRefs, ...cleanRefs].map((ref) => versions.get(ref) ?? 0);
  figures.sets_stored_exactly_once = counts.filter((n) => n === 1).length;
  figures.sets_duplicated = counts.filter((n) => n > 1).length;
  figures.sets_missing = counts.filter((n) => n === 0).length;

  // PostgreSQL: two server processes behind one clean round-robin link.
  const pgServer = await startTestPostgres();
  try {
    const pgDb = await openDb({ databaseUrl: pgServer.url });
    await migrateServerDb(pgDb);
    const pgTeam = await seedTeam(pgDb);
    const pgRefs = Array.from({ length: SETS }, (_, i) => clipRefOf(`bench-pg-${i}`));
    const loadRefs = Array.from({ length: SETS }, (_, i) => clipRefOf(`bench-load-${i}`));
    await bulkAssign(pgDb, {
      projectId: pgTeam.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
      clipRefs: [...pgRefs, ...loadRefs],
    });
    const servers = await Promise.all([
      spawnServer({ databaseUrl: pgServer.url }),
      spawnServer({ databaseUrl: pgServer.url }),
    ]);
    const roundRobin = await startLossyProxy(
      servers.map((s) => s.url),
      { dropRequest: 0, dropResponse: 0 },
    );
    try {
      const two = await deliver(dir, 'two-servers', roundRobin.url, pgTeam.tokens.ann1, pgRefs);
      figures.pg_two_servers_seconds = round(two.seconds);
      figures.pg_two_servers_pushes_per_s = round(two.requests / two.seconds);
      const pgVersions = await versionsPerClip(pgDb);
      figures.pg_sets_stored_exactly_once = pgRefs.filter(
        (ref) => pgVersions.get(ref) === 1,
      ).length;
      // The servers' own capacity, without the workstation's per-delivery SQLite commit:
      // HTTP pushes straight from this process, LOAD_CONCURRENCY in flight, alternating servers.
      const load = await pushLoad(
        servers.map((s) => s.url),
        pgTeam.tokens.ann1,
        loadRefs,
      );
      figures.pg_two_servers_direct_pushes_per_s = round(SETS / load.seconds);
      figures.pg_two_servers_direct_concurrency = LOAD_CONCURRENCY;
      figures.pg_two_servers_direct_failed = load.failed;
    } finally {
      await roundRobin.close();
      await Promise.all(servers.map((s) => s.stop()));
      await pgDb.close();
    }
  } finally {
    await pgServer.stop();
  }
  return figures;
}

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendAudit, verifyAudit, type AuditEntry } from '../src/server/audit';
import { openDb, type Db } from '../src/server/db/Db';
import { migrateServerDb } from '../src/server/db/migrations';
import { startTestPostgres } from '../tests/integration/server/postgresForTests';

const ENTRIES = 100_000;
/** Appends timed one per transaction, as every server action makes them. */
const SINGLE_APPENDS = 2_000;
const BATCH = 1_000;

function entry(i: number): AuditEntry {
  return {
    actor: `user-${i % 50}`,
    action: 'set.push',
    projectId: 'bench-project',
    clipRef: (i % 5000).toString(16).padStart(64, '0'),
    setId: `set-${i % 5000}`,
    revision: 1 + Math.floor(i / 5000),
    details: { labelsSha256: i.toString(16).padStart(64, 'a'), baseRevision: i % 7 },
  };
}

const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/**
 * The server audit trail on one backend: appends per second one per transaction (with the advisory
 * lock and head update each takes), from `concurrency` writers at once; then the log filled to
 * 100,000 entries and `verifyAudit` timed over all of it.
 */
async function measure(
  db: Db,
  prefix: string,
  concurrency: number,
): Promise<Record<string, number>> {
  await migrateServerDb(db);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < SINGLE_APPENDS) {
        const i = next++;
        await db.transaction((tx) => appendAudit(tx, [entry(i)]));
      }
    }),
  );
  const singleSeconds = (performance.now() - started) / 1000;
  for (let i = SINGLE_APPENDS; i < ENTRIES; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, ENTRIES - i) }, (_, k) => entry(i + k));
    await db.transaction((tx) => appendAudit(tx, batch));
  }
  const verifyStarted = performance.now();
  const verdict = await verifyAudit(db);
  const verifySeconds = (performance.now() - verifyStarted) / 1000;
  if (!verdict.ok || verdict.entries !== ENTRIES) {
    throw new Error(`audit bench: verify failed on ${prefix}: ${JSON.stringify(verdict)}`);
  }
  return {
    [`${prefix}_appends_per_s`]: round(SINGLE_APPENDS / singleSeconds),
    [`${prefix}_append_writers`]: concurrency,
    [`${prefix}_verify_entries`]: verdict.entries,
    [`${prefix}_verify_seconds`]: round(verifySeconds, 2),
    [`${prefix}_verify_entries_per_s`]: round(verdict.entries / verifySeconds, 0),
  };
}

export async function runAuditBench(workDir: string): Promise<Record<string, number>> {
  const dataDir = join(workDir, 'audit-pglite');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const pglite = await openDb({ dataDir });
  let figures: Record<string, number>;
  try {
    figures = await measure(pglite, 'pglite', 1);
  } finally {
    await pglite.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const pgServer = await startTestPostgres();
  const pg = await openDb({ databaseUrl: pgServer.url });
  try {
    // Eight writers contend for the one lock, as concurrent requests do.
    figures = { ...figures, ...(await measure(pg, 'pg', 8)) };
  } finally {
    await pg.close();
    await pgServer.stop();
  }
  return { entries: ENTRIES, single_appends_timed: SINGLE_APPENDS, ...figures };
}

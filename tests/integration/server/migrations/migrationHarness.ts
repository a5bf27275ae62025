import { rmSync } from 'node:fs';
import { onTestFinished } from 'vitest';
import { openDb, type Db } from '../../../../src/server/db/Db';
import { migrateServerDb, serverMigrations } from '../../../../src/server/db/migrations';
import type { Backend } from '../serverHarness';
import { freshPgliteDir } from '../../../support/pgliteTemplate';
import { startTestPostgres } from '../postgresForTests';

export type MigrationFixture = {
  db: Db;
  /** The highest version `schema_migrations` records. */
  version(): Promise<number>;
  /** Runs the real migrations from the database's version up to `version`; returns those run. */
  migrateTo(version: number): Promise<number[]>;
};

/**
 * An empty database of `backend` at schema `version`, closed and removed when the test finishes.
 * A migration's test is then: `databaseAt(backend, N - 1)`, insert rows written against that
 * version's schema, `migrateTo(N)`, assert the rows.
 */
export async function databaseAt(backend: Backend, version: number): Promise<MigrationFixture> {
  let db: Db;
  if (backend === 'postgres') {
    const pgServer = await startTestPostgres();
    db = await openDb({ databaseUrl: pgServer.url });
    onTestFinished(async () => {
      await db.close();
      await pgServer.stop();
    });
  } else {
    const dataDir = await freshPgliteDir('fw-server-migration-');
    db = await openDb({ dataDir });
    onTestFinished(async () => {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
  }
  const migrateTo = (target: number) => migrateServerDb(db, serverMigrations.slice(0, target));
  await migrateTo(version);
  return {
    db,
    migrateTo,
    version: async () => {
      const rows = await db.query<{ version: number | null }>(
        'SELECT max(version) AS version FROM schema_migrations',
      );
      return rows[0]?.version ?? 0;
    },
  };
}

export const sha = (name: string): string => name.repeat(64).slice(0, 64);

/** Clip references: 64 hex digits, readable in a failure. */
export const CLIP_KEPT = sha('a');
export const CLIP_WITHDRAWN = sha('b');

/**
 * A populated version-1 database: a team, a project, two clips each assigned with a pushed and
 * reviewed set, an idempotency key, a withdrawn clip (as the old withdrawal left it: labels gone,
 * rows kept) and events. Every later version's tables still accept these rows unchanged.
 */
export async function seedV1(db: Db): Promise<void> {
  await db.exec(/* sql */ `
    INSERT INTO users (id, name, role) VALUES
      ('u-ann', 'ann', 'annotator'), ('u-rev', 'rev', 'reviewer'), ('u-lead', 'lead', 'lead');
    INSERT INTO api_tokens (id, user_id, token_sha256) VALUES ('t-1', 'u-ann', '${sha('c')}');
    INSERT INTO projects (id, name, lead_id) VALUES ('p-1', 'kitchens', 'u-lead');
    INSERT INTO assignments (id, project_id, clip_ref, annotator_id, reviewer_id) VALUES
      ('as-kept', 'p-1', '${CLIP_KEPT}', 'u-ann', 'u-rev'),
      ('as-gone', 'p-1', '${CLIP_WITHDRAWN}', 'u-ann', 'u-rev');
    INSERT INTO annotation_sets (id, assignment_id, status, revision, labels) VALUES
      ('s-kept', 'as-kept', 'changes_requested', 2, '{"tracks":[],"segments":[],"contacts":[],"v":"kept-labels"}'),
      ('s-gone', 'as-gone', 'changes_requested', 2, NULL);
    INSERT INTO set_versions (set_id, revision, labels, pushed_by) VALUES
      ('s-kept', 1, '{"tracks":[],"segments":[],"contacts":[],"v":"kept-labels"}', 'u-ann');
    INSERT INTO reviews (id, set_id, reviewer_id, verdict, revision, comments) VALUES
      ('r-kept', 's-kept', 'u-rev', 'request_changes', 2, '[{"id":"c-1","text":"kept comment"}]'),
      ('r-gone', 's-gone', 'u-rev', 'request_changes', 2, '[]');
    INSERT INTO idempotency_keys (user_id, key, request_sha256, status_code, response) VALUES
      ('u-ann', 'key-kept', '${sha('d')}', 200, '{"setId":"s-kept"}'),
      ('u-ann', 'key-gone', '${sha('e')}', 409,
       '{"error":{"code":"STALE_REVISION","current":{"setId":"s-gone","clipRef":"${CLIP_WITHDRAWN}","labels":{"v":"gone-labels"}}}}');
    INSERT INTO consent_withdrawals (clip_ref, reason) VALUES ('${CLIP_WITHDRAWN}', 'asked');
    INSERT INTO events (user_id, kind, payload) VALUES
      ('u-ann', 'assigned', '{"assignmentId":"as-gone","clipRef":"${CLIP_WITHDRAWN}","projectId":"p-1","as":"annotator"}'),
      ('u-ann', 'review', '{"setId":"s-kept","clipRef":"${CLIP_KEPT}","comments":[{"text":"kept comment"}]}'),
      ('u-ann', 'review', '{"setId":"s-gone","clipRef":"${CLIP_WITHDRAWN}","comments":[{"text":"gone comment"}]}'),
      ('u-ann', 'consent_withdrawn', '{"clipRef":"${CLIP_WITHDRAWN}","reason":"asked"}');
  `);
}

/** Adds version-2 rows: a reason on the kept review, a resolution on each set, a double mark. */
export async function seedV2(db: Db): Promise<void> {
  await db.exec(/* sql */ `
    UPDATE reviews SET reason = 'kept reason' WHERE id = 'r-kept';
    UPDATE reviews SET reason = 'gone reason' WHERE id = 'r-gone';
    INSERT INTO comment_resolutions (set_id, comment_id, resolved_by) VALUES
      ('s-kept', 'c-1', 'u-ann'), ('s-gone', 'c-9', 'u-ann');
    INSERT INTO double_annotation (clip_ref, project_id, first_assignment_id, second_assignment_id)
    VALUES ('${CLIP_WITHDRAWN}', 'p-1', 'as-gone', 'as-gone');
  `);
}

/** Adds a version-4 row: the lead's consent record for both clips. */
export async function seedV4(db: Db): Promise<void> {
  const consent = JSON.stringify({ id: 'consent-1', scope: ['training'] });
  await db.query(
    `INSERT INTO consent_records (clip_ref, consent, recorded_by) VALUES ($1, $3::jsonb, 'lead'),
     ($2, $3::jsonb, 'lead')`,
    [CLIP_KEPT, CLIP_WITHDRAWN, consent],
  );
}

/** Row counts of every table but the migrations' own, for "nothing else changed" checks. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
       AND table_name <> 'schema_migrations' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

/** Every row of every table as text, for "this value is nowhere" checks. */
export async function allRowsAsText(db: Db): Promise<string> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const texts: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = await db.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
    texts.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  return texts.join('\n');
}

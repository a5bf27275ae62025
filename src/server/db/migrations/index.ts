/**
 * The server schema's history, oldest first; `schema_migrations` records which have run. The same
 * SQL runs on PostgreSQL and PGlite. Each runs in its own transaction under an advisory lock, so
 * two server processes starting together over one PostgreSQL do not both apply it.
 *
 * To change the schema:
 * 1. Add `NNN_what_changes.ts` beside `001_initial.ts`, exporting `migrationNNN: ServerMigration`
 *    with `version: NNN` (the next number). Never edit, rename or reorder one that has shipped:
 *    servers record `version` and `name` and skip what they ran (until issue #14 the four first
 *    lived in one `migrations.ts`; their text moved here unchanged, which a test checks).
 * 2. Append it to `serverMigrations` below.
 * 3. Add `tests/integration/server/migrations/migration_NNN.test.ts`: `databaseAt(backend, NNN - 1)`
 *    from `migrationHarness.ts` builds a database at the previous version, seed it with rows,
 *    `migrateTo(NNN)`, then assert the rows survived and the new schema works, on PGlite and
 *    PostgreSQL.
 * 4. Add any new table to `src/server/tableOwners.ts`.
 *
 * audit_log's triggers refuse UPDATE, DELETE and TRUNCATE, so change that table with
 * `ALTER TABLE ... ADD COLUMN`, never by rewriting its rows.
 */
import type { Db } from '../Db';
import { migration001 } from './001_initial';
import { migration002 } from './002_review_workflow';
import { migration003 } from './003_audit_log';
import { migration004 } from './004_consent_records';
import { migration005 } from './005_withdrawn_sets';
import { migration006 } from './006_team_sets';
import { migration007 } from './007_admin_role';
import { migration008 } from './008_labels_as_json';
import { migration009 } from './009_clip_delivery';
import { migration010 } from './010_team_set_sizes';
import { runServerMigrations } from './runServerMigrations';
import type { ServerMigration } from './ServerMigration';

export type { ServerMigration } from './ServerMigration';

export const serverMigrations: readonly ServerMigration[] = [
  migration001,
  migration002,
  migration003,
  migration004,
  migration005,
  migration006,
  migration007,
  migration008,
  migration009,
  migration010,
];

export const LATEST_SERVER_SCHEMA: number = serverMigrations.length;

/** Applies the migrations `db` has not run yet (of `migrations`, all by default), in order. */
export function migrateServerDb(
  db: Db,
  migrations: readonly ServerMigration[] = serverMigrations,
): Promise<number[]> {
  return runServerMigrations(db, migrations);
}

/**
 * The schema's history, oldest first; `PRAGMA user_version` records how far a file has come.
 *
 * To change the schema:
 * 1. Add `NNN_what_changes.ts` beside `001_initial.ts`, exporting `migrationNNN: Migration` with
 *    `version: NNN` (the next number) and an `up(db)` that makes the change. It runs in its own
 *    transaction with foreign keys off, so SQLite's table-rebuild recipe (create `x_new`, copy,
 *    drop, rename) works; the runner checks `foreign_key_check` before it commits.
 * 2. Append it to `migrations` below. Never edit or reorder a migration that has shipped.
 * 3. Add `tests/integration/db/migration_NNN.test.ts`: `databaseAt(NNN - 1, seedSql)` from
 *    `migrationHarness.ts` builds a populated file at the previous version, `migrateTo(NNN)` runs
 *    yours, then assert the rows survived and read back through `openWorkstationDb`.
 * 4. Update the row mapping in `sqliteStore.ts` if columns changed.
 *
 * audit_log's triggers forbid UPDATE and DELETE on it, so change that table with
 * `ALTER TABLE ... ADD COLUMN`, or drop the triggers for the rebuild and recreate them.
 */
import type { Migration } from './Migration';
import { migration001 } from './001_initial';
import { migration002 } from './002_proxies';
import { migration003 } from './003_labels';
import { migration004 } from './004_edit_ids_workspace';
import { migration005 } from './005_sync';
import { migration006 } from './006_governance';
import { migration007 } from './007_withdrawal_by_checksum';
import { migration008 } from './008_review';
import { migration009 } from './009_double_annotation_sets';
import { migration010 } from './010_server_consents';
import { migration011 } from './011_review_sets';
import { migration012 } from './012_team_sets';
import { migration013 } from './013_face_regions';
import { migration014 } from './014_team_sets_unchecked_labels';

export type { Migration } from './Migration';

export const migrations: readonly Migration[] = [
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
  migration011,
  migration012,
  migration013,
  migration014,
];

export const LATEST_SCHEMA_VERSION: number = migrations.length;

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import { migrations } from '../../../src/main/services/db/migrations';
import type { Migration } from '../../../src/main/services/db/migrations';
import {
  readUserVersion,
  runMigrations,
} from '../../../src/main/services/db/migrations/runMigrations';

/** A fresh folder for this test, removed when it finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-store-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type MigrationFixture = {
  /** The database file, for reopening it with `openStore` once `close()` has run. */
  file: string;
  /** A raw connection with foreign keys on, as the app has them. */
  db: Database.Database;
  userVersion(): number;
  /** Runs the real migrations from the file's version up to `version`. */
  migrateTo(version: number): void;
  close(): void;
};

/**
 * A database file at schema `version` holding `seedSql` (written against that version's schema),
 * closed and removed when the test finishes. A migration's test is then: `databaseAt(N - 1, seed)`,
 * `migrateTo(N)`, assert the rows.
 */
export function databaseAt(
  version: number,
  seedSql = '',
  list: readonly Migration[] = migrations,
): MigrationFixture {
  const file = join(tempDir(), 'framewise.sqlite');
  const db = new Database(file);
  onTestFinished(() => {
    if (db.open) db.close();
  });
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  runMigrations(db, list, version);
  if (seedSql !== '') db.exec(seedSql);
  return {
    file,
    db,
    userVersion: () => readUserVersion(db),
    migrateTo: (target) => {
      runMigrations(db, list, target);
    },
    close: () => db.close(),
  };
}

export function tableNames(db: Database.Database): string[] {
  return db
    .prepare<[], string>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all();
}

export function columnNames(db: Database.Database, table: string): string[] {
  return db
    .prepare<[string], string>('SELECT name FROM pragma_table_info(?) ORDER BY cid')
    .pluck()
    .all(table);
}

export function integrityCheck(db: Database.Database): string {
  return String(db.pragma('integrity_check', { simple: true }));
}

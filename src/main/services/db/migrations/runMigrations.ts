import type { Database } from 'better-sqlite3';
import { StoreError } from '../../store/storeError';
import type { Migration } from './Migration';

export function readUserVersion(db: Database): number {
  const version = db.pragma('user_version', { simple: true });
  if (typeof version !== 'number') throw new Error('PRAGMA user_version did not return a number');
  return version;
}

export function databaseTooNew(file: string, version: number, latest: number): StoreError {
  return new StoreError(
    'DATABASE_TOO_NEW',
    `${file} was written by a newer version of Framewise (schema ${version}; this version ` +
      `knows up to ${latest}). Update Framewise to open it; this version has left the file untouched.`,
  );
}

/**
 * Brings `db` from its `user_version` up to `upTo`, one transaction per migration, so a crash
 * or a failing migration leaves the file at the last version that completed.
 * Returns the versions before and after.
 */
export function runMigrations(
  db: Database,
  migrations: readonly Migration[],
  upTo: number = migrations.length,
): { from: number; to: number } {
  for (const [index, migration] of migrations.entries()) {
    if (migration.version !== index + 1) {
      throw new Error(
        `Migration ${migration.name} is at position ${index + 1} but says ${migration.version}`,
      );
    }
  }
  if (!Number.isInteger(upTo) || upTo < 0 || upTo > migrations.length) {
    throw new RangeError(
      `No migration to version ${upTo}; known versions are 0 to ${migrations.length}`,
    );
  }
  const from = readUserVersion(db);
  if (from > migrations.length) throw databaseTooNew(db.name, from, migrations.length);
  if (from >= upTo) return { from, to: from };

  // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched around the loop.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of migrations.slice(from, upTo)) {
      // IMMEDIATE takes the write lock first, then re-reads the version, so two processes opening
      // the same file at once do not both run a migration.
      db.transaction(() => {
        if (readUserVersion(db) >= migration.version) return;
        migration.up(db);
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) {
          throw new Error(
            `Migration ${migration.version} (${migration.name}) left ${violations.length} foreign-key violations`,
          );
        }
        db.pragma(`user_version = ${migration.version}`);
      }).immediate();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return { from, to: readUserVersion(db) };
}

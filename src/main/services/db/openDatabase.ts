import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations, LATEST_SCHEMA_VERSION } from './migrations';
import { databaseTooNew, readUserVersion, runMigrations } from './migrations/runMigrations';
import { StoreError } from '../store/storeError';

export type OpenDatabaseOptions = {
  readonly?: boolean;
  /** A better-sqlite3 build for another ABI (Electron's), while Node keeps the default one. */
  nativeBinding?: string;
};

/** How long a writer waits for another connection's lock before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens the workstation database and brings it to the current schema: WAL so readers never block
 * the writer, `synchronous=FULL` so a committed annotation survives a power cut, foreign keys on.
 * Refuses, without writing to it, a file from a newer Framewise. A read-only connection is never
 * migrated: it refuses a file that still needs one.
 */
export function openDatabase(
  filePath: string,
  options: OpenDatabaseOptions = {},
): Database.Database {
  const readonly = options.readonly ?? false;
  if (readonly) {
    if (!existsSync(filePath)) {
      throw new StoreError('DATABASE_NOT_FOUND', `There is no Framewise database at ${filePath}.`);
    }
  } else {
    mkdirSync(dirname(filePath), { recursive: true });
  }
  const db = new Database(filePath, {
    readonly,
    fileMustExist: readonly,
    timeout: BUSY_TIMEOUT_MS,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    const version = readUserVersion(db);
    if (version > LATEST_SCHEMA_VERSION) {
      throw databaseTooNew(filePath, version, LATEST_SCHEMA_VERSION);
    }
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (readonly) {
      if (version < LATEST_SCHEMA_VERSION) {
        throw new StoreError(
          'DATABASE_NEEDS_MIGRATION',
          `${filePath} is at schema ${version} and needs upgrading to ${LATEST_SCHEMA_VERSION}; ` +
            'open it once with Framewise (not read-only) first.',
        );
      }
    } else {
      runMigrations(db, migrations);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

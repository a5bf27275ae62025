import { createHash } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { openDb } from '../../src/server/db/Db';
import { migrateServerDb, serverMigrations } from '../../src/server/db/migrations';
import { cachedPgliteFolder, copyOf, freshPgliteDir, pgliteVersion } from './pgliteTemplate';

/**
 * A PGlite data folder already at the server's latest schema, for a test that seeds a team and
 * starts a server on it: a copy of one folder migrated earlier, so the test pays a file copy
 * instead of running every migration in its own PGlite (over a second of CPU, several seconds of
 * wall on a busy machine; a spec starting four servers paid it four times). The server still checks
 * `schema_migrations` when it opens the folder and finds nothing to run. Tests of the migrations
 * themselves (tests/integration/server/migrations) and of a first start on an empty folder
 * (serverCli.test.ts) keep making their own.
 *
 * The template is named by the PGlite version and a hash of every migration's version, name and
 * SQL: a changed or added migration makes a new one, never a stale copy.
 */
export async function freshMigratedPgliteDir(prefix: string): Promise<string> {
  return copyOf(await migratedTemplate(), prefix);
}

let made: Promise<string> | null = null;

function migratedTemplate(): Promise<string> {
  const schema = createHash('sha256');
  for (const migration of serverMigrations) {
    schema.update(`${migration.version}\0${migration.name}\0${migration.sql}\0`);
  }
  const name = `framewise-pglite-migrated-${pgliteVersion()}-${schema.digest('hex').slice(0, 16)}`;
  made ??= cachedPgliteFolder(name, async (staging) => {
    const migrating = await freshPgliteDir('fw-pglite-migrating-');
    try {
      const db = await openDb({ dataDir: migrating });
      try {
        await migrateServerDb(db);
      } finally {
        await db.close();
      }
      cpSync(migrating, staging, { recursive: true });
    } finally {
      rmSync(migrating, { recursive: true, force: true });
    }
  });
  return made;
}

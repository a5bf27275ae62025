import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDb } from '../../src/server/db/Db';
import { migrateServerDb, serverMigrations } from '../../src/server/db/migrations';
import { freshPgliteDir } from './pgliteTemplate';

const pglitePackage = resolve(
  import.meta.dirname,
  '../../node_modules/@electric-sql/pglite/package.json',
);

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
 * SQL: a changed or added migration makes a new one, never a stale copy. It is made once per user
 * in the temp folder and shared by every test process; callers racing to make it each build one
 * and the first rename wins.
 */
export async function freshMigratedPgliteDir(prefix: string): Promise<string> {
  const template = await migratedTemplate();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

let made: Promise<string> | null = null;

function migratedTemplate(): Promise<string> {
  made ??= makeTemplate();
  return made;
}

async function makeTemplate(): Promise<string> {
  const { version } = JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string };
  const schema = createHash('sha256');
  for (const migration of serverMigrations) {
    schema.update(`${migration.version}\0${migration.name}\0${migration.sql}\0`);
  }
  const user = process.getuid?.() ?? 'user';
  const cache = process.env.FRAMEWISE_TEST_CACHE_DIR ?? tmpdir();
  const key = `${version}-${schema.digest('hex').slice(0, 16)}-${user}`;
  const template = join(cache, `framewise-pglite-migrated-${key}`);
  // The folder appears only by rename, complete: present means usable.
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const migrating = await freshPgliteDir('fw-pglite-migrating-');
  // Staged beside the template, so the rename stays on one file system.
  const staging = `${template}.${randomBytes(4).toString('hex')}`;
  try {
    const db = await openDb({ dataDir: migrating });
    try {
      await migrateServerDb(db);
    } finally {
      await db.close();
    }
    cpSync(migrating, staging, { recursive: true });
    renameSync(staging, template);
  } catch (error) {
    // Another process renamed its own first (rename onto a non-empty folder fails): use that.
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(migrating, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
  return template;
}

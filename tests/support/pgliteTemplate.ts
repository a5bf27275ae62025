import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const pglitePackage = resolve(
  import.meta.dirname,
  '../../node_modules/@electric-sql/pglite/package.json',
);

/**
 * A new, empty PGlite data folder for a test: a copy of one cluster `initdb` made earlier, so the
 * test pays a file copy (tens of ms) instead of PGlite's initdb (about 4.5 s of CPU in its wasm
 * Postgres, more than most server tests spend on what they check). The copy is what initdb left,
 * untouched: the server opens and migrates it as it would a folder of its own. Tests of a server's
 * very first start on an empty folder (serverCli.test.ts) keep making their own.
 *
 * The template is made once per PGlite version and user, in the temp folder, and shared by every
 * test process; several first callers at once each build one and the first rename wins.
 */
export async function freshPgliteDir(prefix: string): Promise<string> {
  const template = await pgliteTemplate();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

let made: Promise<string> | null = null;

function pgliteTemplate(): Promise<string> {
  made ??= makeTemplate();
  return made;
}

async function makeTemplate(): Promise<string> {
  const { version } = JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string };
  const user = process.getuid?.() ?? 'user';
  // The system's temp folder, not the run's RAM folder (ramTempSetup.ts): kept across runs.
  const cache = process.env.FRAMEWISE_TEST_CACHE_DIR ?? tmpdir();
  const template = join(cache, `framewise-pglite-template-${version}-${user}`);
  // The folder appears only by rename, complete: present means usable.
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const staging = `${template}.${randomBytes(4).toString('hex')}`;
  try {
    const db = await PGlite.create(staging);
    await db.close();
    renameSync(staging, template);
  } catch (error) {
    // Another process renamed its own first (rename onto a non-empty folder fails): use that.
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return template;
}

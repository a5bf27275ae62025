import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const pglitePackage = resolve(
  import.meta.dirname,
  '../../node_modules/@electric-sql/pglite/package.json',
);

/** The installed PGlite's version: a template made by another version is not used. */
export function pgliteVersion(): string {
  return (JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string }).version;
}

/**
 * A new, empty PGlite data folder for a test: a copy of one cluster `initdb` made earlier, so the
 * test pays a file copy (tens of ms) instead of PGlite's initdb (about 4.5 s of CPU in its wasm
 * Postgres, more than most server tests spend on what they check). The copy is what initdb left,
 * untouched: the server opens and migrates it as it would a folder of its own. Tests of a server's
 * very first start on an empty folder (serverCli.test.ts) keep making their own.
 */
export async function freshPgliteDir(prefix: string): Promise<string> {
  return copyOf(await pgliteTemplate(), prefix);
}

/** A new temp folder holding a copy of `template`. */
export function copyOf(template: string, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

let made: Promise<string> | null = null;

function pgliteTemplate(): Promise<string> {
  made ??= cachedPgliteFolder(`framewise-pglite-template-${pgliteVersion()}`, async (staging) => {
    const db = await PGlite.create(staging);
    await db.close();
  });
  return made;
}

/**
 * The PGlite data folder `name`, made by `build` once per user and kept in the temp folder
 * across runs, shared by every test process. The name must say everything the contents depend
 * on (the PGlite version, a hash of the migrations): a folder by that name is never made again.
 * Several first callers at once each build one and the first rename wins.
 */
export async function cachedPgliteFolder(
  name: string,
  build: (staging: string) => Promise<void>,
): Promise<string> {
  const user = process.getuid?.() ?? 'user';
  // The system's temp folder, not the run's RAM folder (ramTempSetup.ts): kept across runs.
  const cache = process.env.FRAMEWISE_TEST_CACHE_DIR ?? tmpdir();
  const folder = join(cache, `${name}-${user}`);
  // The folder appears only by rename, complete: present means usable.
  if (existsSync(join(folder, 'PG_VERSION'))) return folder;
  const staging = `${folder}.${randomBytes(4).toString('hex')}`;
  try {
    await build(staging);
    renameSync(staging, folder);
  } catch (error) {
    // Another process renamed its own first (rename onto a non-empty folder fails): use that.
    if (!existsSync(join(folder, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return folder;
}

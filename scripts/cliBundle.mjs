// Where the CLI bundle lives and whether it still matches the sources. Loaded by bin/*.mjs on every
// start, so it reads one small JSON file and stats the sources it lists: no esbuild, no tsx.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bundleDir = join(appRoot, 'out', 'cli');
export const manifestPath = join(bundleDir, 'manifest.json');

/**
 * True when out/cli was built after the last change to every source file it was built from
 * (esbuild's metafile lists them, with this folder's build script). A git checkout or an edit
 * moves a source's mtime past the build's start, so the bundle is stale until rebuilt.
 */
export function bundleIsCurrent(root = appRoot) {
  const manifestFile = join(root, 'out', 'cli', 'manifest.json');
  // The build writes the manifest last, by rename: present means the whole bundle is there.
  if (!existsSync(manifestFile)) return false;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  return manifest.inputs.every((input) => {
    const stats = statSync(join(root, input), { throwIfNoEntry: false });
    return stats !== undefined && stats.mtimeMs <= manifest.builtAt;
  });
}

/**
 * The CLI `name`'s module: the bundle when it is current; otherwise, in a source checkout with
 * tsx installed, the TypeScript entry run through tsx (seconds per start instead of
 * milliseconds), saying so on stderr so stdout stays the command's own.
 * FRAMEWISE_CLI_FROM_SOURCE=1 asks for the sources without the note (benchmarks, debugging).
 */
export async function loadCli(name, sourceEntry) {
  const fromSource = process.env.FRAMEWISE_CLI_FROM_SOURCE === '1';
  if (!fromSource && bundleIsCurrent()) {
    return import(pathToFileURL(join(bundleDir, `${name}.js`)).href);
  }
  const source = join(appRoot, sourceEntry);
  const tsx = existsSync(source) ? await importTsx() : null;
  if (tsx === null) {
    process.stderr.write(
      `${name}: the built CLI in ${bundleDir} is missing or out of date; run \`npm run build:cli\`.\n`,
    );
    process.exit(1);
  }
  if (!fromSource) {
    const why = existsSync(manifestPath)
      ? 'the sources changed since the last `npm run build:cli`'
      : 'the CLI is not built (`npm run build:cli`)';
    process.stderr.write(`${name}: ${why}; running the sources through tsx (slower start).\n`);
  }
  tsx.register();
  return import(pathToFileURL(source).href);
}

/** tsx is a devDependency: an install without them (`--omit=dev`) has only the bundle. */
async function importTsx() {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw error;
  }
}

#!/usr/bin/env node
// Bundles the `framewise` and `framewise-server` CLIs into out/cli with esbuild, once, at install
// (package.json's postinstall) and with `npm run build`, so a start runs plain JavaScript instead
// of compiling TypeScript through tsx every time (issue #14: 1.3–2.1 s → tens of ms).
//
// - ESM with code splitting: each command's modules are a chunk its `import()` loads, so
//   `--help` reads the dispatcher alone.
// - Packages stay external, resolved from node_modules at run time as before: better-sqlite3's
//   native addon, the ffmpeg/ffprobe installers' binaries, PGlite's and tfjs's wasm files are
//   found beside their own package, never copied.
// - Chunks sit flat in out/cli beside the entries, so code that finds files from its own
//   module (the pose worker's `poseWorker.js`, resources/models, package.json) sees one folder.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { appRoot, bundleDir } from './cliBundle.mjs';

const entryPoints = {
  framewise: 'src/main/cli/main.ts',
  'framewise-server': 'src/server/cli.ts',
  // Started as a worker thread by PreannotationService, from the folder of its own chunk.
  poseWorker: 'src/main/services/preannotation/poseWorker.ts',
};

/** Builds out/cli; resolves with the number of source files bundled. */
export async function buildCliBundle() {
  // Taken before reading any source: an edit made during the build leaves the bundle stale.
  const builtAt = Date.now();
  const staging = `${bundleDir}.${randomBytes(4).toString('hex')}`;
  mkdirSync(staging, { recursive: true });
  try {
    const result = await build({
      absWorkingDir: appRoot,
      entryPoints,
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      packages: 'external',
      metafile: true,
      logLevel: 'warning',
    });
    const inputs = [
      ...Object.keys(result.metafile.inputs),
      relative(appRoot, fileURLToPath(import.meta.url)),
      'scripts/cliBundle.mjs',
    ];
    // Written last: bin/*.mjs treats a folder without it as no bundle.
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify({ builtAt, inputs }) + '\n');
    // Swapped in whole, so no start ever sees a mix of two builds' chunks.
    rmSync(bundleDir, { recursive: true, force: true });
    renameSync(staging, bundleDir);
    return inputs.length;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const files = await buildCliBundle();
  console.log(
    `CLI bundle: ${files} files into ${relative(process.cwd(), bundleDir) || '.'} in ${Date.now() - started} ms`,
  );
}

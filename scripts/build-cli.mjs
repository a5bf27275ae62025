#!/usr/bin/env node
// Bundles the `framewise` and `framewise-server` CLIs into out/cli with esbuild, once, at install
// (package.json's postinstall) and with `npm run build`, so a start runs plain JavaScript instead
// of compiling TypeScript through tsx every time (issue #14: 1.3–2.1 s → tens of ms).
//
// - ESM with code splitting: each command's modules are a chunk its `import()` loads, so
//   `--help` reads the dispatcher alone.
// - Packages stay external, resolved from node_modules at run time as before: better-sqlite3's
//   native addon, the ffmpeg/ffprobe installers' binaries, PGlite's and tfjs's wasm files are
//   found beside their own package, never copied. Only plain-JavaScript packages with no files
//   of their own to find are bundled, where that halves their load: zod is 124 files (70 ms of
//   CPU as modules, 35 ms as one chunk), and probe loads it.
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
  // Started as a worker thread by FaceScanService, likewise.
  faceWorker: 'src/main/services/faces/faceWorker.ts',
  // Started as worker threads by an export (both CLIs), likewise.
  labelTextWorker: 'src/node/export/labelTextWorker.ts',
};

/** Plain JavaScript, no native code, no files read beside themselves. */
const BUNDLED_PACKAGES = new Set(['zod', 'mp4box', 'csv-parse']);

/** Every other bare import (packages, `node:` builtins) is left for Node to resolve at run time. */
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const parts = args.path.split('/');
      const name = args.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      return BUNDLED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
    });
  },
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
      plugins: [externalPackages],
      metafile: true,
      logLevel: 'warning',
    });
    const inputs = [
      // Bundled packages change only with an install, which rebuilds.
      ...Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/')),
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

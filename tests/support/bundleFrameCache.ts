import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * The frame cache and nothing else of the renderer, as one script for the app's page, so the
 * cache spec and the player benchmark can drive it without a test hook in the shipped app.
 */
export async function bundleFrameCache(): Promise<string> {
  const entry = join(repoRoot, 'src/renderer/src/player/frameCache/index.ts');
  const result = await build({
    stdin: {
      contents: `import * as frameCache from ${JSON.stringify(entry)};\nglobalThis.framewiseFrameCache = frameCache;\n`,
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no bundle of the frame cache.');
  return output.text;
}

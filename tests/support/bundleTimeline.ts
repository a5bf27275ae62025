import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * The timeline engine (with Konva) and nothing else of the renderer, as one script for a blank
 * page, so the timeline benchmark can drive it without mounting the app.
 */
export async function bundleTimeline(): Promise<string> {
  const entry = join(repoRoot, 'src/renderer/src/labeling/timeline/timelineEngine.ts');
  const result = await build({
    stdin: {
      contents: `import * as timeline from ${JSON.stringify(entry)};\nglobalThis.framewiseTimeline = timeline;\n`,
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
  if (!output) throw new Error('esbuild produced no bundle of the timeline engine.');
  return output.text;
}

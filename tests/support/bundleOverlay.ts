import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * The overlay engine, the scene builder and the built-in templates as one script for a bare page
 * (`globalThis.framewiseOverlay`), so the overlay benchmark drives the real Konva engine without
 * the app around it.
 */
export async function bundleOverlay(): Promise<string> {
  const overlay = join(repoRoot, 'src/renderer/src/labeling/overlay');
  const labels = join(repoRoot, 'src/shared/domain/labels/projectSchema.ts');
  const result = await build({
    stdin: {
      contents: [
        `import { OverlayEngine } from ${JSON.stringify(join(overlay, 'overlayEngine.ts'))};`,
        `import { buildOverlayScene } from ${JSON.stringify(join(overlay, 'overlayScene.ts'))};`,
        `import { BUILT_IN_TEMPLATES } from ${JSON.stringify(labels)};`,
        'globalThis.framewiseOverlay = { OverlayEngine, buildOverlayScene, BUILT_IN_TEMPLATES };',
      ].join('\n'),
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
  if (!output) throw new Error('esbuild produced no bundle of the overlay.');
  return output.text;
}

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

/**
 * The Timeline and TaxonomyPicker components with React, for a spec that mounts them in a blank
 * page: `globalThis.framewiseTimelineUi` holds React's createElement, Profiler and createRoot and both
 * components.
 */
export async function bundleTimelineUi(): Promise<string> {
  const dir = join(repoRoot, 'src/renderer/src/labeling/timeline');
  const result = await build({
    stdin: {
      contents: [
        `import { createElement, Profiler } from 'react';`,
        `import { createRoot } from 'react-dom/client';`,
        `import { Timeline } from ${JSON.stringify(join(dir, 'Timeline.tsx'))};`,
        `import { TaxonomyPicker } from ${JSON.stringify(join(dir, 'TaxonomyPicker.tsx'))};`,
        `globalThis.framewiseTimelineUi = { createElement, Profiler, createRoot, Timeline, TaxonomyPicker };`,
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no bundle of the timeline components.');
  return output.text;
}

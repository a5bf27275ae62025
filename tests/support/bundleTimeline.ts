import { bundleForPage, fromRepo } from './pageBundle';

const TIMELINE = 'src/renderer/src/labeling/timeline';

/**
 * The timeline engine (with Konva) and nothing else of the renderer, as one script for a blank
 * page, so the timeline benchmark can drive it without mounting the app.
 */
export function bundleTimeline(): Promise<string> {
  return bundleForPage(
    `import * as timeline from ${fromRepo(`${TIMELINE}/timelineEngine.ts`)};\nglobalThis.framewiseTimeline = timeline;\n`,
    'the timeline engine',
  );
}

/**
 * The Timeline and TaxonomyPicker components with React, for a spec that mounts them in a blank
 * page: `globalThis.framewiseTimelineUi` holds React's createElement, Profiler and createRoot and
 * both components.
 */
export function bundleTimelineUi(): Promise<string> {
  return bundleForPage(
    [
      `import { createElement, Profiler } from 'react';`,
      `import { createRoot } from 'react-dom/client';`,
      `import { Timeline } from ${fromRepo(`${TIMELINE}/Timeline.tsx`)};`,
      `import { TaxonomyPicker } from ${fromRepo(`${TIMELINE}/TaxonomyPicker.tsx`)};`,
      `globalThis.framewiseTimelineUi = { createElement, Profiler, createRoot, Timeline, TaxonomyPicker };`,
    ].join('\n'),
    'the timeline components',
    { react: true },
  );
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { bundleTimeline } from '../tests/support/bundleTimeline';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../tests/support/systemChromium';

/**
 * The timeline (issue 4) in Chromium: a 30-minute clip at 30 fps (54,000 frames), 5,000 segments
 * over 3 actor rows and 5 tracks of 2,000 keyframe ticks, drawn at 1280×200. Measured while
 * scrolling across the whole clip at a mid zoom, while zooming from the whole clip to single
 * frames and back, and while the playhead plays. Target (PRODUCT.md): 60 fps, 16.7 ms a frame.
 *
 * Two figures per motion: `draw` is the engine's synchronous redraw after one step (the JavaScript
 * and canvas calls it costs); `frame` is the interval between animation frames when one step is
 * made per frame and the engine redraws as the app does (batched on the next frame), which also
 * counts rasterising and compositing; `draw_and_raster` forces the raster inside each step.
 */

const FRAME_BUDGET_MS = 1000 / 60;

export type TimelineBenchInput = {
  frameCount: number;
  segments: number;
  actors: number;
  tracks: number;
  ticksPerTrack: number;
  width: number;
  height: number;
  steps: number;
  /** Pixels per frame while scrolling: about a minute of video across the width. */
  scrollPixelsPerFrame: number;
};

const INPUT: TimelineBenchInput = {
  frameCount: 54_000,
  segments: 5_000,
  actors: 3,
  tracks: 5,
  ticksPerTrack: 2_000,
  width: 1280,
  height: 200,
  steps: 400,
  scrollPixelsPerFrame: 0.7,
};

export async function runTimelineBench(workDir: string): Promise<Record<string, number>> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS],
  });
  try {
    const script = await bundleTimeline();
    const page = await browser.newPage({ viewport: { width: 1400, height: 400 } });
    await page.setContent(
      `<!doctype html><body style="margin:0"><div id="timeline" style="width:${INPUT.width}px;height:${INPUT.height}px"></div></body>`,
    );
    // tsx compiles this file keeping function names, through a helper the page lacks.
    await page.addScriptTag({ content: `globalThis.__name ??= (f) => f;\n${script}` });
    const figures = await page.evaluate(pageBench, INPUT);
    // For eyes: what the last measured view looked like (playback at the scrolling zoom).
    mkdirSync(join(workDir, 'timeline'), { recursive: true });
    await page.locator('#timeline').screenshot({ path: join(workDir, 'timeline', 'playback.png') });
    const result: Record<string, number> = { ...figures };
    for (const [key, value] of Object.entries(figures)) {
      if (/_p(50|95)_ms$/.test(key)) {
        result[key.replace(/_ms$/, '_vs_16_7ms')] =
          Math.round((value / FRAME_BUDGET_MS) * 100) / 100;
      }
    }
    return result;
  } finally {
    await browser.close();
  }
}

/*
 * What follows runs in the page (Playwright serializes the function), so it may use only the page's
 * globals. This file is type-checked without the DOM library, hence the small structural types.
 */

type BenchSegment = {
  id: string;
  startFrame: number;
  endFrame: number;
  verbId: number | null;
  nounId: number | null;
  actor: string;
  note: string;
};
type Engine = {
  setData(data: unknown): void;
  setPlayhead(frame: number): void;
  zoomToFit(): void;
  zoom(factor: number, anchorX?: number): void;
  scrollToFrame(frame: number): void;
  drawNow(): void;
  viewState(): { pixelsPerFrame: number; firstVisibleFrame: number };
};
type TimelineModule = {
  TimelineEngine: new (
    container: unknown,
    events: Record<string, (...args: unknown[]) => void>,
  ) => Engine;
  MAX_PIXELS_PER_FRAME?: number;
};
type PageGlobals = {
  framewiseTimeline: TimelineModule;
  document: {
    getElementById(id: string): unknown;
    querySelectorAll(selector: string): Iterable<{
      getContext(
        kind: '2d',
      ): { getImageData(x: number, y: number, w: number, h: number): unknown } | null;
    }>;
  };
  performance: { now(): number };
  requestAnimationFrame(callback: (time: number) => void): number;
};

async function pageBench(input: TimelineBenchInput): Promise<Record<string, number>> {
  const page = globalThis as unknown as PageGlobals;
  const { performance } = page;
  const percentile = (values: readonly number[], p: number): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const at = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return Math.round((sorted[at] ?? NaN) * 100) / 100;
  };
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };

  // Segments laid end to end with gaps in each row, a fifth of them still unlabeled.
  const segments: BenchSegment[] = [];
  const perRow = Math.ceil(input.segments / input.actors);
  const slot = Math.floor(input.frameCount / perRow);
  for (let a = 0; a < input.actors; a++) {
    for (let i = 0; i < perRow && segments.length < input.segments; i++) {
      const start = i * slot + rand(Math.floor(slot / 4));
      const end = Math.min(
        input.frameCount - 1,
        start + Math.floor(slot / 3) + rand(Math.floor(slot / 2)),
      );
      const labeled = rand(5) !== 0;
      segments.push({
        id: `a${a}-s${i}`,
        startFrame: start,
        endFrame: end,
        verbId: labeled ? rand(97) : null,
        nounId: labeled ? rand(300) : null,
        actor: `actor${a}`,
        note: '',
      });
    }
  }
  segments.sort((x, y) => x.startFrame - y.startFrame || x.endFrame - y.endFrame);
  const palette = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2'];
  const keyframeTicks = Array.from({ length: input.tracks }, (_, t) => {
    const frames = new Set<number>();
    while (frames.size < input.ticksPerTrack) frames.add(rand(input.frameCount));
    return {
      trackId: `track${t}`,
      label: `person ${t + 1}`,
      color: palette[t % palette.length] ?? '#888888',
      frames: [...frames].sort((x, y) => x - y),
    };
  });
  const rows = Array.from({ length: input.actors }, (_, a) => ({
    id: `actor${a}`,
    label: `actor ${a + 1}`,
    color: palette[a % palette.length] ?? '#888888',
  }));
  const data = {
    frameCount: input.frameCount,
    fps: 30,
    rows,
    segments,
    keyframeTicks,
    selectedSegmentId: segments[Math.floor(segments.length / 2)]?.id ?? null,
    labelOf: (s: BenchSegment) =>
      s.verbId === null ? '' : `verb${s.verbId} noun${s.nounId ?? ''}`,
  };

  const container = page.document.getElementById('timeline');
  const noop = () => undefined;
  const engine = new page.framewiseTimeline.TimelineEngine(container, {
    seek: noop,
    select: noop,
    command: noop,
    requestLabel: noop,
  });
  const figures: Record<string, number> = {
    frames: input.frameCount,
    segments: segments.length,
    keyframe_ticks: input.tracks * input.ticksPerTrack,
  };
  const setDataStarted = performance.now();
  engine.setData(data);
  engine.drawNow();
  figures.set_data_and_first_draw_ms = Math.round((performance.now() - setDataStarted) * 100) / 100;

  const nextFrame = () => new Promise<number>((done) => page.requestAnimationFrame(done));
  /** One step per animation frame; returns the intervals between frames. */
  const perFrame = async (steps: number, step: (i: number) => void): Promise<number[]> => {
    const intervals: number[] = [];
    let last = await nextFrame();
    for (let i = 0; i < steps; i++) {
      step(i);
      const now = await nextFrame();
      intervals.push(now - last);
      last = now;
    }
    // The last step's draw runs in the frame after it; wait for it to land.
    await nextFrame();
    return intervals;
  };
  /** Each step followed by a forced redraw; returns the time of each. */
  const synchronous = (steps: number, step: (i: number) => void): number[] => {
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const began = performance.now();
      step(i);
      engine.drawNow();
      times.push(performance.now() - began);
    }
    return times;
  };
  const record = (name: string, draw: number[], frame: number[]) => {
    figures[`${name}_steps`] = draw.length;
    figures[`${name}_draw_p50_ms`] = percentile(draw, 50);
    figures[`${name}_draw_p95_ms`] = percentile(draw, 95);
    figures[`${name}_frame_p50_ms`] = percentile(frame, 50);
    figures[`${name}_frame_p95_ms`] = percentile(frame, 95);
    figures[`${name}_frames_over_budget`] = frame.filter((t) => t > (1000 / 60) * 1.5).length;
  };

  // Scroll across the whole clip at about a minute of video per 1280 px.
  const scrollTo = (i: number) => {
    const span = input.frameCount - input.width / input.scrollPixelsPerFrame;
    const frame = (span * i) / (input.steps - 1);
    engine.scrollToFrame(frame);
  };
  const toScrollZoom = () => {
    engine.zoomToFit();
    engine.zoom(input.scrollPixelsPerFrame / engine.viewState().pixelsPerFrame, 0);
  };
  engine.setPlayhead(0);
  toScrollZoom();
  figures.scroll_pixels_per_frame = Math.round(engine.viewState().pixelsPerFrame * 1000) / 1000;
  const scrollDraw = synchronous(input.steps, scrollTo);
  toScrollZoom();
  const scrollFrame = await perFrame(input.steps, scrollTo);
  record('scroll', scrollDraw, scrollFrame);

  // Zoom from the whole clip to single frames at the clip's middle, and back out.
  const middle = Math.floor(input.frameCount / 2);
  const fitPpf = input.width / input.frameCount;
  const half = Math.floor(input.steps / 2);
  const factor = Math.pow(48 / fitPpf, 1 / half);
  const zoomStep = (i: number) => {
    engine.zoom(i < half ? factor : 1 / factor);
  };
  const startZoom = () => {
    engine.zoomToFit();
    engine.setPlayhead(middle);
  };
  startZoom();
  const zoomDraw = synchronous(input.steps, zoomStep);
  figures.zoom_closest_pixels_per_frame = 48;
  startZoom();
  const zoomFrame = await perFrame(input.steps, zoomStep);
  record('zoom', zoomDraw, zoomFrame);

  // Playback at a mid zoom: the playhead moves every frame and pages the view as it leaves it.
  toScrollZoom();
  const playFrom = 1000;
  const play = (i: number) => engine.setPlayhead(playFrom + i * 2);
  const playDraw = synchronous(input.steps, play);
  toScrollZoom();
  const playFrame = await perFrame(input.steps, (i) => engine.setPlayhead(playFrom + 2000 + i * 2));
  record('playback', playDraw, playFrame);

  // Canvas calls are recorded and rasterised later; reading a pixel back forces the raster now,
  // so these count it inside the step. Last, because readbacks may move canvases to the CPU.
  const canvases = page.document.querySelectorAll('#timeline canvas');
  const rastered = (step: (i: number) => void) =>
    synchronous(input.steps, (i) => {
      step(i);
      engine.drawNow();
      for (const canvas of canvases) canvas.getContext('2d')?.getImageData(0, 0, 1, 1);
    });
  toScrollZoom();
  const scrollRaster = rastered(scrollTo);
  figures.scroll_draw_and_raster_p50_ms = percentile(scrollRaster, 50);
  figures.scroll_draw_and_raster_p95_ms = percentile(scrollRaster, 95);
  startZoom();
  const zoomRaster = rastered(zoomStep);
  figures.zoom_draw_and_raster_p50_ms = percentile(zoomRaster, 50);
  figures.zoom_draw_and_raster_p95_ms = percentile(zoomRaster, 95);

  return figures;
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { Keyframe, Keypoint, LabelsDocument, Track } from '../src/shared/domain/labels';
import {
  COCO_BODY_TEMPLATE_ID,
  LEFT_HAND_TEMPLATE_ID,
  RIGHT_HAND_TEMPLATE_ID,
} from '../src/shared/domain/labels/projectSchema';
import { bundleOverlay } from '../tests/support/bundleOverlay';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../tests/support/systemChromium';

/**
 * The keypoint overlay in Chromium at 1280×720 over a 1920×1080 picture, with PRODUCT.md's load:
 * 5 people, each a COCO-17 body and two 21-point hands (5 × 59 = 295 points), as issue 4 asks.
 *
 * - redraw: `setScene` with the pose of a new frame (interpolated between keyframes, as when
 *   stepping) and a synchronous draw, then a one-pixel read-back so the canvas is really
 *   rasterised and not only recorded. Target under 8 ms.
 * - drag: one point dragged with real mouse input (Playwright's, through the browser's input
 *   pipeline) for 300 moves; per move, the engine's handling plus the drag layer's draw and
 *   rasterisation, and the intervals between animation frames meanwhile. Target 60 fps: 16.7 ms.
 */

const VIDEO = { width: 1920, height: 1080 };
const STAGE = { width: 1280, height: 720 };
const PEOPLE = 5;
const FRAMES = 400;
const KEYFRAME_EVERY = 10;
const WARMUP_FRAMES = 30;
const DRAG_STEPS = 300;
const TARGET_REDRAW_MS = 8;
const TARGET_FRAME_MS = 1000 / 60;

/** A deterministic generator, so every run draws the same poses. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function track(
  id: string,
  kind: Track['kind'],
  templateId: string,
  count: number,
  centre: { x: number; y: number },
  spread: number,
  next: () => number,
): Track {
  const keyframes: Keyframe[] = [];
  for (let frame = 0; frame <= FRAMES; frame += KEYFRAME_EVERY) {
    const drift = { x: (next() - 0.5) * 80, y: (next() - 0.5) * 40 };
    const points: Keypoint[] = [];
    for (let i = 0; i < count; i++) {
      points.push({
        x: centre.x + drift.x + (next() - 0.5) * spread,
        y: centre.y + drift.y + (next() - 0.5) * spread * 2,
        // Every fifth point occluded, so both marker kinds are drawn.
        visibility: i % 5 === 4 ? 'occluded' : 'visible',
        source: 'manual',
      });
    }
    keyframes.push({ frame, points });
  }
  const color = `#${Math.floor(next() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  return { id, kind, templateId, label: id, color, keyframes };
}

function benchDocument(): LabelsDocument {
  const next = random(4);
  const tracks: Track[] = [];
  for (let p = 0; p < PEOPLE; p++) {
    const centre = { x: 200 + p * 380, y: 540 };
    tracks.push(track(`person-${p}`, 'person', COCO_BODY_TEMPLATE_ID, 17, centre, 260, next));
    const left = { x: centre.x - 120, y: 600 };
    const right = { x: centre.x + 120, y: 600 };
    tracks.push(track(`left-${p}`, 'left_hand', LEFT_HAND_TEMPLATE_ID, 21, left, 60, next));
    tracks.push(track(`right-${p}`, 'right_hand', RIGHT_HAND_TEMPLATE_ID, 21, right, 60, next));
  }
  return { tracks, segments: [], contacts: [] };
}

export async function runOverlayBench(workDir: string): Promise<Record<string, number>> {
  const doc = benchDocument();
  const script = await bundleOverlay();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_FLAGS],
  });
  try {
    const page = await browser.newPage({ viewport: STAGE });
    await page.setContent(
      `<!doctype html><body style="margin:0"><div id="overlay" style="position:relative;width:${STAGE.width}px;height:${STAGE.height}px"></div></body>`,
    );
    // tsx compiles this file keeping function names, through a helper the page lacks.
    await page.addScriptTag({ content: `globalThis.__name ??= (f) => f;\n${script}` });
    const redraw = await page.evaluate(pageRedrawBench, {
      doc,
      video: VIDEO,
      frames: FRAMES,
      warmup: WARMUP_FRAMES,
    });
    // What was measured, to look at: the keyframe the drag starts on.
    mkdirSync(join(workDir, 'overlay'), { recursive: true });
    await page.screenshot({ path: join(workDir, 'overlay', 'keyframe.png') });

    // The drag: the nose of the first person on a keyframe, where the engine put it on screen.
    const nose = doc.tracks[0]?.keyframes[0]?.points[0];
    if (!nose) throw new Error('The bench document has no first point.');
    const scale = Math.min(STAGE.width / VIDEO.width, STAGE.height / VIDEO.height);
    const start = { x: nose.x * scale, y: nose.y * scale };
    await page.evaluate(pageStartDrag);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (let step = 1; step <= DRAG_STEPS; step++) {
      const angle = (step / DRAG_STEPS) * 4 * Math.PI;
      await page.mouse.move(start.x + step * 0.8, start.y + Math.sin(angle) * 60);
    }
    await page.mouse.up();
    const drag = await page.evaluate(pageEndDrag);

    // The whole skeleton dragged with Shift (issue #16): every point of the person moves and is
    // redrawn on the drag layer at each move. Back on a keyframe first (the first drag's edit
    // made no new scene here: the bench's host does not apply commands).
    await page.evaluate(pageResetDrag);
    await page.keyboard.down('Shift');
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (let step = 1; step <= DRAG_STEPS; step++) {
      const angle = (step / DRAG_STEPS) * 4 * Math.PI;
      await page.mouse.move(start.x + step * 0.8, start.y + Math.sin(angle) * 60);
    }
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const skeleton = await page.evaluate(pageEndDrag);

    const figures: Record<string, number> = {
      points_drawn: doc.tracks.reduce((n, t) => n + (t.keyframes[0]?.points.length ?? 0), 0),
      redraw_frames: redraw.redraw.length,
      ...percentiles(redraw.build, 'scene_build'),
      ...percentiles(redraw.draw, 'draw_record'),
      ...percentiles(redraw.redraw, 'redraw'),
      drag_moves: drag.moveTimes.length,
      drag_commands: drag.commands,
      ...percentiles(drag.moveTimes, 'drag_move'),
      skeleton_drag_moves: skeleton.moveTimes.length,
      skeleton_drag_commands: skeleton.commands,
      ...percentiles(skeleton.moveTimes, 'skeleton_drag_move'),
      ...percentiles(skeleton.intervals, 'skeleton_drag_frame_interval'),
      ...percentiles(drag.intervals, 'drag_frame_interval'),
    };
    const ratio = (key: string, target: number) => {
      const value = figures[key];
      if (value !== undefined)
        figures[`${key.replace(/_ms$/, '')}_vs_target`] = round(value / target);
    };
    ratio('redraw_p50_ms', TARGET_REDRAW_MS);
    ratio('redraw_p95_ms', TARGET_REDRAW_MS);
    ratio('drag_move_p50_ms', TARGET_FRAME_MS);
    ratio('drag_move_p95_ms', TARGET_FRAME_MS);
    ratio('drag_frame_interval_p50_ms', TARGET_FRAME_MS);
    ratio('drag_frame_interval_p95_ms', TARGET_FRAME_MS);
    ratio('skeleton_drag_move_p95_ms', TARGET_FRAME_MS);
    ratio('skeleton_drag_frame_interval_p95_ms', TARGET_FRAME_MS);
    return figures;
  } finally {
    await browser.close();
  }
}

function percentiles(values: readonly number[], name: string): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    NaN;
  return {
    [`${name}_p50_ms`]: round(at(50)),
    [`${name}_p95_ms`]: round(at(95)),
    [`${name}_max_ms`]: round(at(100)),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/*
 * What follows runs in the page (Playwright serializes the functions), so it may use only the
 * page's globals. This file is type-checked without the DOM library, hence the structural types.
 */

type Canvas = {
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): unknown };
};
type Engine = {
  setVideoSize(size: { width: number; height: number }): void;
  setScene(scene: unknown): void;
  flush(): void;
};
type OverlayModule = {
  OverlayEngine: new (
    container: unknown,
    events: Record<string, (...args: unknown[]) => void>,
  ) => Engine;
  buildOverlayScene(
    doc: LabelsDocument,
    frame: number,
    templates: unknown,
    selection: unknown,
  ): unknown;
  BUILT_IN_TEMPLATES: unknown;
};
type Listener = (event: unknown) => void;
type BenchState = {
  engine: Engine;
  canvases: Canvas[];
  commands: number;
  moveStarts: number[];
  moveTimes: number[];
  frameStamps: number[];
  dragging: boolean;
};
type PageGlobals = {
  framewiseOverlay: OverlayModule;
  framewiseOverlayBench: BenchState;
  document: {
    getElementById(id: string): {
      querySelectorAll(selector: string): ArrayLike<Canvas>;
      addEventListener(type: string, listener: Listener): void;
    } | null;
  };
  addEventListener(type: string, listener: Listener, capture: boolean): void;
  performance: { now(): number };
  requestAnimationFrame(callback: (now: number) => void): number;
};

type RedrawInput = {
  doc: LabelsDocument;
  video: { width: number; height: number };
  frames: number;
  warmup: number;
};

function pageRedrawBench(input: RedrawInput): {
  build: number[];
  draw: number[];
  redraw: number[];
} {
  const page = globalThis as unknown as PageGlobals;
  const { framewiseOverlay: overlay, performance } = page;
  const container = page.document.getElementById('overlay');
  if (!container) throw new Error('no overlay container');
  const state: BenchState = {
    engine: new overlay.OverlayEngine(container, {
      command: () => {
        page.framewiseOverlayBench.commands++;
      },
      select: () => undefined,
      viewChange: () => undefined,
      boxDrawn: () => undefined,
      boxChanged: () => undefined,
    }),
    canvases: Array.from(container.querySelectorAll('canvas')),
    commands: 0,
    moveStarts: [],
    moveTimes: [],
    frameStamps: [],
    dragging: false,
  };
  page.framewiseOverlayBench = state;
  const { engine, canvases } = state;
  engine.setVideoSize(input.video);
  const selection = { trackId: 'person-0', point: 3, contactId: null };
  const build: number[] = [];
  const draw: number[] = [];
  const redraw: number[] = [];
  for (let frame = 0; frame < input.frames; frame++) {
    const t0 = performance.now();
    const scene = overlay.buildOverlayScene(
      input.doc,
      frame,
      overlay.BUILT_IN_TEMPLATES,
      selection,
    );
    const t1 = performance.now();
    engine.setScene(scene);
    engine.flush();
    const t2 = performance.now();
    // Reading a pixel makes Chromium rasterise the recorded drawing now, inside the timing.
    canvases[0]?.getContext('2d').getImageData(0, 0, 1, 1);
    const t3 = performance.now();
    if (frame < input.warmup) continue;
    build.push(t1 - t0);
    draw.push(t2 - t1);
    redraw.push(t3 - t1);
  }
  // The scene the drag starts on: a keyframe.
  engine.setScene(overlay.buildOverlayScene(input.doc, 0, overlay.BUILT_IN_TEMPLATES, selection));
  engine.flush();
  return { build, draw, redraw };
}

function pageStartDrag(): void {
  const page = globalThis as unknown as PageGlobals;
  const state = page.framewiseOverlayBench;
  const container = page.document.getElementById('overlay');
  if (!container) throw new Error('no overlay container');
  const { performance } = page;
  // Window capture runs before the engine's listener on the container; this one after it.
  page.addEventListener(
    'pointermove',
    () => {
      if (state.dragging) state.moveStarts.push(performance.now());
    },
    true,
  );
  container.addEventListener('pointermove', () => {
    if (!state.dragging) return;
    state.engine.flush();
    for (const canvas of state.canvases) canvas.getContext('2d').getImageData(0, 0, 1, 1);
    const started = state.moveStarts[state.moveStarts.length - 1];
    if (started !== undefined) state.moveTimes.push(performance.now() - started);
  });
  container.addEventListener('pointerdown', () => {
    state.dragging = true;
    const tick = (now: number) => {
      if (!state.dragging) return;
      state.frameStamps.push(now);
      page.requestAnimationFrame(tick);
    };
    page.requestAnimationFrame(tick);
  });
  container.addEventListener('pointerup', () => {
    state.dragging = false;
  });
}

/** Forgets the first drag's figures, keeping the listeners `pageStartDrag` set. */
function pageResetDrag(): void {
  const state = (globalThis as unknown as PageGlobals).framewiseOverlayBench;
  state.moveStarts.length = 0;
  state.moveTimes.length = 0;
  state.frameStamps.length = 0;
  state.commands = 0;
}

function pageEndDrag(): { moveTimes: number[]; intervals: number[]; commands: number } {
  const page = globalThis as unknown as PageGlobals;
  const state = page.framewiseOverlayBench;
  const intervals: number[] = [];
  for (let i = 1; i < state.frameStamps.length; i++) {
    intervals.push((state.frameStamps[i] ?? 0) - (state.frameStamps[i - 1] ?? 0));
  }
  return { moveTimes: state.moveTimes, intervals, commands: state.commands };
}

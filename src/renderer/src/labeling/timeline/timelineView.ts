import type { Segment } from '../../../../shared/domain/labels';

/**
 * The timeline's geometry as plain functions over plain data, so the engine, the edge tool and
 * their tests agree on where a frame is without a canvas.
 *
 * Frame f occupies the half-open span [f, f + 1) in frame units, so a segment [start, end]
 * (inclusive, as the domain stores it) covers x from frameToX(start) to frameToX(end + 1).
 */

export type Viewport = {
  /** Frame (fractional) at x = 0. */
  readonly firstVisibleFrame: number;
  readonly pixelsPerFrame: number;
  /** Drawable width in CSS pixels. */
  readonly width: number;
};

/** The closest zoom: one frame this wide is plenty to grab either edge of a one-frame segment. */
export const MAX_PIXELS_PER_FRAME = 48;

export function frameToX(view: Viewport, frame: number): number {
  return (frame - view.firstVisibleFrame) * view.pixelsPerFrame;
}

/** The fractional frame position under x (frame f spans [f, f + 1)). */
export function xToFrame(view: Viewport, x: number): number {
  return view.firstVisibleFrame + x / view.pixelsPerFrame;
}

function clampFrame(frame: number, frameCount: number): number {
  return Math.min(Math.max(0, frameCount - 1), Math.max(0, frame));
}

/** The whole frame drawn under x, clamped to the clip (what a click on the ruler seeks to). */
export function frameAtX(view: Viewport, x: number, frameCount: number): number {
  return clampFrame(Math.floor(xToFrame(view, x)), frameCount);
}

/** The frame boundary nearest to x, 0 … frameCount (where a dragged edge snaps). */
export function boundaryAtX(view: Viewport, x: number, frameCount: number): number {
  return Math.min(frameCount, Math.max(0, Math.round(xToFrame(view, x))));
}

/** Pixels per frame at which the whole clip fills the width: the farthest zoom. */
export function fitPixelsPerFrame(width: number, frameCount: number): number {
  return Math.max(width, 1) / Math.max(frameCount, 1);
}

export function visibleFrameSpan(view: Viewport): number {
  return view.width / view.pixelsPerFrame;
}

/** Keeps the zoom between fit and MAX_PIXELS_PER_FRAME and the view inside the clip. */
export function clampView(view: Viewport, frameCount: number): Viewport {
  const minPpf = fitPixelsPerFrame(view.width, frameCount);
  const pixelsPerFrame = Math.min(
    Math.max(minPpf, MAX_PIXELS_PER_FRAME),
    Math.max(minPpf, view.pixelsPerFrame),
  );
  const maxFirst = Math.max(0, frameCount - view.width / pixelsPerFrame);
  const firstVisibleFrame = Math.min(maxFirst, Math.max(0, view.firstVisibleFrame));
  return { firstVisibleFrame, pixelsPerFrame, width: view.width };
}

export function fitView(width: number, frameCount: number): Viewport {
  return { firstVisibleFrame: 0, pixelsPerFrame: fitPixelsPerFrame(width, frameCount), width };
}

/** Zooms by `factor` keeping the frame under `anchorX` under it (the pointer, for Ctrl+wheel). */
export function zoomAt(
  view: Viewport,
  factor: number,
  anchorX: number,
  frameCount: number,
): Viewport {
  const anchorFrame = xToFrame(view, anchorX);
  const zoomed = clampView({ ...view, pixelsPerFrame: view.pixelsPerFrame * factor }, frameCount);
  return clampView(
    { ...zoomed, firstVisibleFrame: anchorFrame - anchorX / zoomed.pixelsPerFrame },
    frameCount,
  );
}

/** Shows about `frames` frames across the width, centred on `centerFrame`. */
export function zoomToFrames(
  view: Viewport,
  frames: number,
  centerFrame: number,
  frameCount: number,
): Viewport {
  const pixelsPerFrame = view.width / Math.max(1, frames);
  const zoomed = clampView({ ...view, pixelsPerFrame }, frameCount);
  const span = visibleFrameSpan(zoomed);
  return clampView({ ...zoomed, firstVisibleFrame: centerFrame + 0.5 - span / 2 }, frameCount);
}

export function scrollByPixels(view: Viewport, dx: number, frameCount: number): Viewport {
  return clampView(
    { ...view, firstVisibleFrame: view.firstVisibleFrame + dx / view.pixelsPerFrame },
    frameCount,
  );
}

export function scrollToFrame(view: Viewport, frame: number, frameCount: number): Viewport {
  return clampView({ ...view, firstVisibleFrame: frame }, frameCount);
}

/**
 * Pages the view when `frame` has left it (the playhead during playback), putting the frame a
 * little in from the left so the next stretch of play stays in view; otherwise the same view.
 */
export function followFrame(view: Viewport, frame: number, frameCount: number): Viewport {
  const x0 = frameToX(view, frame);
  const x1 = frameToX(view, frame + 1);
  if (x0 >= 0 && x1 <= view.width) return view;
  const lead = visibleFrameSpan(view) * 0.1;
  return clampView({ ...view, firstVisibleFrame: frame - lead }, frameCount);
}

// ---------------------------------------------------------------------------------------------
// Visible segments

/** One actor row's segments in canonical order, with the running maximum of their ends. */
export type RowSegments = {
  readonly segments: readonly Segment[];
  /** prefixMaxEnd[i] = max(segments[0..i].endFrame): non-decreasing, so binary-searchable. */
  readonly prefixMaxEnd: Int32Array;
};

export type SegmentIndex = {
  readonly rows: ReadonlyMap<string, RowSegments>;
  readonly byId: ReadonlyMap<string, Segment>;
};

function isCanonical(segments: readonly Segment[]): boolean {
  for (let i = 1; i < segments.length; i++) {
    const a = segments[i - 1];
    const b = segments[i];
    if (a && b && a.startFrame > b.startFrame) return false;
  }
  return true;
}

/**
 * Groups segments by actor row for range queries. The domain keeps segments sorted by start, so
 * this is one pass; an unsorted list (from elsewhere) is sorted first.
 */
export function indexSegments(segments: readonly Segment[]): SegmentIndex {
  const ordered = isCanonical(segments)
    ? segments
    : [...segments].sort((a, b) => a.startFrame - b.startFrame);
  const grouped = new Map<string, Segment[]>();
  const byId = new Map<string, Segment>();
  for (const segment of ordered) {
    byId.set(segment.id, segment);
    const row = grouped.get(segment.actor);
    if (row) row.push(segment);
    else grouped.set(segment.actor, [segment]);
  }
  const rows = new Map<string, RowSegments>();
  for (const [actor, list] of grouped) {
    const prefixMaxEnd = new Int32Array(list.length);
    let max = -1;
    list.forEach((segment, i) => {
      max = Math.max(max, segment.endFrame);
      prefixMaxEnd[i] = max;
    });
    rows.set(actor, { segments: list, prefixMaxEnd });
  }
  return { rows, byId };
}

/** First i with values[i] >= target, in a non-decreasing array. */
function lowerBound(length: number, valueAt: (i: number) => number, target: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (valueAt(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Indices [from, to) of the row's segments that may meet frames [first, last]: every segment in
 * it starts by `last`, and only those ending before `first` need skipping. Binary search on the
 * running maximum end finds the first candidate and binary search on start the last, so in a row
 * whose segments do not nest (every project without overlap) this is O(log n + visible); nested
 * overlaps only add the segments inside a longer one that starts before the view.
 */
export function candidateRange(
  row: RowSegments,
  first: number,
  last: number,
): { from: number; to: number } {
  const { segments, prefixMaxEnd } = row;
  return {
    from: lowerBound(segments.length, (i) => prefixMaxEnd[i] ?? 0, first),
    to: lowerBound(segments.length, (i) => segments[i]?.startFrame ?? 0, last + 1),
  };
}

/** `candidateRange`, filtered to the segments that really meet [first, last]. */
export function forEachSegmentInRange(
  row: RowSegments,
  first: number,
  last: number,
  visit: (segment: Segment) => void,
): void {
  const { from, to } = candidateRange(row, first, last);
  for (let i = from; i < to; i++) {
    const segment = row.segments[i];
    if (segment && segment.endFrame >= first) visit(segment);
  }
}

export function segmentsInRange(row: RowSegments, first: number, last: number): Segment[] {
  const found: Segment[] = [];
  forEachSegmentInRange(row, first, last, (s) => found.push(s));
  return found;
}

/** Whole frames at least partly visible: [first, last], clamped to the clip. */
export function visibleFrames(view: Viewport, frameCount: number): { first: number; last: number } {
  return {
    first: clampFrame(Math.floor(view.firstVisibleFrame), frameCount),
    last: clampFrame(Math.ceil(xToFrame(view, view.width)) - 1, frameCount),
  };
}

/** Index range [from, to) of sorted `frames` within [first, last]. */
export function framesInRange(
  frames: readonly number[],
  first: number,
  last: number,
): { from: number; to: number } {
  return {
    from: lowerBound(frames.length, (i) => frames[i] ?? 0, first),
    to: lowerBound(frames.length, (i) => frames[i] ?? 0, last + 1),
  };
}

/**
 * The segments next to `segment` in its row: the closest one ending before it starts and the
 * closest one starting after it ends, which bound how far its edges can be dragged.
 */
export function rowNeighbours(
  index: SegmentIndex,
  segment: Segment,
): { previousEnd: number | null; nextStart: number | null } {
  const row = index.rows.get(segment.actor);
  let previousEnd: number | null = null;
  let nextStart: number | null = null;
  if (!row) return { previousEnd, nextStart };
  const at = lowerBound(
    row.segments.length,
    (i) => row.segments[i]?.startFrame ?? 0,
    segment.startFrame,
  );
  for (let i = at - 1; i >= 0; i--) {
    const other = row.segments[i];
    const runningEnd = row.prefixMaxEnd[i] ?? -1;
    if (!other) break;
    // Once the running maximum end is before the segment, it is the closest end of all the rest.
    if (runningEnd < segment.startFrame) {
      previousEnd = Math.max(previousEnd ?? -1, runningEnd);
      break;
    }
    if (other.endFrame < segment.startFrame) {
      previousEnd = Math.max(previousEnd ?? -1, other.endFrame);
    }
  }
  for (let i = at; i < row.segments.length; i++) {
    const other = row.segments[i];
    if (!other) break;
    if (other.id !== segment.id && other.startFrame > segment.endFrame) {
      nextStart = other.startFrame;
      break;
    }
  }
  return { previousEnd, nextStart };
}

// ---------------------------------------------------------------------------------------------
// Rows

export type RowLayoutOptions = {
  readonly rulerHeight: number;
  readonly actorRowHeight: number;
  readonly tickRowHeight: number;
  readonly gap: number;
};

export const DEFAULT_ROW_LAYOUT: RowLayoutOptions = {
  rulerHeight: 24,
  actorRowHeight: 28,
  tickRowHeight: 10,
  gap: 2,
};

export type LaidOutRow =
  | { readonly kind: 'actor'; readonly id: string; readonly y: number; readonly height: number }
  | { readonly kind: 'spans'; readonly id: string; readonly y: number; readonly height: number }
  | { readonly kind: 'ticks'; readonly id: string; readonly y: number; readonly height: number };

/** A hand's contact-state row: thinner than an actor row, thick enough to read its state. */
export const SPAN_ROW_HEIGHT = 18;

export type RowLayout = {
  readonly rulerHeight: number;
  readonly rows: readonly LaidOutRow[];
  readonly height: number;
};

/**
 * One row per actor under the ruler, then one row of contact spans per hand, then one thin row of
 * keyframe ticks per track.
 */
export function layoutRows(
  actorIds: readonly string[],
  trackIds: readonly string[],
  options: RowLayoutOptions = DEFAULT_ROW_LAYOUT,
  spanRowIds: readonly string[] = [],
): RowLayout {
  const rows: LaidOutRow[] = [];
  let y = options.rulerHeight + options.gap;
  for (const id of actorIds) {
    rows.push({ kind: 'actor', id, y, height: options.actorRowHeight });
    y += options.actorRowHeight + options.gap;
  }
  for (const id of spanRowIds) {
    rows.push({ kind: 'spans', id, y, height: SPAN_ROW_HEIGHT });
    y += SPAN_ROW_HEIGHT + options.gap;
  }
  for (const id of trackIds) {
    rows.push({ kind: 'ticks', id, y, height: options.tickRowHeight });
    y += options.tickRowHeight + options.gap;
  }
  return { rulerHeight: options.rulerHeight, rows, height: y };
}

/**
 * The rows moved up by `scrollY` pixels under a ruler that stays put: a row that leaves the top
 * goes under the ruler, which is drawn over it and takes its clicks.
 */
export function scrollRows(layout: RowLayout, scrollY: number): RowLayout {
  if (scrollY === 0) return layout;
  return { ...layout, rows: layout.rows.map((row) => ({ ...row, y: row.y - scrollY })) };
}

/** How far the rows can scroll in a drawing area `height` pixels tall: 0 when they all fit. */
export function maxRowScroll(layout: RowLayout, height: number): number {
  return Math.max(0, layout.height - height);
}

/** `scrollY` kept between the top row showing and the last row ending at the bottom edge. */
export function clampRowScroll(layout: RowLayout, height: number, scrollY: number): number {
  return Math.min(Math.max(0, scrollY), maxRowScroll(layout, height));
}

// ---------------------------------------------------------------------------------------------
// Hit testing

export const EDGE_TOLERANCE_PX = 5;

export type SegmentPart = 'body' | 'start' | 'end';

export type TimelineHit =
  | { readonly kind: 'ruler'; readonly frame: number }
  | {
      readonly kind: 'segment';
      readonly segmentId: string;
      readonly part: SegmentPart;
      readonly frame: number;
    }
  | { readonly kind: 'row'; readonly rowId: string; readonly frame: number }
  | { readonly kind: 'ticks'; readonly trackId: string; readonly frame: number }
  | { readonly kind: 'none' };

type Candidate = { segment: Segment; part: SegmentPart; distance: number };

/**
 * Which part of a segment x falls on. Edges reach `tolerance` outward and at most a third of the
 * bar inward, so even a bar a pixel wide keeps a body to click and both edges to grab.
 */
function classify(
  view: Viewport,
  segment: Segment,
  x: number,
  tolerance: number,
): Candidate | null {
  const x0 = frameToX(view, segment.startFrame);
  const x1 = frameToX(view, segment.endFrame + 1);
  const inward = Math.min(tolerance, (x1 - x0) / 3);
  if (x < x0 - tolerance || x > x1 + tolerance) return null;
  if (x >= x0 + inward && x <= x1 - inward) return { segment, part: 'body', distance: 0 };
  const toStart = Math.abs(x - x0);
  const toEnd = Math.abs(x - x1);
  const inside = x >= x0 && x <= x1;
  return toStart <= toEnd
    ? { segment, part: 'start', distance: inside ? 0 : toStart }
    : { segment, part: 'end', distance: inside ? 0 : toEnd };
}

export function hitTest(
  view: Viewport,
  layout: RowLayout,
  index: SegmentIndex,
  frameCount: number,
  x: number,
  y: number,
  tolerance: number = EDGE_TOLERANCE_PX,
): TimelineHit {
  if (x < 0 || x > view.width || y < 0) return { kind: 'none' };
  const frame = frameAtX(view, x, frameCount);
  if (y < layout.rulerHeight) return { kind: 'ruler', frame };
  const row = layout.rows.find((r) => y >= r.y && y < r.y + r.height);
  if (!row) return { kind: 'none' };
  // A click on a contact span or a tick goes to its frame.
  if (row.kind !== 'actor') return { kind: 'ticks', trackId: row.id, frame };
  const segments = index.rows.get(row.id);
  if (segments) {
    const slack = tolerance / view.pixelsPerFrame;
    let best: Candidate | null = null;
    const near = segmentsInRange(
      segments,
      Math.floor(xToFrame(view, x) - slack) - 1,
      Math.ceil(xToFrame(view, x) + slack) + 1,
    );
    for (const segment of near) {
      const candidate = classify(view, segment, x, tolerance);
      // A bar under the pointer beats an edge reached from outside; among equals, the later.
      if (candidate && (!best || candidate.distance <= best.distance)) best = candidate;
    }
    if (best) return { kind: 'segment', segmentId: best.segment.id, part: best.part, frame };
  }
  return { kind: 'row', rowId: row.id, frame };
}

// ---------------------------------------------------------------------------------------------
// Ruler

/** Tick spacings in frames: 1-2-5 up to 10, then whole seconds and minutes at 30 fps-ish rates. */
const TICK_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 150, 300, 600, 900, 1800, 3600, 9000, 18000, 36000, 108000,
];

export type RulerTicks = {
  /** Spacing in frames between labelled ticks, and between minor ticks. */
  readonly majorStep: number;
  readonly minorStep: number;
  readonly major: readonly number[];
};

/**
 * Labelled ticks at least `minLabelSpacing` px apart, on round frame counts, so labels never
 * collide at any zoom; minor ticks subdivide when there is room.
 */
export function rulerTicks(view: Viewport, frameCount: number, minLabelSpacing = 80): RulerTicks {
  const majorStep =
    TICK_STEPS.find((step) => step * view.pixelsPerFrame >= minLabelSpacing) ??
    Math.max(1, Math.ceil(minLabelSpacing / view.pixelsPerFrame));
  const minorStep =
    [...TICK_STEPS]
      .reverse()
      .find(
        (step) => step < majorStep && majorStep % step === 0 && step * view.pixelsPerFrame >= 6,
      ) ?? majorStep;
  const { first, last } = visibleFrames(view, frameCount);
  const major: number[] = [];
  for (let f = Math.ceil(first / majorStep) * majorStep; f <= last; f += majorStep) major.push(f);
  return { majorStep, minorStep, major };
}

/** A ruler label: the frame number, with m:ss when the frame rate is known. */
export function formatRulerLabel(frame: number, fps: number | undefined): string {
  if (fps === undefined || !(fps > 0)) return String(frame);
  const seconds = frame / fps;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  const sText = Number.isInteger(s) ? String(s).padStart(2, '0') : s.toFixed(2).padStart(5, '0');
  return `${frame} · ${m}:${sText}`;
}

import { describe, expect, it } from 'vitest';
import type { Segment } from '../../../../shared/domain/labels';
import {
  boundaryAtX,
  clampView,
  fitView,
  followFrame,
  formatRulerLabel,
  frameAtX,
  frameToX,
  framesInRange,
  hitTest,
  indexSegments,
  layoutRows,
  maxRowScroll,
  clampRowScroll,
  scrollRows,
  MAX_PIXELS_PER_FRAME,
  rowNeighbours,
  rulerTicks,
  scrollByPixels,
  segmentsInRange,
  SPAN_ROW_HEIGHT,
  visibleFrames,
  xToFrame,
  zoomAt,
  zoomToFrames,
  type Viewport,
} from './timelineView';

function seg(id: string, startFrame: number, endFrame: number, actor = 'a'): Segment {
  return { id, startFrame, endFrame, actor, verbId: null, nounId: null, note: '' };
}

const FRAMES = 54_000;

describe('frame and x mapping', () => {
  const view: Viewport = { firstVisibleFrame: 100, pixelsPerFrame: 10, width: 500 };

  it('maps a frame to the x of its left side and back', () => {
    expect(frameToX(view, 100)).toBe(0);
    expect(frameToX(view, 105)).toBe(50);
    expect(xToFrame(view, 55)).toBe(105.5);
  });

  it('names the frame drawn under x, clamped to the clip', () => {
    expect(frameAtX(view, 59.9, FRAMES)).toBe(105);
    expect(frameAtX({ ...view, firstVisibleFrame: 0 }, -30, FRAMES)).toBe(0);
    expect(frameAtX({ ...view, firstVisibleFrame: FRAMES - 10 }, 499, FRAMES)).toBe(FRAMES - 1);
  });

  it('snaps x to the nearest frame boundary', () => {
    expect(boundaryAtX(view, 54, FRAMES)).toBe(105);
    expect(boundaryAtX(view, 56, FRAMES)).toBe(106);
  });
});

describe('zoom and scroll', () => {
  it('fits the whole clip in the width at the farthest zoom', () => {
    const view = fitView(1280, FRAMES);
    expect(visibleFrames(view, FRAMES)).toEqual({ first: 0, last: FRAMES - 1 });
    const further = zoomAt(view, 0.5, 600, FRAMES);
    expect(further.pixelsPerFrame).toBeCloseTo(view.pixelsPerFrame);
    expect(further.firstVisibleFrame).toBe(0);
  });

  it('zooms in no closer than the maximum pixels per frame', () => {
    let view = fitView(1280, FRAMES);
    for (let i = 0; i < 40; i++) view = zoomAt(view, 2, 640, FRAMES);
    expect(view.pixelsPerFrame).toBe(MAX_PIXELS_PER_FRAME);
  });

  it('keeps the frame under the pointer in place while zooming', () => {
    const view: Viewport = { firstVisibleFrame: 1000, pixelsPerFrame: 2, width: 1280 };
    const anchor = 300;
    const before = xToFrame(view, anchor);
    const zoomed = zoomAt(view, 3, anchor, FRAMES);
    expect(zoomed.pixelsPerFrame).toBe(6);
    expect(xToFrame(zoomed, anchor)).toBeCloseTo(before);
  });

  it('keeps a zoom at the clip start from scrolling before frame 0', () => {
    const view: Viewport = { firstVisibleFrame: 10, pixelsPerFrame: 2, width: 1280 };
    expect(zoomAt(view, 0.5, 1000, FRAMES).firstVisibleFrame).toBe(0);
  });

  it('clamps scrolling to the clip', () => {
    const view: Viewport = { firstVisibleFrame: 0, pixelsPerFrame: 4, width: 400 };
    expect(scrollByPixels(view, -100, FRAMES).firstVisibleFrame).toBe(0);
    expect(scrollByPixels(view, 1e9, FRAMES).firstVisibleFrame).toBe(FRAMES - 100);
    expect(scrollByPixels(view, 40, FRAMES).firstVisibleFrame).toBe(10);
  });

  it('shows a whole short clip at fit even where that is wider than the maximum zoom', () => {
    const view = clampView({ firstVisibleFrame: 3, pixelsPerFrame: 1, width: 1000 }, 10);
    expect(view).toEqual({ firstVisibleFrame: 0, pixelsPerFrame: 100, width: 1000 });
  });

  it('zooms to a number of frames around a centre', () => {
    const view = zoomToFrames(fitView(1000, FRAMES), 100, 5000, FRAMES);
    expect(view.pixelsPerFrame).toBe(10);
    expect(view.firstVisibleFrame).toBeCloseTo(4950.5);
  });

  it('pages the view only when the followed frame leaves it', () => {
    const view: Viewport = { firstVisibleFrame: 0, pixelsPerFrame: 10, width: 1000 };
    expect(followFrame(view, 50, FRAMES)).toBe(view);
    expect(followFrame(view, 100, FRAMES).firstVisibleFrame).toBe(90);
  });
});

describe('visible segments', () => {
  it('finds exactly the segments meeting a frame range, per row', () => {
    const segments = [
      seg('s1', 0, 9),
      seg('b1', 5, 30, 'b'),
      seg('s2', 10, 19),
      seg('s3', 25, 40),
      seg('s4', 50, 60),
    ];
    const index = indexSegments(segments);
    const rowA = index.rows.get('a');
    expect(rowA && segmentsInRange(rowA, 15, 49).map((s) => s.id)).toEqual(['s2', 's3']);
    expect(rowA && segmentsInRange(rowA, 41, 49)).toEqual([]);
    expect(rowA && segmentsInRange(rowA, 60, 99).map((s) => s.id)).toEqual(['s4']);
    const rowB = index.rows.get('b');
    expect(rowB && segmentsInRange(rowB, 30, 30).map((s) => s.id)).toEqual(['b1']);
  });

  it('still finds a long segment that starts well before the view when rows overlap', () => {
    const index = indexSegments([seg('long', 0, 1000), seg('x', 10, 20), seg('y', 500, 510)]);
    const row = index.rows.get('a');
    expect(row && segmentsInRange(row, 600, 700).map((s) => s.id)).toEqual(['long']);
  });

  it('agrees with a linear scan on a large random row', () => {
    const segments: Segment[] = [];
    let at = 0;
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      at += rand(20);
      segments.push(seg(`s${i}`, at, at + rand(30)));
    }
    const row = indexSegments(segments).rows.get('a');
    for (let k = 0; k < 50; k++) {
      const first = rand(at);
      const last = first + rand(200);
      const expected = segments
        .filter((s) => s.startFrame <= last && s.endFrame >= first)
        .map((s) => s.id);
      expect(row && segmentsInRange(row, first, last).map((s) => s.id)).toEqual(expected);
    }
  });

  it('accepts segments out of canonical order', () => {
    const index = indexSegments([seg('late', 50, 60), seg('early', 0, 5)]);
    expect(index.rows.get('a')?.segments.map((s) => s.id)).toEqual(['early', 'late']);
  });

  it('finds the closest neighbours in the same row', () => {
    const segments = [seg('p', 0, 9), seg('q', 5, 12, 'b'), seg('m', 20, 29), seg('n', 40, 49)];
    const index = indexSegments(segments);
    expect(rowNeighbours(index, seg('m', 20, 29))).toEqual({ previousEnd: 9, nextStart: 40 });
    expect(rowNeighbours(index, seg('p', 0, 9))).toEqual({ previousEnd: null, nextStart: 20 });
  });

  it('finds keyframe ticks in a frame range', () => {
    expect(framesInRange([1, 5, 9, 12, 30], 5, 12)).toEqual({ from: 1, to: 4 });
  });
});

describe('rows and hit testing', () => {
  const layout = layoutRows(['a', 'b'], ['t1'], {
    rulerHeight: 20,
    actorRowHeight: 30,
    tickRowHeight: 10,
    gap: 0,
  });
  const view: Viewport = { firstVisibleFrame: 0, pixelsPerFrame: 10, width: 1000 };
  const index = indexSegments([seg('s1', 10, 19), seg('s2', 20, 20), seg('s3', 50, 59, 'b')]);
  const hit = (x: number, y: number) => hitTest(view, layout, index, 1000, x, y);

  it('lays out the ruler, one row per actor and one thin row per track', () => {
    expect(layout.rows).toEqual([
      { kind: 'actor', id: 'a', y: 20, height: 30 },
      { kind: 'actor', id: 'b', y: 50, height: 30 },
      { kind: 'ticks', id: 't1', y: 80, height: 10 },
    ]);
    expect(layout.height).toBe(90);
  });

  it('tells the ruler, the tick rows and empty row space apart', () => {
    expect(hit(123, 5)).toEqual({ kind: 'ruler', frame: 12 });
    expect(hit(123, 85)).toEqual({ kind: 'ticks', trackId: 't1', frame: 12 });
    expect(hit(400, 30)).toEqual({ kind: 'row', rowId: 'a', frame: 40 });
    expect(hit(400, 200)).toEqual({ kind: 'none' });
  });

  it('finds a segment body, and its edges within the tolerance either side', () => {
    expect(hit(150, 30)).toMatchObject({ kind: 'segment', segmentId: 's1', part: 'body' });
    expect(hit(97, 30)).toMatchObject({ kind: 'segment', segmentId: 's1', part: 'start' });
    expect(hit(103, 30)).toMatchObject({ kind: 'segment', segmentId: 's1', part: 'start' });
    expect(hit(550, 60)).toMatchObject({ kind: 'segment', segmentId: 's3', part: 'body' });
    expect(hit(604, 60)).toMatchObject({ kind: 'segment', segmentId: 's3', part: 'end' });
    expect(hit(606, 60)).toEqual({ kind: 'row', rowId: 'b', frame: 60 });
  });

  it('keeps a body to click on a one-frame segment between two edges', () => {
    expect(hit(205, 30)).toMatchObject({ segmentId: 's2', part: 'body' });
    expect(hit(208, 30)).toMatchObject({ segmentId: 's2', part: 'end' });
    expect(hit(201, 30)).toMatchObject({ segmentId: 's2', part: 'start' });
  });
});

describe('rows that do not fit', () => {
  const layout = layoutRows(['a', 'b'], ['t1', 't2'], {
    rulerHeight: 20,
    actorRowHeight: 30,
    tickRowHeight: 10,
    gap: 0,
  });
  const view: Viewport = { firstVisibleFrame: 0, pixelsPerFrame: 10, width: 1000 };
  const index = indexSegments([seg('s3', 50, 59, 'b')]);

  it('scroll as far as the last row reaching the bottom edge, and not at all when they fit', () => {
    // Ruler 0–20, a 20–50, b 50–80, t1 80–90, t2 90–100: 100 px of rows in 60 px.
    expect(maxRowScroll(layout, 60)).toBe(40);
    expect(clampRowScroll(layout, 60, 55)).toBe(40);
    expect(clampRowScroll(layout, 60, -5)).toBe(0);
    expect(maxRowScroll(layout, 100)).toBe(0);
    expect(clampRowScroll(layout, 120, 30)).toBe(0);
  });

  it('scrolled, a click reaches the lower rows, and the ruler keeps the top band', () => {
    const scrolled = scrollRows(layout, 40);
    const hit = (x: number, y: number) => hitTest(view, scrolled, index, 1000, x, y);
    expect(hit(123, 55)).toEqual({ kind: 'ticks', trackId: 't2', frame: 12 });
    expect(hit(550, 30)).toMatchObject({ kind: 'segment', segmentId: 's3', part: 'body' });
    // Row a now lies under the ruler: the ruler takes the click.
    expect(hit(123, 5)).toEqual({ kind: 'ruler', frame: 12 });
    expect(scrollRows(layout, 0)).toBe(layout);
  });
});

describe('contact span rows', () => {
  const layout = layoutRows(
    ['a'],
    ['t1'],
    { rulerHeight: 20, actorRowHeight: 30, tickRowHeight: 10, gap: 0 },
    ['lh'],
  );
  const view: Viewport = { firstVisibleFrame: 0, pixelsPerFrame: 10, width: 1000 };

  it('lie between the actor rows and the tick rows', () => {
    expect(layout.rows).toEqual([
      { kind: 'actor', id: 'a', y: 20, height: 30 },
      { kind: 'spans', id: 'lh', y: 50, height: SPAN_ROW_HEIGHT },
      { kind: 'ticks', id: 't1', y: 50 + SPAN_ROW_HEIGHT, height: 10 },
    ]);
  });

  it('a click on a span row goes to its frame, as on a tick row', () => {
    expect(hitTest(view, layout, indexSegments([]), 1000, 123, 55)).toEqual({
      kind: 'ticks',
      trackId: 'lh',
      frame: 12,
    });
  });
});

describe('ruler', () => {
  it('spaces labelled ticks at least the label width apart on round frame counts', () => {
    const close = rulerTicks({ firstVisibleFrame: 0, pixelsPerFrame: 48, width: 960 }, FRAMES);
    expect(close.majorStep).toBe(2);
    expect(close.minorStep).toBe(1);
    expect(close.major.slice(0, 3)).toEqual([0, 2, 4]);
    const fit = rulerTicks(fitView(1280, FRAMES), FRAMES);
    expect(fit.majorStep * (1280 / FRAMES)).toBeGreaterThanOrEqual(80);
    expect(fit.major.length).toBeLessThanOrEqual(16);
  });

  it('labels frames with the time when the rate is known', () => {
    expect(formatRulerLabel(1800, 30)).toBe('1800 · 1:00');
    expect(formatRulerLabel(45, 30)).toBe('45 · 0:01.50');
    expect(formatRulerLabel(45, undefined)).toBe('45');
  });
});

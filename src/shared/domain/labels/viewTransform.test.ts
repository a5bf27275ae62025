import { describe, expect, it } from 'vitest';
import {
  actualPixelsView,
  zoomAtCentre,
  zoomLimitsFor,
  zoomPercent,
  zoomToBox,
  displayedSize,
  displayedToRaw,
  FIT_VIEW,
  isFitView,
  panBy,
  rawToDisplayed,
  screenToVideo,
  videoToScreen,
  viewTransform,
  viewForResizedStage,
  zoomAt,
  type Point,
  type Size,
} from './viewTransform';

const rotations = [0, 90, 180, 270] as const;

function close(actual: Point, expected: Point): void {
  expect(actual.x).toBeCloseTo(expected.x, 9);
  expect(actual.y).toBeCloseTo(expected.y, 9);
}

describe('viewTransform', () => {
  it('letterboxes a landscape picture in a tall container (contain)', () => {
    const t = viewTransform({ width: 1920, height: 1080 }, { width: 960, height: 1000 }, FIT_VIEW);
    expect(t.scale).toBe(0.5);
    expect(t.offsetX).toBe(0);
    expect(t.offsetY).toBe(230);
    close(videoToScreen(t, { x: 1920, y: 1080 }), { x: 960, y: 770 });
  });

  it('pillarboxes a portrait picture in a wide container', () => {
    const t = viewTransform({ width: 1080, height: 1920 }, { width: 1600, height: 960 }, FIT_VIEW);
    expect(t.scale).toBe(0.5);
    expect(t.offsetX).toBe(530);
    expect(t.offsetY).toBe(0);
  });

  it('zooming keeps the video point under the anchor where it was', () => {
    const video = { width: 1920, height: 1080 };
    const container = { width: 1280, height: 800 };
    const anchor = { x: 300, y: 200 };
    const before = screenToVideo(viewTransform(video, container, FIT_VIEW), anchor);
    const zoomed = zoomAt(FIT_VIEW, video, container, anchor, 3);
    expect(zoomed.zoom).toBe(3);
    close(screenToVideo(viewTransform(video, container, zoomed), anchor), before);
    const again = zoomAt(panBy(zoomed, 40, -25), video, container, { x: 900, y: 700 }, 0.5);
    const t = viewTransform(video, container, again);
    close(videoToScreen(t, screenToVideo(t, { x: 17, y: 33 })), { x: 17, y: 33 });
  });

  it('clamps zoom to the limits', () => {
    const view = zoomAt(
      FIT_VIEW,
      { width: 10, height: 10 },
      { width: 10, height: 10 },
      { x: 0, y: 0 },
      1e6,
      { min: 0.5, max: 8 },
    );
    expect(view.zoom).toBe(8);
  });

  it('zooming before the container has a size changes only the zoom', () => {
    const view = zoomAt(
      FIT_VIEW,
      { width: 1920, height: 1080 },
      { width: 0, height: 0 },
      { x: 5, y: 5 },
      2,
    );
    expect(view).toEqual({ zoom: 2, panX: 0, panY: 0 });
  });

  it('round-trips screen ↔ video under every rotation, zoom and pan', () => {
    const raw = { width: 1920, height: 1080 };
    for (const rotation of rotations) {
      const video = displayedSize(raw, rotation);
      const view = panBy(
        zoomAt(FIT_VIEW, video, { width: 800, height: 600 }, { x: 123, y: 456 }, 2.5),
        31,
        -7,
      );
      const t = viewTransform(video, { width: 800, height: 600 }, view);
      for (const p of [
        { x: 0, y: 0 },
        { x: 10.25, y: 700 },
        { x: video.width, y: video.height },
      ]) {
        close(screenToVideo(t, videoToScreen(t, p)), p);
        close(rawToDisplayed(displayedToRaw(p, raw, rotation), raw, rotation), p);
      }
    }
  });
});

describe('rotation between raw frame and displayed picture', () => {
  const raw = { width: 1920, height: 1080 };

  it('turns a portrait phone clip (90° clockwise) upright', () => {
    expect(displayedSize(raw, 90)).toEqual({ width: 1080, height: 1920 });
    expect(rawToDisplayed({ x: 0, y: 0 }, raw, 90)).toEqual({ x: 1080, y: 0 });
    expect(rawToDisplayed({ x: 1920, y: 0 }, raw, 90)).toEqual({ x: 1080, y: 1920 });
    expect(rawToDisplayed({ x: 0, y: 1080 }, raw, 90)).toEqual({ x: 0, y: 0 });
  });

  it('maps corners for 180° and 270°', () => {
    expect(rawToDisplayed({ x: 0, y: 0 }, raw, 180)).toEqual({ x: 1920, y: 1080 });
    expect(rawToDisplayed({ x: 0, y: 0 }, raw, 270)).toEqual({ x: 0, y: 1920 });
    expect(displayedToRaw({ x: 0, y: 1920 }, raw, 270)).toEqual({ x: 0, y: 0 });
  });

  it('keeps every displayed point inside the displayed picture', () => {
    for (const rotation of rotations) {
      const size = displayedSize(raw, rotation);
      const p = rawToDisplayed({ x: 1500, y: 200 }, raw, rotation);
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(size.width);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeLessThanOrEqual(size.height);
    }
  });
});

describe('zoom for annotators', () => {
  const video = { width: 1920, height: 1080 };
  const container = { width: 960, height: 540 };

  it('comes back to the exact centred picture after zooming in and out anywhere', () => {
    let view = FIT_VIEW;
    const limits = zoomLimitsFor(video, container);
    for (const [x, y] of [
      [100, 80],
      [700, 300],
      [20, 500],
    ]) {
      view = zoomAt(view, video, container, { x: x ?? 0, y: y ?? 0 }, 1.7, limits);
    }
    for (const [x, y] of [
      [900, 10],
      [5, 5],
      [480, 270],
      [300, 300],
    ]) {
      view = zoomAt(view, video, container, { x: x ?? 0, y: y ?? 0 }, 1 / 1.7, limits);
    }
    expect(view).toEqual(FIT_VIEW);
  });

  it('buttons zoom about the centre, and back again exactly', () => {
    const zoomedIn = zoomAtCentre(zoomAtCentre(FIT_VIEW, video, container, 2), video, container, 2);
    expect(zoomedIn.zoom).toBe(4);
    const centre = screenToVideo(viewTransform(video, container, zoomedIn), { x: 480, y: 270 });
    close(centre, { x: 960, y: 540 });
    const back = zoomAtCentre(zoomAtCentre(zoomedIn, video, container, 0.5), video, container, 0.5);
    expect(back).toEqual(FIT_VIEW);
  });

  it('goes from the whole picture to 16× it, or to 16 screen pixels a video pixel', () => {
    expect(zoomLimitsFor(video, container)).toEqual({ min: 1, max: 32 });
    // A small clip on a big stage: 16× the whole picture is more than 16 pixels a pixel.
    expect(zoomLimitsFor({ width: 320, height: 240 }, { width: 960, height: 720 })).toEqual({
      min: 1,
      max: 16,
    });
  });

  it('shows actual pixels at 100 %, even for a picture smaller than the stage', () => {
    const view = actualPixelsView(FIT_VIEW, video, container);
    expect(zoomPercent(view, video, container)).toBeCloseTo(100, 9);
    expect(zoomPercent(FIT_VIEW, video, container)).toBeCloseTo(50, 9);
    const small = { width: 320, height: 240 };
    const big = { width: 960, height: 720 };
    const actual = actualPixelsView(FIT_VIEW, small, big);
    expect(zoomPercent(actual, small, big)).toBeCloseTo(100, 9);
    expect(actual).toMatchObject({ panX: 0, panY: 0 });
  });

  it('steps in and out from below the whole picture without jumping to it', () => {
    const small = { width: 320, height: 240 };
    const big = { width: 1554, height: 728 };
    const actual = actualPixelsView(FIT_VIEW, small, big);
    const zoomedIn = zoomAtCentre(actual, small, big, Math.SQRT2);
    expect(zoomPercent(zoomedIn, small, big)).toBeCloseTo(100 * Math.SQRT2, 9);
    // Out from 100 % stays at 100 %: never up to the whole picture (303 % here).
    expect(zoomAtCentre(actual, small, big, 1 / Math.SQRT2)).toEqual(actual);
    // From above the whole picture, out still stops exactly at it.
    const above = zoomAtCentre(FIT_VIEW, small, big, 1.2);
    expect(zoomAtCentre(above, small, big, 1 / Math.SQRT2)).toEqual(FIT_VIEW);
  });

  it('zooms to a box: centred, filling most of the stage', () => {
    const box = { x: 1200, y: 300, w: 200, h: 400 };
    const view = zoomToBox(video, container, box);
    const t = viewTransform(video, container, view);
    close(videoToScreen(t, { x: 1300, y: 500 }), { x: 480, y: 270 });
    expect(box.h * t.scale).toBeCloseTo(540 * 0.8, 6);
  });
});

describe('the view when the stage is resized', () => {
  const landscape = { width: 320, height: 240 };
  const portrait = { width: 240, height: 320 };
  // The stage at a 1280×720 window, then the window at 1920×1080, then the side panel closed.
  const first = { width: 914, height: 333 };
  const stages: readonly Size[] = [
    first,
    { width: 1554, height: 728 },
    { width: 1920, height: 728 },
    { width: 600, height: 900 },
  ];

  /** The picture's rectangle on the stage under `view`. */
  function pictureOn(video: Size, stage: Size, view = FIT_VIEW) {
    const t = viewTransform(video, stage, view);
    return {
      left: t.offsetX,
      top: t.offsetY,
      right: t.offsetX + video.width * t.scale,
      bottom: t.offsetY + video.height * t.scale,
    };
  }

  it('keeps fit fitted: the whole picture, centred, touching two opposite sides of any stage', () => {
    for (const video of [landscape, portrait]) {
      let view = FIT_VIEW;
      let from = first;
      for (const to of stages) {
        view = viewForResizedStage(view, video, from, to);
        from = to;
        expect(isFitView(view)).toBe(true);
        const p = pictureOn(video, to, view);
        expect(p.left).toBeGreaterThanOrEqual(-1e-9);
        expect(p.top).toBeGreaterThanOrEqual(-1e-9);
        expect(p.right).toBeLessThanOrEqual(to.width + 1e-9);
        expect(p.bottom).toBeLessThanOrEqual(to.height + 1e-9);
        expect(p.left).toBeCloseTo(to.width - p.right, 9);
        expect(p.top).toBeCloseTo(to.height - p.bottom, 9);
        const touchesSides = Math.abs(p.left) < 1e-9 && Math.abs(p.right - to.width) < 1e-9;
        const touchesTopAndBottom = Math.abs(p.top) < 1e-9 && Math.abs(p.bottom - to.height) < 1e-9;
        expect(touchesSides || touchesTopAndBottom).toBe(true);
      }
    }
  });

  it("keeps the annotator's zoom: the same screen pixels per video pixel and the same centre", () => {
    const video = { width: 1920, height: 1080 };
    const from = { width: 914, height: 333 };
    const zoomed = panBy(zoomAt(FIT_VIEW, video, from, { x: 200, y: 100 }, 3), 25, -10);
    const before = viewTransform(video, from, zoomed);
    const centre = screenToVideo(before, { x: from.width / 2, y: from.height / 2 });
    for (const to of stages) {
      const view = viewForResizedStage(zoomed, video, from, to);
      const after = viewTransform(video, to, view);
      expect(after.scale).toBeCloseTo(before.scale, 9);
      close(screenToVideo(after, { x: to.width / 2, y: to.height / 2 }), centre);
      expect(isFitView(view)).toBe(false);
    }
  });

  it('keeps 100 % at 100 % when the stage grows past the picture', () => {
    const from = { width: 400, height: 300 };
    const pixels = actualPixelsView(FIT_VIEW, landscape, from);
    const view = viewForResizedStage(pixels, landscape, from, { width: 1554, height: 728 });
    expect(zoomPercent(view, landscape, { width: 1554, height: 728 })).toBeCloseTo(100, 9);
    // Smaller than fit there, and still the annotator's scale rather than the whole picture.
    expect(view.zoom).toBeLessThan(1);
  });

  it('round-trips: a stage resized and resized back gives the view it started from', () => {
    const video = { width: 1920, height: 1080 };
    const a = { width: 914, height: 333 };
    const b = { width: 1554, height: 728 };
    const view = zoomAt(FIT_VIEW, video, a, { x: 700, y: 40 }, 2.5);
    const back = viewForResizedStage(viewForResizedStage(view, video, a, b), video, b, a);
    expect(back.zoom).toBeCloseTo(view.zoom, 9);
    expect(back.panX).toBeCloseTo(view.panX, 9);
    expect(back.panY).toBeCloseTo(view.panY, 9);
  });

  it('leaves the view alone while the stage has no size yet', () => {
    const view = { zoom: 2, panX: 30, panY: -12 };
    const none = { width: 0, height: 0 };
    expect(viewForResizedStage(view, landscape, none, first)).toBe(view);
    expect(viewForResizedStage(view, landscape, first, none)).toBe(view);
  });
});

import { describe, expect, it } from 'vitest';
import {
  displayedSize,
  displayedToRaw,
  FIT_VIEW,
  panBy,
  rawToDisplayed,
  screenToVideo,
  videoToScreen,
  viewTransform,
  zoomAt,
  type Point,
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

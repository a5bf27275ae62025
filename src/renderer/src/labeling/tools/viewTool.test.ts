import { describe, expect, it } from 'vitest';
import {
  FIT_VIEW,
  screenToVideo,
  viewTransform,
  type Point,
  type ViewState,
} from '../../../../shared/domain/labels';
import { MIDDLE_BUTTON, ViewTool, wheelDeltaPx, wheelZoom } from './viewTool';

const VIDEO = { width: 1920, height: 1080 };
const CONTAINER = { width: 1280, height: 720 };

function videoUnder(view: ViewState, screen: Point): Point {
  return screenToVideo(viewTransform(VIDEO, CONTAINER, view), screen);
}

describe('view tool', () => {
  it('wheel zoom keeps the picture point under the cursor where it was', () => {
    const cursor = { x: 913, y: 177 };
    let view: ViewState = { zoom: 1.3, panX: -40, panY: 25 };
    const before = videoUnder(view, cursor);
    for (const delta of [-100, -100, -240, 53]) {
      view = wheelZoom(view, VIDEO, CONTAINER, cursor, delta);
      const after = videoUnder(view, cursor);
      expect(after.x).toBeCloseTo(before.x, 6);
      expect(after.y).toBeCloseTo(before.y, 6);
    }
    expect(view.zoom).toBeGreaterThan(1.3);
  });

  it('wheel up zooms in, wheel down zooms out, and 500 px doubles', () => {
    const centre = { x: 640, y: 360 };
    expect(wheelZoom(FIT_VIEW, VIDEO, CONTAINER, centre, -500).zoom).toBeCloseTo(2, 9);
    const four = { zoom: 4, panX: 0, panY: 0 };
    expect(wheelZoom(four, VIDEO, CONTAINER, centre, 500).zoom).toBeCloseTo(2, 9);
    // Not past the whole picture, where nothing more would be seen; in to 16 screen pixels a
    // video pixel (this 1080p picture is fitted at 2/3 of its pixels, so 24× the whole picture).
    expect(wheelZoom(FIT_VIEW, VIDEO, CONTAINER, centre, 500)).toEqual(FIT_VIEW);
    expect(wheelZoom(FIT_VIEW, VIDEO, CONTAINER, centre, -5000).zoom).toBeCloseTo(24, 9);
    expect(wheelDeltaPx(3, 1)).toBe(48);
  });

  it('a middle drag, or a primary drag in pan mode, pans by the pointer movement', () => {
    const tool = new ViewTool();
    expect(tool.claims(MIDDLE_BUTTON, false)).toBe(true);
    expect(tool.claims(0, true)).toBe(true);
    expect(tool.claims(0, false)).toBe(false);
    tool.pointerDown({ x: 100, y: 100 });
    let view: ViewState = FIT_VIEW;
    view = tool.pointerMove({ x: 110, y: 95 }, view) ?? view;
    view = tool.pointerMove({ x: 130, y: 80 }, view) ?? view;
    expect(view).toEqual({ zoom: 1, panX: 30, panY: -20 });
    tool.pointerUp();
    expect(tool.pointerMove({ x: 200, y: 200 }, view)).toBeUndefined();
  });

  it('a pan keeps the grabbed picture point under the pointer', () => {
    const tool = new ViewTool();
    const start: ViewState = { zoom: 3, panX: 10, panY: -10 };
    const grabbed = videoUnder(start, { x: 500, y: 300 });
    tool.pointerDown({ x: 500, y: 300 });
    const view = tool.pointerMove({ x: 420, y: 350 }, start);
    if (!view) throw new Error('no pan');
    const under = videoUnder(view, { x: 420, y: 350 });
    expect(under.x).toBeCloseTo(grabbed.x, 9);
    expect(under.y).toBeCloseTo(grabbed.y, 9);
  });
});

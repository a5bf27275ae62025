import type { Box, Point, Size } from '../../../../shared/domain/labels';
import type { BoxHandle } from './overlayTool';

/** Smaller than this (video px) a box is a slip of the hand, not an object. */
export const MIN_BOX_SIZE = 2;

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * The box spanned by two corners, each clamped to the picture, with positive width and height
 * whichever way it was dragged; undefined when it is under `MIN_BOX_SIZE` either way.
 */
export function boxFromCorners(a: Point, b: Point, video: Size): Box | undefined {
  const x1 = clamp(Math.min(a.x, b.x), 0, video.width);
  const x2 = clamp(Math.max(a.x, b.x), 0, video.width);
  const y1 = clamp(Math.min(a.y, b.y), 0, video.height);
  const y2 = clamp(Math.max(a.y, b.y), 0, video.height);
  if (x2 - x1 < MIN_BOX_SIZE || y2 - y1 < MIN_BOX_SIZE) return undefined;
  return { x: x1, y: y1, w: x2 - x1, h: y2 - y1 };
}

/** The box moved by (dx, dy), stopped at the picture's edges without changing its size. */
export function moveBox(box: Box, dx: number, dy: number, video: Size): Box {
  return {
    x: clamp(box.x + dx, 0, Math.max(0, video.width - box.w)),
    y: clamp(box.y + dy, 0, Math.max(0, video.height - box.h)),
    w: box.w,
    h: box.h,
  };
}

const OPPOSITE_CORNER: Record<BoxHandle, (box: Box) => Point> = {
  nw: (b) => ({ x: b.x + b.w, y: b.y + b.h }),
  ne: (b) => ({ x: b.x, y: b.y + b.h }),
  sw: (b) => ({ x: b.x + b.w, y: b.y }),
  se: (b) => ({ x: b.x, y: b.y }),
};

/**
 * The box with corner `handle` dragged to `to`; the opposite corner stays. Dragging past it flips
 * the box rather than inverting it. Keeps the last valid box when the result would be too small.
 */
export function resizeBox(box: Box, handle: BoxHandle, to: Point, video: Size): Box {
  return boxFromCorners(OPPOSITE_CORNER[handle](box), to, video) ?? box;
}

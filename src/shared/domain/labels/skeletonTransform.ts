import type { Point } from './viewTransform';

/**
 * Scaling and rotating a whole skeleton by the handles of its selection box (CVAT's habit): the
 * geometry as pure functions, so the overlay tool, its preview and the tests agree.
 */

export type SkeletonBox = {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
};

export type CornerHandle = 'nw' | 'ne' | 'sw' | 'se';
export type SkeletonHandle = CornerHandle | 'rotate';

export type SkeletonTransform =
  /** Every point moved away from (or towards) `anchor` by `factor`: the proportions kept. */
  | { readonly kind: 'scale'; readonly anchor: Point; readonly factor: number }
  /** Every point turned about `centre` by `angle` radians (clockwise on screen, y down). */
  | { readonly kind: 'rotate'; readonly centre: Point; readonly angle: number };

/** The smallest scale a drag can reach, so a skeleton never collapses onto its anchor. */
export const MIN_SCALE = 0.05;

/** The box around the placed points; null with fewer than two, or all on one spot. */
export function skeletonBox(points: readonly (Point | null)[]): SkeletonBox | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  let count = 0;
  for (const p of points) {
    if (!p) continue;
    count++;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  if (count < 2 || (x1 - x0 === 0 && y1 - y0 === 0)) return null;
  return { x0, y0, x1, y1 };
}

export function corner(box: SkeletonBox, handle: CornerHandle): Point {
  return {
    x: handle === 'nw' || handle === 'sw' ? box.x0 : box.x1,
    y: handle === 'nw' || handle === 'ne' ? box.y0 : box.y1,
  };
}

const OPPOSITE: Record<CornerHandle, CornerHandle> = { nw: 'se', ne: 'sw', sw: 'ne', se: 'nw' };

export function boxCentre(box: SkeletonBox): Point {
  return { x: (box.x0 + box.x1) / 2, y: (box.y0 + box.y1) / 2 };
}

/**
 * A corner handle dragged to `pointer`: a uniform scale about the opposite corner, by how far the
 * pointer went along the box's diagonal (so sideways wobble does not change it).
 */
export function scaleFromCorner(
  box: SkeletonBox,
  handle: CornerHandle,
  pointer: Point,
): SkeletonTransform {
  const anchor = corner(box, OPPOSITE[handle]);
  const grabbed = corner(box, handle);
  const dx = grabbed.x - anchor.x;
  const dy = grabbed.y - anchor.y;
  const along = ((pointer.x - anchor.x) * dx + (pointer.y - anchor.y) * dy) / (dx * dx + dy * dy);
  return { kind: 'scale', anchor, factor: Math.max(MIN_SCALE, along) };
}

/** The rotation handle dragged from `press` to `pointer`: the angle swept about the box's centre. */
export function rotationFromDrag(
  box: SkeletonBox,
  press: Point,
  pointer: Point,
): SkeletonTransform {
  const centre = boxCentre(box);
  const angle =
    Math.atan2(pointer.y - centre.y, pointer.x - centre.x) -
    Math.atan2(press.y - centre.y, press.x - centre.x);
  return { kind: 'rotate', centre, angle };
}

export function transformPoint(p: Point, t: SkeletonTransform): Point {
  if (t.kind === 'scale') {
    return {
      x: t.anchor.x + (p.x - t.anchor.x) * t.factor,
      y: t.anchor.y + (p.y - t.anchor.y) * t.factor,
    };
  }
  const cos = Math.cos(t.angle);
  const sin = Math.sin(t.angle);
  const x = p.x - t.centre.x;
  const y = p.y - t.centre.y;
  return { x: t.centre.x + x * cos - y * sin, y: t.centre.y + x * sin + y * cos };
}

/** Whether the transform changes nothing (a press on a handle released without a drag). */
export function isIdentity(t: SkeletonTransform): boolean {
  return t.kind === 'scale' ? t.factor === 1 : t.angle === 0;
}

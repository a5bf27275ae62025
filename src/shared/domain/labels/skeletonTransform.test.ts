import { describe, expect, it } from 'vitest';
import {
  MIN_SCALE,
  isIdentity,
  rotationFromDrag,
  scaleFromCorner,
  skeletonBox,
  transformPoint,
} from './skeletonTransform';

const points = [{ x: 10, y: 20 }, null, { x: 50, y: 100 }, { x: 30, y: 60 }];

describe('skeleton transforms', () => {
  it('boxes the placed points, and refuses fewer than two', () => {
    expect(skeletonBox(points)).toEqual({ x0: 10, y0: 20, x1: 50, y1: 100 });
    expect(skeletonBox([{ x: 1, y: 1 }, null])).toBeNull();
    expect(
      skeletonBox([
        { x: 1, y: 1 },
        { x: 1, y: 1 },
      ]),
    ).toBeNull();
  });

  it('scales about the opposite corner by the drag along the diagonal', () => {
    const box = { x0: 10, y0: 20, x1: 50, y1: 100 };
    // The south-east corner dragged to twice its distance from the north-west corner.
    const grow = scaleFromCorner(box, 'se', { x: 90, y: 180 });
    expect(grow).toEqual({ kind: 'scale', anchor: { x: 10, y: 20 }, factor: 2 });
    expect(transformPoint({ x: 30, y: 60 }, grow)).toEqual({ x: 50, y: 100 });
    // Sideways wobble leaves the factor alone; the north-west corner halves about the south-east.
    const half = scaleFromCorner(box, 'nw', { x: 30, y: 60 });
    expect(half).toMatchObject({ anchor: { x: 50, y: 100 }, factor: 0.5 });
    expect(transformPoint({ x: 10, y: 20 }, half)).toEqual({ x: 30, y: 60 });
    // Dragged past the anchor: the smallest scale, never a mirror image.
    expect(scaleFromCorner(box, 'se', { x: 0, y: 0 })).toMatchObject({ factor: MIN_SCALE });
  });

  it('rotates about the box centre by the angle the handle swept', () => {
    const box = { x0: 0, y0: 0, x1: 100, y1: 100 };
    const quarter = rotationFromDrag(box, { x: 50, y: -20 }, { x: 120, y: 50 });
    expect(quarter.kind === 'rotate' && quarter.angle).toBeCloseTo(Math.PI / 2);
    const turned = transformPoint({ x: 50, y: 0 }, quarter);
    expect(turned.x).toBeCloseTo(100);
    expect(turned.y).toBeCloseTo(50);
  });

  it('knows a press released in place changes nothing', () => {
    expect(isIdentity({ kind: 'scale', anchor: { x: 0, y: 0 }, factor: 1 })).toBe(true);
    expect(isIdentity({ kind: 'rotate', centre: { x: 0, y: 0 }, angle: 0.1 })).toBe(false);
  });
});

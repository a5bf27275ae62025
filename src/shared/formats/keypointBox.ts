import { isPlaced, type PosePoint } from '../domain/labels';
import { roundCoordinate } from './exportNumbers';

/** `[x, y, width, height]` in pixels, COCO's box layout. */
export type XywhBox = readonly [number, number, number, number];

/**
 * The tightest box around the placed points (visible or occluded; unlabeled and undecided points
 * do not count), from the rounded coordinates so the box matches the written keypoints exactly.
 * No margin is added: COCO's person boxes come from segmentations, ours from points, so a box is
 * smaller than COCO's would be, and a single point gives a 0 × 0 box. Undefined when no point is
 * placed.
 */
export function keypointBox(
  points: readonly (PosePoint | null | undefined)[],
): XywhBox | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const point of points) {
    if (!isPlaced(point)) continue;
    const x = roundCoordinate(point.x);
    const y = roundCoordinate(point.y);
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  if (minX === Infinity) return undefined;
  return [minX, minY, roundCoordinate(maxX - minX), roundCoordinate(maxY - minY)];
}

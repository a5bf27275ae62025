/** A point in video pixels of the displayed picture. */
export type Point = { readonly x: number; readonly y: number };

/**
 * One annotator's points for one pose, in template order; `null` where the point is not labeled
 * (an undecided slot, or a point marked `unlabeled`). Visible and occluded points both count as
 * labeled, as COCO's `v > 0` does.
 */
export type LabeledPoints = readonly (Point | null)[];

/** An axis-aligned box: top-left corner, width, height (COCO's `bbox` order). */
export type Rect = {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
};

/** The tight box around the labeled points; `undefined` when none is labeled. */
export function boundingBoxOf(points: LabeledPoints): Rect | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const point of points) {
    if (point === null) continue;
    minX = Math.min(minX, point.x);
    minY = Math.min(minY, point.y);
    maxX = Math.max(maxX, point.x);
    maxY = Math.max(maxY, point.y);
  }
  if (minX > maxX) return undefined;
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
}

/** Mean of the defined values; `null` when there are none. */
export function meanOf(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let count = 0;
  for (const value of values) {
    if (value === null) continue;
    sum += value;
    count++;
  }
  return count === 0 ? null : sum / count;
}

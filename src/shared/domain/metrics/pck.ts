import { boundingBoxOf, type LabeledPoints, type Rect } from './geometry';
import type { PosePair } from './oks';

export type PckOptions = {
  /** The threshold as a share of the normaliser, e.g. 0.1 for PCK@0.1. */
  readonly alpha: number;
  /**
   * The box the threshold is relative to. Default: the tight box around the reference's labeled
   * points (visible and occluded), the box an annotation without a drawn person box implies.
   */
  readonly boxOf?: (reference: LabeledPoints) => Rect | undefined;
};

export type PosePck = {
  /** α × max(w, h) of the reference box, in pixels. */
  readonly threshold: number;
  /**
   * Per point: whether it is within the threshold; `null` where the reference did not label it. A
   * point the reference labeled and the other annotator did not is `false`.
   */
  readonly correct: readonly (boolean | null)[];
};

/**
 * PCK@α between two annotators on one frame. The normaliser is max(w, h) of the person box (the
 * bounding-box PCK of Yang & Ramanan, PAMI 2013, which uses the larger box side); a point counts
 * when its distance is strictly below α × max(w, h), as open-mmlab/mmpose's `_distance_acc`
 * (`distances < thr`) and its `PCKAccuracy` with `norm_item='bbox'` do. `undefined` when the
 * reference has no box or a box of zero size (a single labeled point gives no scale).
 */
export function posePck(
  reference: LabeledPoints,
  other: LabeledPoints,
  options: PckOptions,
): PosePck | undefined {
  const box = (options.boxOf ?? boundingBoxOf)(reference);
  if (!box) return undefined;
  const size = Math.max(box.w, box.h);
  if (!(size > 0)) return undefined;
  const threshold = options.alpha * size;
  const correct = reference.map((r, i) => {
    if (r === null) return null;
    const o = other[i] ?? null;
    if (o === null) return false;
    return Math.hypot(o.x - r.x, o.y - r.y) < threshold;
  });
  return { threshold, correct };
}

export type TrackPck = {
  /** Correct points over all scored points of all compared frames; `null` when none. */
  readonly pck: number | null;
  /** Per template point, the share of its scored frames where it was correct, else `null`. */
  readonly perPoint: readonly (number | null)[];
  readonly pointsCompared: number;
  readonly framesCompared: number;
};

/**
 * PCK of one track over the frames both annotators labeled. The overall figure pools every scored
 * point (each point-frame weighs the same), as PCK tables report "total".
 */
export function trackPck(
  pairs: readonly PosePair[],
  keypointCount: number,
  options: PckOptions,
): TrackPck {
  const hits = new Array<number>(keypointCount).fill(0);
  const counts = new Array<number>(keypointCount).fill(0);
  let framesCompared = 0;
  for (const pair of pairs) {
    const result = posePck(pair.reference, pair.other, options);
    if (!result) continue;
    framesCompared++;
    for (let i = 0; i < keypointCount; i++) {
      const correct = result.correct[i] ?? null;
      if (correct === null) continue;
      counts[i] = (counts[i] ?? 0) + 1;
      if (correct) hits[i] = (hits[i] ?? 0) + 1;
    }
  }
  const totalHits = hits.reduce((a, b) => a + b, 0);
  const pointsCompared = counts.reduce((a, b) => a + b, 0);
  return {
    pck: pointsCompared === 0 ? null : totalHits / pointsCompared,
    perPoint: hits.map((h, i) => {
      const n = counts[i] ?? 0;
      return n === 0 ? null : h / n;
    }),
    pointsCompared,
    framesCompared,
  };
}

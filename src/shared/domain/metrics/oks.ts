import { boundingBoxOf, meanOf, type LabeledPoints, type Point, type Rect } from './geometry';

/**
 * COCO's per-keypoint OKS sigmas for the 17 person keypoints, in COCO order: cocoapi
 * `PythonAPI/pycocotools/cocoeval.py`, `Params.setKpParams`, `kpt_oks_sigmas` (listed there ×10).
 */
export const COCO_BODY_SIGMAS: readonly number[] = [
  0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087,
  0.087, 0.089, 0.089,
];

/**
 * COCO-WholeBody's sigmas for one hand's 21 points (Jin et al., ECCV 2020), as the left-hand block
 * (indices 91–111, the right hand repeats it) of `sigmas` in open-mmlab/mmpose
 * `configs/_base_/datasets/coco_wholebody.py`. The order is root (wrist), thumb 1–4, forefinger
 * 1–4, middle 1–4, ring 1–4, pinky 1–4, which is MediaPipe's 21-point hand order that our hand
 * templates use.
 */
export const COCO_WHOLEBODY_HAND_SIGMAS: readonly number[] = [
  0.029, 0.022, 0.035, 0.037, 0.047, 0.026, 0.025, 0.024, 0.035, 0.018, 0.024, 0.022, 0.026, 0.017,
  0.021, 0.021, 0.032, 0.02, 0.019, 0.022, 0.031,
];

/** numpy's `np.spacing(1)`, the `eps` cocoapi adds to the area. */
const COCO_EPS = Number.EPSILON;

/** A keypoint as COCO stores it: `v` 0 not labeled, 1 labeled but not visible, 2 visible. */
export type CocoKeypoint = { readonly x: number; readonly y: number; readonly v: number };

/** The ground-truth side of cocoapi's `computeOks`: its keypoints, `area` and `bbox`. */
export type CocoGroundTruth = {
  readonly keypoints: readonly CocoKeypoint[];
  /** COCO's `area` (segment area in COCO itself); OKS uses it as the object scale s². */
  readonly area: number;
  /** Used only when no keypoint is labeled (see `cocoOks`). */
  readonly bbox: Rect;
};

export type CocoOks = {
  readonly oks: number;
  /**
   * exp(−e) per keypoint: `null` where the ground truth has `v = 0`, unless it labels no point at
   * all, in which case every keypoint is scored against the ignore region.
   */
  readonly similarities: readonly (number | null)[];
};

/**
 * OKS between one ground truth and one detection, exactly as cocoapi's `COCOeval.computeOks` does
 * for one (gt, dt) pair: `vars = (2σ)²`, `e = d² / vars / (area + eps) / 2`, OKS = mean of
 * exp(−e) over the keypoints with `v > 0` in the ground truth (the detection's own `v` is not
 * read). When the ground truth labels no keypoint, cocoapi instead measures each detected point's
 * distance to the box that doubles `bbox` on every side (zero inside it) and averages over all
 * keypoints. Floating-point operations are in cocoapi's order, so results match it to the bit.
 */
export function cocoOks(
  groundTruth: CocoGroundTruth,
  detection: readonly Point[],
  sigmas: readonly number[],
): CocoOks {
  const k = sigmas.length;
  if (groundTruth.keypoints.length !== k || detection.length !== k) {
    throw new RangeError(
      `OKS needs one sigma per keypoint: ${k} sigmas, ${groundTruth.keypoints.length} ground-truth and ${detection.length} detected keypoints.`,
    );
  }
  const labeled = groundTruth.keypoints.filter((p) => p.v > 0).length;
  const { bbox } = groundTruth;
  const x0 = bbox.x - bbox.w;
  const x1 = bbox.x + bbox.w * 2;
  const y0 = bbox.y - bbox.h;
  const y1 = bbox.y + bbox.h * 2;
  const similarities: (number | null)[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < k; i++) {
    const g = groundTruth.keypoints[i] as CocoKeypoint;
    const d = detection[i] as Point;
    const sigma = sigmas[i] as number;
    let dx: number;
    let dy: number;
    if (labeled > 0) {
      if (g.v <= 0) {
        similarities.push(null);
        continue;
      }
      dx = d.x - g.x;
      dy = d.y - g.y;
    } else {
      dx = Math.max(0, x0 - d.x) + Math.max(0, d.x - x1);
      dy = Math.max(0, y0 - d.y) + Math.max(0, d.y - y1);
    }
    const variance = (sigma * 2) ** 2;
    const e = (dx ** 2 + dy ** 2) / variance / (groundTruth.area + COCO_EPS) / 2;
    const similarity = Math.exp(-e);
    similarities.push(similarity);
    sum += similarity;
    count++;
  }
  return { oks: sum / count, similarities };
}

export type OksOptions = {
  readonly sigmas: readonly number[];
  /**
   * `reference` (the default): the first annotator is the ground truth, as COCO treats its GT.
   * `symmetric`: the mean of both directions, so neither annotator is favoured.
   */
  readonly mode?: 'reference' | 'symmetric';
  /**
   * The object scale s² for a reference pose. Default: the area of the tight box around the
   * reference's labeled points (we have no segment area as COCO does).
   */
  readonly areaOf?: (reference: LabeledPoints) => number;
};

export type PoseOks = {
  readonly oks: number;
  /** Per point exp(−e); `null` where the point is not scored (not labeled by the reference). */
  readonly similarities: readonly (number | null)[];
};

function keypointBoxArea(points: LabeledPoints): number {
  const box = boundingBoxOf(points);
  return box ? box.w * box.h : 0;
}

/**
 * OKS of `other` against `reference`, one direction, through `cocoOks`. A point the reference
 * labeled and the other annotator did not scores exactly 0: cocoapi would read it at (0, 0), as a
 * COCO export writes it, which scores ≈ 0 except when the reference point happens to lie near the
 * picture's corner. A reference that labels no point gives `undefined`: cocoapi would score
 * against an ignore region around a GT box, but between two annotators there is nothing to compare.
 */
function directedOks(
  reference: LabeledPoints,
  other: LabeledPoints,
  sigmas: readonly number[],
  areaOf: (reference: LabeledPoints) => number,
): PoseOks | undefined {
  if (!reference.some((p) => p !== null)) return undefined;
  const keypoints = sigmas.map((_, i): CocoKeypoint => {
    const p = reference[i] ?? null;
    return p === null ? { x: 0, y: 0, v: 0 } : { x: p.x, y: p.y, v: 2 };
  });
  const detection = sigmas.map((_, i): Point => other[i] ?? { x: 0, y: 0 });
  const area = areaOf(reference);
  const scored = cocoOks({ keypoints, area, bbox: { x: 0, y: 0, w: 0, h: 0 } }, detection, sigmas);
  const similarities = scored.similarities.map((s, i) =>
    s !== null && (other[i] ?? null) === null ? 0 : s,
  );
  const oks = meanOf(similarities);
  return oks === null ? undefined : { oks, similarities };
}

/**
 * OKS between two annotators' poses of one track on one frame; `undefined` when there is nothing
 * to compare (no reference point labeled; in `symmetric` mode, neither annotator labeled a point).
 * In `symmetric` mode the OKS and each point's similarity are the mean over the directions that
 * are defined.
 */
export function poseOks(
  reference: LabeledPoints,
  other: LabeledPoints,
  options: OksOptions,
): PoseOks | undefined {
  const areaOf = options.areaOf ?? keypointBoxArea;
  const forward = directedOks(reference, other, options.sigmas, areaOf);
  if (options.mode !== 'symmetric') return forward;
  const backward = directedOks(other, reference, options.sigmas, areaOf);
  if (!forward || !backward) return forward ?? backward;
  return {
    oks: (forward.oks + backward.oks) / 2,
    similarities: options.sigmas.map((_, i) =>
      meanOf([forward.similarities[i] ?? null, backward.similarities[i] ?? null]),
    ),
  };
}

/** Two annotators' poses of one track on one frame. */
export type PosePair = {
  readonly frame: number;
  readonly reference: LabeledPoints;
  readonly other: LabeledPoints;
};

export type TrackOks = {
  /** One entry per compared frame, in the order given. */
  readonly perFrame: readonly { readonly frame: number; readonly oks: number }[];
  /** Mean OKS over the compared frames; `null` when no frame could be compared. */
  readonly oks: number | null;
  /** Per template point, the mean exp(−e) over the frames where it was scored, else `null`. */
  readonly perPoint: readonly (number | null)[];
  readonly framesCompared: number;
};

/** OKS of one track over the frames both annotators labeled (`pairs`), per frame and per point. */
export function trackOks(pairs: readonly PosePair[], options: OksOptions): TrackOks {
  const k = options.sigmas.length;
  const pointSums = new Array<number>(k).fill(0);
  const pointCounts = new Array<number>(k).fill(0);
  const perFrame: { frame: number; oks: number }[] = [];
  let sum = 0;
  for (const pair of pairs) {
    const result = poseOks(pair.reference, pair.other, options);
    if (!result) continue;
    perFrame.push({ frame: pair.frame, oks: result.oks });
    sum += result.oks;
    result.similarities.forEach((similarity, i) => {
      if (similarity === null) return;
      pointSums[i] = (pointSums[i] ?? 0) + similarity;
      pointCounts[i] = (pointCounts[i] ?? 0) + 1;
    });
  }
  return {
    perFrame,
    oks: perFrame.length === 0 ? null : sum / perFrame.length,
    perPoint: pointSums.map((s, i) => {
      const n = pointCounts[i] ?? 0;
      return n === 0 ? null : s / n;
    }),
    framesCompared: perFrame.length,
  };
}

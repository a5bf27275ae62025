import { z } from 'zod';
import type { LabeledPoints, Point } from './geometry';
import { meanOf } from './geometry';
import { COCO_BODY_SIGMAS, COCO_WHOLEBODY_HAND_SIGMAS, cocoOks, type CocoKeypoint } from './oks';
import { posePck } from './pck';
import {
  compareSegmentations,
  poolSegmentationScores,
  type FrameLabel,
  type PooledSegmentationScores,
  type SegmentationScores,
} from './segmentMetrics';

/**
 * Agreement between two annotators' exported files of the same clips: COCO keypoint files (ours,
 * or any with `video_id`, `frame_index` on images and `track_id` on annotations, FORMATS.md) and
 * EPIC-KITCHENS-style action CSVs. The first file is the reference, as COCO's ground truth is.
 */

const Triplets = z.array(z.number()).refine((k) => k.length % 3 === 0, {
  message: 'must hold x, y, v triplets',
});

const CocoImage = z.looseObject({
  id: z.union([z.number(), z.string()]),
  video_id: z.union([z.number(), z.string()], { error: 'is required to match frames' }),
  frame_index: z.number().int().min(0, 'must be 0 or more'),
});

const CocoAnnotation = z.looseObject({
  image_id: z.union([z.number(), z.string()]),
  track_id: z.union([z.number(), z.string()], { error: 'is required to match people' }),
  keypoints: Triplets,
  area: z.number().min(0).optional(),
  bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
  lefthand_kpts: Triplets.optional(),
  righthand_kpts: Triplets.optional(),
  lefthand_valid: z.boolean().optional(),
  righthand_valid: z.boolean().optional(),
});

export const CocoKeypointFile = z.looseObject({
  images: z.array(CocoImage),
  annotations: z.array(CocoAnnotation),
});
export type CocoKeypointFile = z.infer<typeof CocoKeypointFile>;
type Annotation = z.infer<typeof CocoAnnotation>;

export type FrameAgreement = {
  readonly videoId: string;
  readonly frameIndex: number;
  readonly trackId: string;
  /** Body OKS with COCO's sigmas, the first file's pose as ground truth; null if it labels none. */
  readonly oks: number | null;
  /** Share of the reference's labeled body points within α × the reference box's longer side. */
  readonly pck: number | null;
  /** Mean OKS of the hands both files label (COCO-WholeBody hand sigmas), or null. */
  readonly handOks: number | null;
};

export type KeypointAgreement = {
  readonly frames: readonly FrameAgreement[];
  readonly meanOks: number | null;
  readonly pck: number | null;
  readonly pckAlpha: number;
  readonly meanHandOks: number | null;
  /** Poses in only one of the files: labeled by one annotator, missed by the other. */
  readonly onlyInFirst: number;
  readonly onlyInSecond: number;
};

function triplets(values: readonly number[]): CocoKeypoint[] {
  const points: CocoKeypoint[] = [];
  for (let i = 0; i + 2 < values.length; i += 3) {
    points.push({ x: values[i] ?? 0, y: values[i + 1] ?? 0, v: values[i + 2] ?? 0 });
  }
  return points;
}

function labeled(points: readonly CocoKeypoint[]): LabeledPoints {
  return points.map((p) => (p.v > 0 ? { x: p.x, y: p.y } : null));
}

function keyOf(videoId: string | number, frameIndex: number, trackId: string | number): string {
  return JSON.stringify([String(videoId), frameIndex, String(trackId)]);
}

function posesByKey(file: CocoKeypointFile): Map<string, Annotation> {
  const images = new Map(file.images.map((image) => [image.id, image]));
  const poses = new Map<string, Annotation>();
  for (const annotation of file.annotations) {
    const image = images.get(annotation.image_id);
    if (!image) {
      throw new RangeError(`annotation on image ${annotation.image_id}, which the file lacks`);
    }
    poses.set(keyOf(image.video_id, image.frame_index, annotation.track_id), annotation);
  }
  return poses;
}

/** OKS of `other`'s points against `reference` (cocoapi's computeOks with the file's area). */
function oksOf(
  reference: readonly CocoKeypoint[],
  other: readonly CocoKeypoint[],
  sigmas: readonly number[],
  area: number | undefined,
): number | null {
  if (reference.length !== sigmas.length || other.length !== sigmas.length) return null;
  const points = labeled(reference);
  if (points.every((p) => p === null)) return null;
  const xs = points.flatMap((p) => (p ? [p.x] : []));
  const ys = points.flatMap((p) => (p ? [p.y] : []));
  const w = Math.max(...xs) - Math.min(...xs);
  const h = Math.max(...ys) - Math.min(...ys);
  const detection: Point[] = other.map((p) => ({ x: p.x, y: p.y }));
  const scale = area !== undefined && area > 0 ? area : w * h;
  return cocoOks(
    { keypoints: reference, area: scale, bbox: { x: Math.min(...xs), y: Math.min(...ys), w, h } },
    detection,
    sigmas,
  ).oks;
}

function handOks(first: Annotation, second: Annotation): number | null {
  const scores: (number | null)[] = [];
  for (const side of ['lefthand', 'righthand'] as const) {
    const a = first[`${side}_kpts`];
    const b = second[`${side}_kpts`];
    if (!a || !b || first[`${side}_valid`] === false || second[`${side}_valid`] === false) continue;
    scores.push(oksOf(triplets(a), triplets(b), COCO_WHOLEBODY_HAND_SIGMAS, undefined));
  }
  return meanOf(scores);
}

/**
 * OKS per frame and overall, PCK@α and hand OKS between two COCO keypoint files, on the poses both
 * label (matched by `video_id`, `frame_index`, `track_id`). Body OKS uses the reference
 * annotation's `area` as COCO does (the tight box of its points when absent).
 */
export function keypointAgreement(
  first: CocoKeypointFile,
  second: CocoKeypointFile,
  options: { readonly pckAlpha?: number } = {},
): KeypointAgreement {
  const pckAlpha = options.pckAlpha ?? 0.2;
  const a = posesByKey(first);
  const b = posesByKey(second);
  const frames: FrameAgreement[] = [];
  let correct = 0;
  let scored = 0;
  for (const [key, reference] of a) {
    const other = b.get(key);
    if (!other) continue;
    const [videoId, frameIndex, trackId] = JSON.parse(key) as [string, number, string];
    const ref = triplets(reference.keypoints);
    const oth = triplets(other.keypoints);
    const oks = oksOf(ref, oth, COCO_BODY_SIGMAS, reference.area);
    const pck = posePck(labeled(ref), labeled(oth), { alpha: pckAlpha });
    let framePck: number | null = null;
    if (pck) {
      const judged = pck.correct.filter((c) => c !== null);
      const right = judged.filter(Boolean).length;
      correct += right;
      scored += judged.length;
      framePck = judged.length === 0 ? null : right / judged.length;
    }
    frames.push({
      videoId,
      frameIndex,
      trackId,
      oks,
      pck: framePck,
      handOks: handOks(reference, other),
    });
  }
  frames.sort(
    (x, y) =>
      x.videoId.localeCompare(y.videoId) ||
      x.frameIndex - y.frameIndex ||
      x.trackId.localeCompare(y.trackId),
  );
  return {
    frames,
    meanOks: meanOf(frames.map((f) => f.oks)),
    pck: scored === 0 ? null : correct / scored,
    pckAlpha,
    meanHandOks: meanOf(frames.map((f) => f.handOks)),
    onlyInFirst: [...a.keys()].filter((k) => !b.has(k)).length,
    onlyInSecond: [...b.keys()].filter((k) => !a.has(k)).length,
  };
}

/** One row of an EPIC-style actions CSV, as far as agreement needs it. */
export const ActionRow = z.object({
  video_id: z.string().min(1, 'must not be empty'),
  start_frame: z.coerce.number().int().min(0),
  stop_frame: z.coerce.number().int().min(0),
  verb_class: z.coerce.number().int(),
  noun_class: z.coerce.number().int(),
});
export type ActionRow = z.infer<typeof ActionRow>;

export type ActionAgreement = {
  readonly videos: readonly { readonly videoId: string; readonly scores: SegmentationScores }[];
  readonly pooled: PooledSegmentationScores;
};

/** Frame-wise "verb:noun" labels of one video's rows over frames 0 … frameCount − 1 (inclusive ends). */
function frameLabels(rows: readonly ActionRow[], frameCount: number): FrameLabel[] {
  const labels: FrameLabel[] = new Array<FrameLabel>(frameCount).fill(null);
  for (const row of rows) {
    for (let f = row.start_frame; f <= Math.min(row.stop_frame, frameCount - 1); f++) {
      labels[f] = `${row.verb_class}:${row.noun_class}`;
    }
  }
  return labels;
}

/**
 * Segment F1 at IoU 0.1/0.25/0.5, edit score and frame accuracy between two action CSVs, per
 * video and pooled as eval.py pools a split. Frames no segment covers are background, and each
 * video is compared over the frames either file reaches.
 */
export function actionAgreement(
  first: readonly ActionRow[],
  second: readonly ActionRow[],
): ActionAgreement {
  const videoIds = [...new Set([...first, ...second].map((r) => r.video_id))].sort();
  const videos = videoIds.map((videoId) => {
    const a = first.filter((r) => r.video_id === videoId);
    const b = second.filter((r) => r.video_id === videoId);
    const frameCount = Math.max(0, ...[...a, ...b].map((r) => r.stop_frame + 1));
    return {
      videoId,
      scores: compareSegmentations(frameLabels(b, frameCount), frameLabels(a, frameCount)),
    };
  });
  return { videos, pooled: poolSegmentationScores(videos.map((v) => v.scores)) };
}

import { z } from 'zod';

export const Visibility = z.enum(['visible', 'occluded', 'unlabeled']);
/** COCO's v: visible = 2, occluded = 1 (labeled but not seen), unlabeled = 0. */
export type Visibility = z.infer<typeof Visibility>;

export const TrackKind = z.enum(['person', 'left_hand', 'right_hand']);
export type TrackKind = z.infer<typeof TrackKind>;

const Coordinate = z.number({ error: 'must be a finite number' });

/**
 * One stored point, in video pixels of the **displayed (upright) picture**. `x`/`y` of an
 * `unlabeled` point carry no meaning (they are kept so cycling visibility does not lose the
 * position); exporters write 0, 0 as COCO does.
 */
export const Keypoint = z.discriminatedUnion('source', [
  z
    .object({ x: Coordinate, y: Coordinate, visibility: Visibility, source: z.literal('manual') })
    .strict(),
  z
    .object({
      x: Coordinate,
      y: Coordinate,
      visibility: Visibility,
      source: z.literal('model'),
      model: z.string().min(1, 'must name the model'),
      score: z.number().min(0, 'must be 0–1').max(1, 'must be 0–1'),
    })
    .strict(),
]);
export type Keypoint = z.infer<typeof Keypoint>;

const FrameIndex = z.number().int('must be a whole frame number').min(0, 'must be 0 or more');

/**
 * A keyframe holds one slot per template keypoint, in template order. `null` is a slot nobody has
 * decided yet; a point marked `unlabeled` is an explicit "cannot be labeled here". Submitting a clip
 * requires every slot to be decided.
 *
 * An **absent** keyframe (`absent: true`, no points) says the track is not in the picture from its
 * frame until the track's next keyframe: the person walked out and may come back. It is CVAT's
 * `outside` keyframe, with CVAT's meaning: the pose before it holds up to the frame before it, and
 * nothing is interpolated across it.
 */
export const Keyframe = z
  .object({
    frame: FrameIndex,
    points: z.array(Keypoint.nullable()),
    absent: z.literal(true).optional(),
  })
  .strict()
  .refine((keyframe) => keyframe.absent !== true || keyframe.points.length === 0, {
    message: 'an absent keyframe has no points',
    path: ['points'],
  });
export type Keyframe = z.infer<typeof Keyframe>;

/** The keyframe that says the track is out of the picture from `frame` on. */
export function absentKeyframe(frame: number): Keyframe {
  return { frame, points: [], absent: true };
}

export function isAbsent(keyframe: Keyframe | undefined): boolean {
  return keyframe?.absent === true;
}

/**
 * Whose hand a hand track is: a person track's, or the camera wearer's own (first-person clips,
 * where the wearer is never in the picture as a person). Absent on tracks nobody linked.
 */
export const HandLink = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('person'), trackId: z.string().min(1, 'must not be empty') }).strict(),
  z.object({ kind: z.literal('camera_wearer') }).strict(),
]);
export type HandLink = z.infer<typeof HandLink>;

export const Track = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    kind: TrackKind,
    templateId: z.string().min(1, 'must not be empty'),
    label: z.string(),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb'),
    /** Sorted by frame, one per frame: kept so by every operation here, checked on parse. */
    keyframes: z.array(Keyframe),
    /** Hand tracks only; documents from before links have none (optional, never defaulted). */
    link: HandLink.optional(),
  })
  .strict()
  .superRefine((track, ctx) => {
    if (track.link !== undefined && track.kind === 'person') {
      ctx.addIssue({ code: 'custom', path: ['link'], message: 'only a hand track has an owner' });
    }
    checkKeyframeOrder(track.keyframes, ctx);
  });
export type Track = z.infer<typeof Track>;

/** Refuses keyframes out of frame order or two on one frame (skeleton and box tracks alike). */
export function checkKeyframeOrder(
  keyframes: readonly { readonly frame: number }[],
  ctx: z.RefinementCtx,
): void {
  for (let i = 1; i < keyframes.length; i++) {
    const previous = keyframes[i - 1];
    const current = keyframes[i];
    if (previous && current && previous.frame >= current.frame) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyframes', i, 'frame'],
        message: 'keyframes must be in increasing frame order, one per frame',
      });
    }
  }
}

/**
 * Binary search over a track's sorted keyframes. Returns the keyframe's index when `frame` is a
 * keyframe, else `-(insertionPoint) - 1` (as Java's `Arrays.binarySearch`).
 */
export function searchKeyframes(
  keyframes: readonly { readonly frame: number }[],
  frame: number,
): number {
  let low = 0;
  let high = keyframes.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const midFrame = (keyframes[mid] as { frame: number }).frame;
    if (midFrame < frame) low = mid + 1;
    else if (midFrame > frame) high = mid - 1;
    else return mid;
  }
  return -low - 1;
}

export function keyframeAt(track: Track, frame: number): Keyframe | undefined {
  const index = searchKeyframes(track.keyframes, frame);
  return index >= 0 ? track.keyframes[index] : undefined;
}

/** The last keyframe strictly before `frame` (what "copy from previous keyframe" copies). */
export function previousKeyframe(track: Track, frame: number): Keyframe | undefined {
  const index = searchKeyframes(track.keyframes, frame);
  const insertion = index >= 0 ? index : -index - 1;
  return track.keyframes[insertion - 1];
}

/** The first keyframe strictly after `frame`. */
export function nextKeyframe(track: Track, frame: number): Keyframe | undefined {
  const index = searchKeyframes(track.keyframes, frame);
  return track.keyframes[index >= 0 ? index + 1 : -index - 1];
}

/** Frames `first`–`last` (inclusive). */
export type FrameRun = { readonly first: number; readonly last: number };

/**
 * The runs of frames on which the track is in the picture, in order: from a present keyframe up to
 * the frame before the next absent keyframe, or up to the last present keyframe when none follows.
 * An absent keyframe with no present one before it starts nothing.
 */
export function presentRuns(track: Track): FrameRun[] {
  const runs: FrameRun[] = [];
  let start: number | undefined;
  let lastPresent: number | undefined;
  for (const keyframe of track.keyframes) {
    if (keyframe.absent === true) {
      if (start !== undefined) runs.push({ first: start, last: keyframe.frame - 1 });
      start = undefined;
    } else {
      start ??= keyframe.frame;
      lastPresent = keyframe.frame;
    }
  }
  if (start !== undefined && lastPresent !== undefined)
    runs.push({ first: start, last: lastPresent });
  return runs;
}

/**
 * From the first to the last frame the track is in the picture; it has a pose only inside this
 * span, and inside it only on its `presentRuns`.
 */
export function trackSpan(track: Track): FrameRun | undefined {
  const runs = presentRuns(track);
  const first = runs[0];
  const last = runs[runs.length - 1];
  return first && last ? { first: first.first, last: last.last } : undefined;
}

/** Inserts or replaces the keyframe at `keyframe.frame`, keeping the order. */
export function withKeyframe(track: Track, keyframe: Keyframe): Track {
  return { ...track, keyframes: keyframesWith(track.keyframes, keyframe) };
}

/** `keyframes` with `keyframe` inserted in frame order, or replacing the one on its frame. */
export function keyframesWith<K extends { readonly frame: number }>(
  keyframes: readonly K[],
  keyframe: K,
): K[] {
  const index = searchKeyframes(keyframes, keyframe.frame);
  const next = [...keyframes];
  if (index >= 0) next[index] = keyframe;
  else next.splice(-index - 1, 0, keyframe);
  return next;
}

/** Removes the keyframe at `frame`; the same track when there is none. */
export function withoutKeyframe(track: Track, frame: number): Track {
  const index = searchKeyframes(track.keyframes, frame);
  if (index < 0) return track;
  return { ...track, keyframes: track.keyframes.filter((_, i) => i !== index) };
}

/** A keyframe with every slot undecided, for a template with `keypointCount` points. */
export function emptyKeyframe(frame: number, keypointCount: number): Keyframe {
  return { frame, points: Array.from({ length: keypointCount }, () => null) };
}

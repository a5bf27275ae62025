import { z } from 'zod';
import { Box } from './contact';
import { checkKeyframeOrder, keyframesWith, searchKeyframes, type FrameRun } from './tracks';

/**
 * What a box track boxes. The model is the same for every kind (keyframes, interpolation,
 * absence); the kind says how exports read it: `hand` boxes a hand track (`subjectId`), `object`
 * is the object of hand-object contacts (they name it), `face` is a face to blur.
 */
export const BoxTrackKind = z.enum(['hand', 'object', 'face']);
export type BoxTrackKind = z.infer<typeof BoxTrackKind>;

const FrameIndex = z.number().int('must be a whole frame number').min(0, 'must be 0 or more');

/**
 * A box keyframe: the box from this frame on, interpolated towards the next keyframe; or, with
 * `absent: true`, the thing is out of the picture from this frame until the next keyframe (CVAT's
 * `outside`, as for skeleton tracks).
 */
export const BoxKeyframe = z.union([
  z.object({ frame: FrameIndex, box: Box }).strict(),
  z.object({ frame: FrameIndex, absent: z.literal(true) }).strict(),
]);
export type BoxKeyframe = z.infer<typeof BoxKeyframe>;

export const BoxTrack = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    kind: BoxTrackKind,
    label: z.string(),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb'),
    /** The skeleton track this box belongs to (a hand box's hand track), or null. */
    subjectId: z.string().min(1, 'must not be empty').nullable(),
    /** Sorted by frame, one per frame. */
    keyframes: z.array(BoxKeyframe),
  })
  .strict()
  .superRefine((track, ctx) => checkKeyframeOrder(track.keyframes, ctx));
export type BoxTrack = z.infer<typeof BoxTrack>;

/** A box shown on one frame: stored on a keyframe, or computed between two. */
export type BoxAtFrame = { readonly box: Box; readonly isKeyframe: boolean };

export function isAbsentBox(
  keyframe: BoxKeyframe | undefined,
): keyframe is { frame: number; absent: true } {
  return keyframe !== undefined && 'absent' in keyframe;
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/**
 * The box of `track` at `frame`. Between two keyframes the corners move linearly (CVAT's box
 * interpolation); before an absent keyframe the box holds, and it holds after the last keyframe to
 * the end of the clip, as a CVAT shape does until `outside`: a box marks where something is until
 * someone says it left. `undefined` before the first keyframe and on absent stretches.
 */
export function boxAt(track: Pick<BoxTrack, 'keyframes'>, frame: number): BoxAtFrame | undefined {
  const { keyframes } = track;
  const index = searchKeyframes(keyframes, frame);
  if (index >= 0) {
    const keyframe = keyframes[index] as BoxKeyframe;
    return isAbsentBox(keyframe) ? undefined : { box: keyframe.box, isKeyframe: true };
  }
  const insertion = -index - 1;
  const before = keyframes[insertion - 1];
  const after = keyframes[insertion];
  if (!before || isAbsentBox(before)) return undefined;
  if (!after || isAbsentBox(after)) return { box: before.box, isKeyframe: false };
  const t = (frame - before.frame) / (after.frame - before.frame);
  const x0 = lerp(before.box.x, after.box.x, t);
  const y0 = lerp(before.box.y, after.box.y, t);
  const x1 = lerp(before.box.x + before.box.w, after.box.x + after.box.w, t);
  const y1 = lerp(before.box.y + before.box.h, after.box.y + after.box.h, t);
  return { box: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, isKeyframe: false };
}

/** The runs of frames on which the box is in the picture, within a clip of `frameCount` frames. */
export function boxPresentRuns(track: Pick<BoxTrack, 'keyframes'>, frameCount: number): FrameRun[] {
  const runs: FrameRun[] = [];
  let start: number | undefined;
  for (const keyframe of track.keyframes) {
    if (keyframe.frame >= frameCount) break;
    if (isAbsentBox(keyframe)) {
      if (start !== undefined) runs.push({ first: start, last: keyframe.frame - 1 });
      start = undefined;
    } else start ??= keyframe.frame;
  }
  if (start !== undefined) runs.push({ first: start, last: frameCount - 1 });
  return runs;
}

export function boxKeyframeAt(
  track: Pick<BoxTrack, 'keyframes'>,
  frame: number,
): BoxKeyframe | undefined {
  const index = searchKeyframes(track.keyframes, frame);
  return index >= 0 ? track.keyframes[index] : undefined;
}

/** Inserts or replaces the keyframe at `keyframe.frame`, keeping the order. */
export function withBoxKeyframe(track: BoxTrack, keyframe: BoxKeyframe): BoxTrack {
  return { ...track, keyframes: keyframesWith(track.keyframes, keyframe) };
}

export function withoutBoxKeyframe(track: BoxTrack, frame: number): BoxTrack {
  const index = searchKeyframes(track.keyframes, frame);
  if (index < 0) return track;
  return { ...track, keyframes: track.keyframes.filter((_, i) => i !== index) };
}

/** The box track of a hand track, if it has one (the first, should there be several). */
export function handBoxTrackOf(
  boxTracks: readonly BoxTrack[],
  handTrackId: string,
): BoxTrack | undefined {
  return boxTracks.find((b) => b.kind === 'hand' && b.subjectId === handTrackId);
}

const BOX_KIND_NAMES: Readonly<Record<BoxTrackKind, string>> = {
  hand: 'Hand box',
  object: 'Object',
  face: 'Face',
};

/** "Object 2" for a new box track of `kind`: the lowest number no box track is called by. */
export function newBoxTrackLabel(
  kind: BoxTrackKind,
  tracks: readonly Pick<BoxTrack, 'label'>[],
): string {
  const taken = new Set(tracks.map((t) => t.label.trim()));
  let n = 1;
  while (taken.has(`${BOX_KIND_NAMES[kind]} ${n}`)) n++;
  return `${BOX_KIND_NAMES[kind]} ${n}`;
}

export function boxTrackDisplayName(track: Pick<BoxTrack, 'kind' | 'label'>): string {
  const label = track.label.trim();
  return label === '' ? BOX_KIND_NAMES[track.kind] : label;
}

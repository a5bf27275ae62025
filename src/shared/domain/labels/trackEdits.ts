import { keyframeFromPose, poseAt } from './interpolateKeypoints';
import { absentKeyframe, presentRuns, type FrameRun, type Keyframe, type Track } from './tracks';

/**
 * Whole-track edits (split, merge) as pure functions over keyframes. Both keep what the annotator
 * sees: every frame shows the same pose (or none) after the edit as before it, only under another
 * track. The commands in `commands.ts` wrap them with ids, checks and undo.
 */

export type TrackEditResult<T> = { ok: true; value: T } | { ok: false; message: string };

/** A pose on `frame` as a stored keyframe: a keyframe as it is, a computed pose made manual. */
function keyframeOn(track: Track, frame: number, keypointCount: number): Keyframe | undefined {
  const pose = poseAt(track, frame);
  return pose && keyframeFromPose(pose, keypointCount);
}

/**
 * The same keyframes without absent ones that say nothing: before any present keyframe, after
 * another absent one, or last and right after the last present keyframe (the track ends there
 * anyway). What a CVAT file's `outside` shapes often are.
 */
export function withoutRedundantAbsence(keyframes: readonly Keyframe[]): Keyframe[] {
  const kept: Keyframe[] = [];
  for (const keyframe of keyframes) {
    const previous = kept[kept.length - 1];
    if (keyframe.absent === true && (previous === undefined || previous.absent === true)) continue;
    kept.push(keyframe);
  }
  const last = kept[kept.length - 1];
  const beforeLast = kept[kept.length - 2];
  if (last?.absent === true && beforeLast && beforeLast.frame === last.frame - 1) kept.pop();
  return kept;
}

/**
 * Splits `track` at `frame`: frames before it stay, frames from it on go to the second part. A pose
 * computed on either side of the cut (interpolated or held) is pinned as a keyframe, so neither
 * part's frames change.
 */
export function splitKeyframes(
  track: Track,
  frame: number,
  keypointCount: number,
): TrackEditResult<{ before: Keyframe[]; after: Keyframe[] }> {
  const before = track.keyframes.filter((k) => k.frame < frame);
  const after = track.keyframes.filter((k) => k.frame >= frame);
  if (!before.some((k) => k.absent !== true) || !after.some((k) => k.absent !== true)) {
    return {
      ok: false,
      message: `"${track.label}" has keyframes on one side of frame ${frame} only; split it between two keyframes.`,
    };
  }
  const lastBefore = before[before.length - 1];
  if (lastBefore && lastBefore.frame !== frame - 1) {
    const pinned = keyframeOn(track, frame - 1, keypointCount);
    if (pinned) before.push(pinned);
  }
  if (after[0]?.frame !== frame) {
    const pinned = keyframeOn(track, frame, keypointCount);
    if (pinned) after.unshift(pinned);
  }
  return {
    ok: true,
    value: { before: withoutRedundantAbsence(before), after: withoutRedundantAbsence(after) },
  };
}

function overlap(a: readonly FrameRun[], b: readonly FrameRun[]): FrameRun | undefined {
  for (const x of a) {
    for (const y of b) {
      const first = Math.max(x.first, y.first);
      const last = Math.min(x.last, y.last);
      if (first <= last) return { first, last };
    }
  }
  return undefined;
}

/**
 * The keyframes of one track made of `a` and `b`, which must not both be in the picture on any
 * frame. Each frame keeps the pose it had in whichever track showed it; between the two, where
 * neither did, the merged track is absent (nothing is interpolated across the gap).
 */
export function mergeKeyframes(
  a: Track,
  b: Track,
  keypointCount: number,
): TrackEditResult<Keyframe[]> {
  if (a.templateId !== b.templateId) {
    return {
      ok: false,
      message: `"${a.label}" and "${b.label}" use different skeletons; only tracks of one kind can be merged.`,
    };
  }
  const runsA = presentRuns(a);
  const runsB = presentRuns(b);
  const clash = overlap(runsA, runsB);
  if (clash) {
    const frames =
      clash.first === clash.last ? `frame ${clash.first}` : `frames ${clash.first}–${clash.last}`;
    return {
      ok: false,
      message: `"${a.label}" and "${b.label}" are both in the picture on ${frames}; delete or split one of them there first.`,
    };
  }
  const runs = [
    ...runsA.map((run) => ({ run, track: a })),
    ...runsB.map((run) => ({ run, track: b })),
  ].sort((x, y) => x.run.first - y.run.first);
  const merged: Keyframe[] = [];
  runs.forEach(({ run, track }, i) => {
    const inRun = track.keyframes.filter(
      (k) => k.absent !== true && k.frame >= run.first && k.frame <= run.last,
    );
    merged.push(...inRun);
    const next = runs[i + 1];
    // A run can end on its last keyframe, or hold that keyframe's pose up to an absent one.
    const endsByHolding = (inRun[inRun.length - 1]?.frame ?? run.last) < run.last;
    if (next?.run.first === run.last + 1) {
      // The next run starts right after: pin the held pose, or it would be interpolated instead.
      const held = endsByHolding ? keyframeOn(track, run.last, keypointCount) : undefined;
      if (held) merged.push(held);
    } else if (next || endsByHolding) {
      merged.push(absentKeyframe(run.last + 1));
    }
  });
  return { ok: true, value: merged };
}

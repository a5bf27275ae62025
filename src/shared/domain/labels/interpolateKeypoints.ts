import type { Keypoint, Keyframe, Track, Visibility } from './tracks';
import { searchKeyframes } from './tracks';

/** A point computed between two keyframes; never stored. */
export type InterpolatedPoint = {
  readonly x: number;
  readonly y: number;
  readonly visibility: Exclude<Visibility, 'unlabeled'>;
  readonly source: 'interpolated';
};

export type PosePoint = Keypoint | InterpolatedPoint;

/**
 * A track's pose at one frame. `points` has one entry per template keypoint; `null` means nothing
 * is labeled there: an undecided slot on a keyframe, or, between keyframes, a point that is not
 * labeled at both ends. A stored point marked `unlabeled` is returned as stored on its keyframe.
 */
export type Pose = {
  readonly frame: number;
  readonly isKeyframe: boolean;
  readonly points: readonly (PosePoint | null)[];
};

function isLabeled(point: Keypoint | null | undefined): point is Keypoint & {
  visibility: 'visible' | 'occluded';
} {
  return point != null && point.visibility !== 'unlabeled';
}

/** True when the point should be drawn (it has a position that means something). */
export function isPlaced(
  point: PosePoint | null | undefined,
): point is PosePoint & { visibility: 'visible' | 'occluded' } {
  return point != null && point.visibility !== 'unlabeled';
}

/**
 * Linear interpolation between two keyframes, per point, only between two labeled states: a point
 * unlabeled or undecided at either end is not invented (CVAT #3879 is what happens otherwise).
 *
 * Visibility rule: the interpolated point is `occluded` if it is occluded at either end, else
 * `visible`. Hiding behind something is the conservative reading — a point that was occluded at
 * one end cannot be claimed to be seen at any frame in between without someone looking.
 */
export function interpolateBetween(before: Keyframe, after: Keyframe, frame: number): Pose {
  const t = (frame - before.frame) / (after.frame - before.frame);
  const count = Math.max(before.points.length, after.points.length);
  const points: (PosePoint | null)[] = new Array<PosePoint | null>(count);
  for (let i = 0; i < count; i++) {
    const a = before.points[i];
    const b = after.points[i];
    if (isLabeled(a) && isLabeled(b)) {
      points[i] = {
        x: a.x + (b.x - a.x) * t,
        y: a.y + (b.y - a.y) * t,
        visibility:
          a.visibility === 'occluded' || b.visibility === 'occluded' ? 'occluded' : 'visible',
        source: 'interpolated',
      };
    } else {
      points[i] = null;
    }
  }
  return { frame, isKeyframe: false, points };
}

/**
 * The keyframe's pose held on a later frame, as CVAT holds a shape up to an `outside` keyframe:
 * the same positions, marked as not a keyframe so K still makes one there.
 */
function holdKeyframe(keyframe: Keyframe, frame: number): Pose {
  const points = keyframe.points.map((point): PosePoint | null =>
    isLabeled(point)
      ? { x: point.x, y: point.y, visibility: point.visibility, source: 'interpolated' }
      : null,
  );
  return { frame, isKeyframe: false, points };
}

/**
 * The pose of `track` at `frame`: the stored keyframe on a keyframe, an interpolation between the
 * surrounding keyframes otherwise, the previous keyframe held when the next one is absent, and
 * `undefined` where the track is out of the picture: before its first keyframe, after its last, and
 * from an absent keyframe to the next present one ("outside", as CVAT calls it). O(log n) in the
 * number of keyframes.
 */
export function poseAt(track: Track, frame: number): Pose | undefined {
  const { keyframes } = track;
  const index = searchKeyframes(keyframes, frame);
  if (index >= 0) {
    const keyframe = keyframes[index] as Keyframe;
    if (keyframe.absent === true) return undefined;
    return { frame, isKeyframe: true, points: keyframe.points };
  }
  const insertion = -index - 1;
  const before = keyframes[insertion - 1];
  const after = keyframes[insertion];
  if (!before || !after || before.absent === true) return undefined;
  if (after.absent === true) return holdKeyframe(before, frame);
  return interpolateBetween(before, after, frame);
}

/**
 * A keyframe made from the pose shown at `frame` (what `K` does): interpolated points become
 * manual points, because a person has now looked at them and chosen to keep them.
 */
export function keyframeFromPose(pose: Pose, keypointCount: number): Keyframe {
  const points: (Keypoint | null)[] = [];
  for (let i = 0; i < keypointCount; i++) {
    const point = pose.points[i];
    if (point == null) points.push(null);
    else if (point.source === 'interpolated') {
      points.push({ x: point.x, y: point.y, visibility: point.visibility, source: 'manual' });
    } else points.push(point);
  }
  return { frame: pose.frame, points };
}

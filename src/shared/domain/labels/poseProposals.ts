import type { Command } from './commands';
import { isPlaced, poseAt, type PosePoint } from './interpolateKeypoints';
import type { LabelsDocument } from './labelsDocument';
import type { SkeletonTemplate } from './projectSchema';
import { keyframeAt, type Keyframe, type Keypoint, type Track } from './tracks';
import type { FrameProposal, ModelKeypoint, ModelPose } from '../modelPose';

/**
 * Model proposals → label commands. Pure: the renderer calls these with the document it holds and
 * sends the result through `editLabels`, so proposals are saved and undone like any edit.
 *
 * Mapping is by keypoint **name**: BlazePose's 33 names (pose-detection's BLAZEPOSE_KEYPOINTS) and
 * MoveNet's 17 use COCO's names for COCO's points (nose, left_eye, …, right_ankle), so COCO-17
 * takes those 17 and a project template that lists BlazePose extras (left_heel, left_foot_index,
 * …) gets them too. A template point the model does not give stays undecided (null).
 */

export type ProposalOptions = {
  /** Recorded on each point (`Keypoint.model`): the model and its weights' version. */
  readonly model: string;
  /** Points scored below this come in as "not labeled" (the lead sets it; 0–1). */
  readonly scoreThreshold: number;
};

/** One template slot per keypoint: a model point, or null when the model has no such point. */
export function poseToPoints(
  pose: ModelPose,
  template: SkeletonTemplate,
  options: ProposalOptions,
): (Keypoint | null)[] {
  const byName = new Map(pose.keypoints.map((k) => [k.name, k]));
  return template.keypoints.map((name): Keypoint | null => {
    const point = byName.get(name);
    if (!point) return null;
    return {
      x: point.x,
      y: point.y,
      visibility: point.score >= options.scoreThreshold ? 'visible' : 'unlabeled',
      source: 'model',
      model: options.model,
      score: point.score,
    };
  });
}

/** Scales a pose found on a downscaled picture back to the displayed picture's pixels. */
export function scalePose(pose: ModelPose, scaleX: number, scaleY: number): ModelPose {
  const scale = (k: ModelKeypoint): ModelKeypoint => ({ ...k, x: k.x * scaleX, y: k.y * scaleY });
  return {
    score: pose.score,
    keypoints: pose.keypoints.map(scale),
    ...(pose.hands && {
      hands: pose.hands.map((hand) => ({ ...hand, keypoints: hand.keypoints.map(scale) })),
    }),
  };
}

type Placed = { x: number; y: number } | null;

/**
 * COCO's per-keypoint OKS constants (cocoapi `cocoeval.py`, `kpt_oks_sigmas`, divided by 10 there
 * as here); other names get the wrists' 0.062 — mid-range, so extras neither dominate nor vanish.
 */
const COCO_SIGMAS: Readonly<Record<string, number>> = {
  nose: 0.026,
  left_eye: 0.025,
  right_eye: 0.025,
  left_ear: 0.035,
  right_ear: 0.035,
  left_shoulder: 0.079,
  right_shoulder: 0.079,
  left_elbow: 0.072,
  right_elbow: 0.072,
  left_wrist: 0.062,
  right_wrist: 0.062,
  left_hip: 0.107,
  right_hip: 0.107,
  left_knee: 0.087,
  right_knee: 0.087,
  left_ankle: 0.089,
  right_ankle: 0.089,
};
const DEFAULT_SIGMA = 0.062;

function box(points: readonly Placed[]): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    if (!p) continue;
    x0 = Math.min(x0, p.x);
    y0 = Math.min(y0, p.y);
    x1 = Math.max(x1, p.x);
    y1 = Math.max(y1, p.y);
  }
  return x0 <= x1 ? { x0, y0, x1, y1 } : null;
}

function boxIoU(a: readonly Placed[], b: readonly Placed[]): number {
  const p = box(a);
  const q = box(b);
  if (!p || !q) return 0;
  const iw = Math.max(0, Math.min(p.x1, q.x1) - Math.max(p.x0, q.x0));
  const ih = Math.max(0, Math.min(p.y1, q.y1) - Math.max(p.y0, q.y0));
  const inter = iw * ih;
  const union = (p.x1 - p.x0) * (p.y1 - p.y0) + (q.x1 - q.x0) * (q.y1 - q.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Object keypoint similarity (COCO's OKS) of `candidate` against `reference`, over the points both
 * have, with the reference's box area as the object's scale. With fewer than three shared points
 * OKS says little, so the two boxes' IoU stands in.
 */
export function poseSimilarity(
  reference: readonly Placed[],
  candidate: readonly Placed[],
  names: readonly string[],
): number {
  const refBox = box(reference);
  if (!refBox) return 0;
  const area = Math.max(1, (refBox.x1 - refBox.x0) * (refBox.y1 - refBox.y0));
  let sum = 0;
  let shared = 0;
  for (let i = 0; i < names.length; i++) {
    const r = reference[i];
    const c = candidate[i];
    if (!r || !c) continue;
    const k = 2 * (COCO_SIGMAS[names[i] ?? ''] ?? DEFAULT_SIGMA);
    const d2 = (r.x - c.x) ** 2 + (r.y - c.y) ** 2;
    sum += Math.exp(-d2 / (2 * area * k * k));
    shared++;
  }
  return shared >= 3 ? sum / shared : boxIoU(reference, candidate);
}

/**
 * Below this, a proposal is a new person rather than an existing track. 0.2 OKS lets a person move
 * about a third of their size between sparse keyframes (every 10th frame of fast motion) and still
 * be matched, while two people standing apart score ~0.
 */
export const MIN_ASSOCIATION_SIMILARITY = 0.2;

export function placedPoints(points: readonly (PosePoint | null)[]): Placed[] {
  return points.map((p) => (isPlaced(p) ? { x: p.x, y: p.y } : null));
}

/** The track's pose at `frame`, else the nearest keyframe's: what a new proposal is compared with. */
export function referencePose(track: Track, frame: number): Placed[] | null {
  const pose = poseAt(track, frame);
  if (pose) return placedPoints(pose.points);
  const first = track.keyframes[0];
  const last = track.keyframes[track.keyframes.length - 1];
  if (!first || !last) return null;
  return placedPoints((frame < first.frame ? first : last).points);
}

/**
 * Pairs each proposed pose with at most one existing person track of `template`, greedily from the
 * most similar pair down (the usual tracker's choice; Hungarian matching changes nothing for the
 * handful of people on a household clip). Unpaired poses get `null`.
 */
export function associateProposals(
  tracks: readonly Track[],
  poses: readonly (Keypoint | null)[][],
  frame: number,
  template: SkeletonTemplate,
): (string | null)[] {
  const candidates = tracks.filter((t) => t.kind === 'person' && t.templateId === template.id);
  const pairs: { pose: number; trackId: string; similarity: number }[] = [];
  for (const track of candidates) {
    const reference = referencePose(track, frame);
    if (!reference) continue;
    poses.forEach((points, pose) => {
      const similarity = poseSimilarity(reference, placedPoints(points), template.keypoints);
      if (similarity >= MIN_ASSOCIATION_SIMILARITY)
        pairs.push({ pose, trackId: track.id, similarity });
    });
  }
  pairs.sort((a, b) => b.similarity - a.similarity);
  const result: (string | null)[] = poses.map(() => null);
  const used = new Set<string>();
  for (const pair of pairs) {
    if (result[pair.pose] !== null || used.has(pair.trackId)) continue;
    result[pair.pose] = pair.trackId;
    used.add(pair.trackId);
  }
  return result;
}

/** True when a person has touched any point of the keyframe: proposals never overwrite that. */
export function hasManualPoints(keyframe: Keyframe | undefined): boolean {
  return keyframe?.points.some((p) => p?.source === 'manual') ?? false;
}

export type NewTrackFactory = (index: number) => Pick<Track, 'id' | 'label' | 'color'>;

export type ProposalCommandResult = {
  /** Null when nothing changes (no person found, or every match was already edited by hand). */
  readonly command: Command | null;
  readonly updatedTrackIds: readonly string[];
  readonly addedTrackIds: readonly string[];
  /** Tracks whose keyframe at this frame has manual points, left as they are. */
  readonly keptTrackIds: readonly string[];
};

/**
 * One undoable command for one frame's proposals: a model keyframe on each matched track, a new
 * person track for each unmatched pose. A keyframe with any manual point is kept as it is.
 */
export function proposalCommand(
  doc: LabelsDocument,
  proposal: FrameProposal,
  template: SkeletonTemplate,
  options: ProposalOptions & { newTrack: NewTrackFactory },
): ProposalCommandResult {
  const poses = proposal.poses
    .map((pose) => poseToPoints(pose, template, options))
    // A pose with no point above the threshold is noise the annotator would only delete.
    .filter((points) => points.some((p) => p?.visibility === 'visible'));
  const matches = associateProposals(doc.tracks, poses, proposal.frame, template);
  const commands: Command[] = [];
  const updated: string[] = [];
  const added: string[] = [];
  const kept: string[] = [];
  let newIndex = 0;
  poses.forEach((points, i) => {
    const keyframe: Keyframe = { frame: proposal.frame, points };
    const trackId = matches[i];
    const track = trackId ? doc.tracks.find((t) => t.id === trackId) : undefined;
    if (track) {
      if (hasManualPoints(keyframeAt(track, proposal.frame))) {
        kept.push(track.id);
        return;
      }
      commands.push({ type: 'setKeyframe', trackId: track.id, keyframe });
      updated.push(track.id);
      return;
    }
    const made = options.newTrack(newIndex++);
    commands.push({
      type: 'addTrack',
      track: { ...made, kind: 'person', templateId: template.id, keyframes: [keyframe] },
    });
    added.push(made.id);
  });
  const command: Command | null =
    commands.length === 0
      ? null
      : commands.length === 1
        ? (commands[0] as Command)
        : { type: 'batch', commands };
  return { command, updatedTrackIds: updated, addedTrackIds: added, keptTrackIds: kept };
}

/**
 * "Accept pose" (one key): every model point of the track's keyframe at `frame` becomes the
 * annotator's (manual, same place and visibility). Null when there is no keyframe there or it
 * holds no model point.
 */
export function acceptPoseCommand(track: Track, frame: number): Command | null {
  const keyframe = keyframeAt(track, frame);
  if (!keyframe || !keyframe.points.some((p) => p?.source === 'model')) return null;
  const points = keyframe.points.map((p): Keypoint | null =>
    p?.source === 'model' ? { x: p.x, y: p.y, visibility: p.visibility, source: 'manual' } : p,
  );
  return { type: 'setKeyframe', trackId: track.id, keyframe: { frame, points } };
}

/** Which model proposals to accept at once: one track's, one frame's, a range's, or a mix. */
export type AcceptScope = {
  /** Only this track; every track when undefined. */
  readonly trackId?: string | undefined;
  /** Only keyframes on these frames (inclusive); every frame when undefined. */
  readonly frames?: { readonly first: number; readonly last: number } | undefined;
};

/**
 * Every model point in `scope` made the annotator's, as one undoable command (a batch of one
 * keyframe each). Null when the scope holds no proposal. `points` and `keyframes` count what it
 * accepts, for the message that says so.
 */
export function acceptProposalsCommand(
  doc: LabelsDocument,
  scope: AcceptScope,
): { command: Command; keyframes: number; points: number } | null {
  const commands: Command[] = [];
  let points = 0;
  for (const track of doc.tracks) {
    if (scope.trackId !== undefined && track.id !== scope.trackId) continue;
    for (const keyframe of track.keyframes) {
      if (
        scope.frames &&
        (keyframe.frame < scope.frames.first || keyframe.frame > scope.frames.last)
      ) {
        continue;
      }
      const accepted = acceptPoseCommand(track, keyframe.frame);
      if (!accepted) continue;
      points += keyframe.points.filter((p) => p?.source === 'model').length;
      commands.push(accepted);
    }
  }
  if (commands.length === 0) return null;
  const command: Command =
    commands.length === 1 ? (commands[0] as Command) : { type: 'batch', commands };
  return { command, keyframes: commands.length, points };
}

/** One model point nobody accepted yet: where it is, and how sure the model was. */
export type UnacceptedPoint = {
  readonly frame: number;
  readonly trackId: string;
  readonly point: number;
  readonly score: number;
};

/** Where the annotator is: the frame, and the selected track and point if any. */
export type ProposalCursor = {
  readonly frame: number;
  readonly trackId: string | null;
  readonly point: number | null;
};

/** Every unaccepted model point on a keyframe, by frame, then track (document order), then point. */
export function unacceptedPoints(doc: LabelsDocument): readonly UnacceptedPoint[] {
  const found: (UnacceptedPoint & { track: number })[] = [];
  doc.tracks.forEach((track, trackIndex) => {
    for (const keyframe of track.keyframes) {
      if (keyframe.absent === true) continue;
      keyframe.points.forEach((p, point) => {
        if (p?.source !== 'model') return;
        found.push({
          frame: keyframe.frame,
          trackId: track.id,
          point,
          score: p.score,
          track: trackIndex,
        });
      });
    }
  });
  found.sort((a, b) => a.frame - b.frame || a.track - b.track || a.point - b.point);
  return found.map(({ frame, trackId, point, score }) => ({ frame, trackId, point, score }));
}

function isAt(p: UnacceptedPoint, at: ProposalCursor): boolean {
  return p.frame === at.frame && p.trackId === at.trackId && p.point === at.point;
}

/**
 * The unaccepted point after the cursor, in reading order (frame, track, point), wrapping round:
 * pressed again and again it visits every proposal once.
 */
export function nextUnacceptedPoint(
  doc: LabelsDocument,
  at: ProposalCursor,
): UnacceptedPoint | undefined {
  const all = unacceptedPoints(doc);
  const here = all.findIndex((p) => isAt(p, at));
  if (here >= 0) return all[(here + 1) % all.length];
  const trackOrder = new Map(doc.tracks.map((t, i) => [t.id, i]));
  const atTrack = at.trackId === null ? -1 : (trackOrder.get(at.trackId) ?? -1);
  const after = all.find(
    (p) =>
      p.frame > at.frame || (p.frame === at.frame && (trackOrder.get(p.trackId) ?? 0) > atTrack),
  );
  return after ?? all[0];
}

/**
 * The unaccepted point the model was least sure of; with `after` (the walk's last stop), the next
 * least sure after it (ties in reading order), wrapping round, so the doubtful points can be
 * checked worst first.
 */
export function lowestScoredPoint(
  doc: LabelsDocument,
  after?: ProposalCursor,
): UnacceptedPoint | undefined {
  const all = [...unacceptedPoints(doc)].sort((a, b) => a.score - b.score);
  const here = after ? all.findIndex((p) => isAt(p, after)) : -1;
  return here >= 0 ? all[(here + 1) % all.length] : all[0];
}

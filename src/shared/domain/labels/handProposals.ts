import type { Command } from './commands';
import type { LabelsDocument } from './labelsDocument';
import {
  hasManualPoints,
  placedPoints,
  poseToPoints,
  proposalCommand,
  referencePose,
  type NewTrackFactory,
  type ProposalCommandResult,
  type ProposalOptions,
} from './poseProposals';
import {
  findTemplate,
  LEFT_HAND_TEMPLATE_ID,
  RIGHT_HAND_TEMPLATE_ID,
  type SkeletonTemplate,
} from './projectSchema';
import { keyframeAt, type Keyframe, type Keypoint, type Track } from './tracks';
import type { FrameProposal, HandSide, ModelHand } from '../modelPose';

/**
 * Hand proposals → label commands, beside the body's (poseProposals.ts). Pure, like it.
 *
 * Sides. The pose model names a wrist by how the body looks: BlazePose's `left_wrist` is the
 * person's left as the picture shows it. For a camera that is not mirrored — the head-mounted
 * egocentric camera this project is built for, or any ordinary camera — that is the person's real
 * left hand, so it goes on a left-hand track. A mirrored picture (a selfie camera, or footage
 * flipped on export) shows a left hand that looks like a right one, so the pose model calls it
 * right; the project says so (`preannotation.mirroredVideo`) and the side is swapped back here.
 * A hand found with no body (the palm detector's, on egocentric footage) is named by MediaPipe's
 * handedness output, read the same way — as a non-mirrored picture shows it — in the worker
 * (handMerge.ts sideFromHandedness), so this one swap serves both. Where a body is seen its side
 * wins: on small hands handedness disagreed with the pose (both of messi5.jpg's hands came out as
 * one side).
 */
export function resolveHandSide(poseSide: HandSide, mirroredVideo: boolean): HandSide {
  if (!mirroredVideo) return poseSide;
  return poseSide === 'left' ? 'right' : 'left';
}

export function handTrackKind(side: HandSide): 'left_hand' | 'right_hand' {
  return side === 'left' ? 'left_hand' : 'right_hand';
}

export function handTemplateId(side: HandSide): string {
  return side === 'left' ? LEFT_HAND_TEMPLATE_ID : RIGHT_HAND_TEMPLATE_ID;
}

type Placed = { x: number; y: number } | null;

function centreAndSize(points: readonly Placed[]): { x: number; y: number; size: number } | null {
  const placed = points.filter((p): p is { x: number; y: number } => p !== null);
  if (placed.length === 0) return null;
  const xs = placed.map((p) => p.x);
  const ys = placed.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2, size: Math.max(1, Math.hypot(x1 - x0, y1 - y0)) };
}

/**
 * How alike two placements of a hand are: exp(−(d/s)²), d the distance between the two hands'
 * box centres, s the reference hand's box diagonal. Not COCO's OKS, which the body uses: OKS
 * scales by the object's area, and a hand is small — on a 640 px frame a 45 px hand that moves
 * 7 px between keyframes (a slow pan, every 5th frame) scored below 0.2 and came in as a new hand
 * track. This stays ≥ 0.2 until a hand has moved ~1.3 of its own size, while two people's left
 * hands a body apart score ~0.
 */
export function handSimilarity(reference: readonly Placed[], candidate: readonly Placed[]): number {
  const a = centreAndSize(reference);
  const b = centreAndSize(candidate);
  if (!a || !b) return 0;
  return Math.exp(-((Math.hypot(a.x - b.x, a.y - b.y) / a.size) ** 2));
}

const MIN_HAND_SIMILARITY = 0.2;

/** Each proposed hand to at most one track of `kind`, greedily from the most alike pair down. */
function associateHands(
  tracks: readonly Track[],
  hands: readonly (Keypoint | null)[][],
  frame: number,
  template: SkeletonTemplate,
  kind: Track['kind'],
): (string | null)[] {
  const pairs: { hand: number; trackId: string; similarity: number }[] = [];
  for (const track of tracks) {
    if (track.kind !== kind || track.templateId !== template.id) continue;
    const reference = referencePose(track, frame);
    if (!reference) continue;
    hands.forEach((points, hand) => {
      const similarity = handSimilarity(reference, placedPoints(points));
      if (similarity >= MIN_HAND_SIMILARITY) pairs.push({ hand, trackId: track.id, similarity });
    });
  }
  pairs.sort((a, b) => b.similarity - a.similarity);
  const result: (string | null)[] = hands.map(() => null);
  const used = new Set<string>();
  for (const pair of pairs) {
    if (result[pair.hand] !== null || used.has(pair.trackId)) continue;
    result[pair.hand] = pair.trackId;
    used.add(pair.trackId);
  }
  return result;
}

export type NewHandTrackFactory = (
  side: HandSide,
  index: number,
) => Pick<Track, 'id' | 'label' | 'color'>;

export type FrameProposalOptions = ProposalOptions & {
  /** Recorded on each hand point; the body's model is `model`. */
  readonly handModel: string;
  readonly newTrack: NewTrackFactory;
  readonly newHandTrack: NewHandTrackFactory;
};

type HandResult = {
  commands: Command[];
  updated: string[];
  added: string[];
  kept: string[];
};

function handCommands(
  doc: LabelsDocument,
  frame: number,
  side: HandSide,
  hands: readonly ModelHand[],
  template: SkeletonTemplate,
  options: FrameProposalOptions,
): HandResult {
  const kind = handTrackKind(side);
  const proposals = hands
    .map((hand) =>
      poseToPoints({ score: hand.score, keypoints: hand.keypoints }, template, {
        model: options.handModel,
        scoreThreshold: options.scoreThreshold,
      }),
    )
    // A hand the model barely believes in would only be deleted by the annotator.
    .filter((points) => points.some((p) => p?.visibility === 'visible'));
  const matches = associateHands(doc.tracks, proposals, frame, template, kind);
  const out: HandResult = { commands: [], updated: [], added: [], kept: [] };
  let newIndex = 0;
  proposals.forEach((points, i) => {
    const keyframe: Keyframe = { frame, points };
    const trackId = matches[i];
    const track = trackId ? doc.tracks.find((t) => t.id === trackId) : undefined;
    if (track) {
      if (hasManualPoints(keyframeAt(track, frame))) {
        out.kept.push(track.id);
        return;
      }
      out.commands.push({ type: 'setKeyframe', trackId: track.id, keyframe });
      out.updated.push(track.id);
      return;
    }
    const made = options.newHandTrack(side, newIndex++);
    out.commands.push({
      type: 'addTrack',
      track: { ...made, kind, templateId: template.id, keyframes: [keyframe] },
    });
    out.added.push(made.id);
  });
  return out;
}

function flatten(command: Command | null): Command[] {
  if (!command) return [];
  return command.type === 'batch' ? [...command.commands] : [command];
}

/**
 * One undoable command for one frame: the people (proposalCommand) and their hands, each hand on
 * a left- or right-hand track matched by similarity like people are. `ModelHand.side` must already
 * be resolved (resolveHandSide): the service does it with the project's mirrored-video setting.
 */
export function frameProposalCommand(
  doc: LabelsDocument,
  proposal: FrameProposal,
  bodyTemplate: SkeletonTemplate,
  templates: readonly SkeletonTemplate[],
  options: FrameProposalOptions,
): ProposalCommandResult {
  const body = proposalCommand(doc, proposal, bodyTemplate, options);
  const commands = flatten(body.command);
  const updated = [...body.updatedTrackIds];
  const added = [...body.addedTrackIds];
  const kept = [...body.keptTrackIds];
  const hands = proposal.poses.flatMap((pose) => pose.hands ?? []);
  for (const side of ['left', 'right'] as const) {
    const template = findTemplate(templates, handTemplateId(side));
    const ofSide = hands.filter((hand) => hand.side === side);
    if (!template || ofSide.length === 0) continue;
    const result = handCommands(doc, proposal.frame, side, ofSide, template, options);
    commands.push(...result.commands);
    updated.push(...result.updated);
    added.push(...result.added);
    kept.push(...result.kept);
  }
  const command: Command | null =
    commands.length === 0
      ? null
      : commands.length === 1
        ? (commands[0] as Command)
        : { type: 'batch', commands };
  return { command, updatedTrackIds: updated, addedTrackIds: added, keptTrackIds: kept };
}

import { rowDisplayName, trackDisplayName } from './trackNames';
import { validateContact } from './contact';
import type { EditContext, LabelsDocument } from './labelsDocument';
import { findTemplate } from './projectSchema';

export type CompletenessProblemKind =
  | 'undecided_points'
  | 'wrong_point_count'
  | 'unknown_template'
  | 'unlabeled_segment'
  | 'invalid_contact'
  | 'unaccepted_proposals';

/** One thing to fix before submitting, with the frames it concerns (for links to jump there). */
export type CompletenessProblem = {
  readonly kind: CompletenessProblemKind;
  readonly frames: readonly number[];
  /** The track, segment or contact it is about. */
  readonly recordId: string;
  readonly message: string;
};

function names(list: readonly string[]): string {
  return list.length <= 4
    ? list.join(', ')
    : `${list.slice(0, 4).join(', ')} and ${list.length - 4} more`;
}

/**
 * What stops a clip from being submitted: keyframe slots nobody decided (each point must be placed
 * or explicitly marked not labeled), segments without a verb or a noun, invalid contact labels, and
 * more unaccepted model proposals than the project allows. An empty list means the clip may be
 * submitted. Ordered by track, segment, contact, then proposals, each by frame.
 */
export function checkCompleteness(
  doc: LabelsDocument,
  context: EditContext,
): readonly CompletenessProblem[] {
  const problems: CompletenessProblem[] = [];
  for (const track of doc.tracks) {
    const template = findTemplate(context.templates, track.templateId);
    if (!template) {
      problems.push({
        kind: 'unknown_template',
        frames: [],
        recordId: track.id,
        message: `Track "${trackDisplayName(track, doc.tracks)}" uses template "${track.templateId}", which this project does not have.`,
      });
      continue;
    }
    for (const keyframe of track.keyframes) {
      // "Out of the picture from here" is a decision in itself, with no points to decide.
      if (keyframe.absent === true) continue;
      if (keyframe.points.length !== template.keypoints.length) {
        problems.push({
          kind: 'wrong_point_count',
          frames: [keyframe.frame],
          recordId: track.id,
          message: `Track "${trackDisplayName(track, doc.tracks)}", keyframe at frame ${keyframe.frame}: has ${keyframe.points.length} points, but ${template.name} has ${template.keypoints.length}.`,
        });
        continue;
      }
      const undecided = template.keypoints.filter((_, i) => keyframe.points[i] == null);
      if (undecided.length > 0) {
        problems.push({
          kind: 'undecided_points',
          frames: [keyframe.frame],
          recordId: track.id,
          message: `Track "${trackDisplayName(track, doc.tracks)}", keyframe at frame ${keyframe.frame}: ${undecided.length === 1 ? 'point' : `${undecided.length} points`} ${names(undecided)} ${undecided.length === 1 ? 'is' : 'are'} neither placed nor marked not labeled.`,
        });
      }
    }
  }
  for (const segment of doc.segments) {
    const lacking = [
      segment.verbId === null ? 'verb' : '',
      segment.nounId === null ? 'noun' : '',
    ].filter((s) => s !== '');
    if (lacking.length > 0) {
      problems.push({
        kind: 'unlabeled_segment',
        frames: [segment.startFrame, segment.endFrame],
        recordId: segment.id,
        message: `Segment at frames ${segment.startFrame}–${segment.endFrame} (${rowDisplayName(segment.actor, doc.tracks)} row) has no ${lacking.join(' and no ')}.`,
      });
    }
  }
  const handTrackIds = new Set(doc.tracks.filter((t) => t.kind !== 'person').map((t) => t.id));
  const segmentIds = new Set(doc.segments.map((s) => s.id));
  for (const contact of doc.contacts) {
    const found = validateContact(contact, doc.contacts, {
      frameCount: context.frameCount,
      handTrackIds,
      segmentIds,
      ...(context.objectClassIds ? { objectClassIds: context.objectClassIds } : {}),
    });
    for (const message of found) {
      problems.push({
        kind: 'invalid_contact',
        frames: [contact.startFrame, contact.endFrame],
        recordId: contact.id,
        message,
      });
    }
  }
  problems.push(...unacceptedProposals(doc, context.maxUnacceptedShare ?? 0));
  return problems;
}

/** How many of the clip's decided points are model proposals nobody accepted, per track. */
export function proposalShare(doc: LabelsDocument): {
  readonly decided: number;
  readonly unaccepted: number;
  readonly byTrack: readonly { trackId: string; points: number; frames: readonly number[] }[];
} {
  let decided = 0;
  let unaccepted = 0;
  const byTrack: { trackId: string; points: number; frames: number[] }[] = [];
  for (const track of doc.tracks) {
    let points = 0;
    const frames: number[] = [];
    for (const keyframe of track.keyframes) {
      if (keyframe.absent === true) continue;
      let here = 0;
      for (const point of keyframe.points) {
        if (point == null) continue;
        decided++;
        if (point.source === 'model') here++;
      }
      if (here > 0) frames.push(keyframe.frame);
      points += here;
    }
    unaccepted += points;
    if (points > 0) byTrack.push({ trackId: track.id, points, frames });
  }
  return { decided, unaccepted, byTrack };
}

/** A share as people read it: "23.5 %". */
export function percentText(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

/**
 * One problem per track holding unaccepted proposals, when their share of the clip's decided
 * points is above `limit`: the counts, and the keyframes to visit.
 */
function unacceptedProposals(doc: LabelsDocument, limit: number): CompletenessProblem[] {
  const { decided, unaccepted, byTrack } = proposalShare(doc);
  if (decided === 0 || unaccepted / decided <= limit) return [];
  const share = `${unaccepted} of the clip's ${decided} points (${percentText(unaccepted / decided)}) are model proposals nobody accepted; this project allows ${percentText(limit)}`;
  return byTrack.map(({ trackId, points, frames }) => {
    const track = doc.tracks.find((t) => t.id === trackId);
    const name = track ? trackDisplayName(track, doc.tracks) : trackId;
    return {
      kind: 'unaccepted_proposals',
      frames,
      recordId: trackId,
      message: `Track "${name}": ${points} unaccepted model point${points === 1 ? '' : 's'} on ${frames.length} keyframe${frames.length === 1 ? '' : 's'} (${share}). Check them and accept (A on a frame, Shift+A for the track).`,
    };
  });
}

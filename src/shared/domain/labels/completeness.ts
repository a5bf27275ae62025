import { rowDisplayName, trackDisplayName } from './trackNames';
import { validateContact } from './contact';
import type { EditContext, LabelsDocument } from './labelsDocument';
import { findTemplate } from './projectSchema';

export type CompletenessProblemKind =
  | 'undecided_points'
  | 'wrong_point_count'
  | 'unknown_template'
  | 'unlabeled_segment'
  | 'invalid_contact';

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
 * or explicitly marked not labeled), segments without a verb or a noun, and invalid contact labels.
 * An empty list means the clip may be submitted. Ordered by track, segment, contact, then frame.
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
  return problems;
}

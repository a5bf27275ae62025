import {
  BUILT_IN_TEMPLATES,
  findTemplate,
  rowDisplayName,
  trackDisplayName,
  type LabelsDocument,
  type SkeletonTemplate,
} from '../labels';
import type { CommentPin } from './reviewComment';

/**
 * Where a review comment is pinned, in the words of the people reading it: "left_wrist of Person 1,
 * frame 400", "Camera wearer segment, frames 40–60", never a record id.
 */
export function describePin(
  pin: CommentPin,
  labels: LabelsDocument,
  templates: readonly SkeletonTemplate[] = BUILT_IN_TEMPLATES,
): string {
  switch (pin.kind) {
    case 'frame':
      return `frame ${pin.frame}`;
    case 'point': {
      const track = labels.tracks.find((t) => t.id === pin.trackId);
      if (!track) return `point ${pin.index + 1} of a deleted track, frame ${pin.frame}`;
      const name = findTemplate(templates, track.templateId)?.keypoints[pin.index];
      return `${name ?? `point ${pin.index + 1}`} of ${trackDisplayName(track, labels.tracks)}, frame ${pin.frame}`;
    }
    case 'segment': {
      const segment = labels.segments.find((s) => s.id === pin.segmentId);
      if (!segment) return 'a deleted segment';
      return `${rowDisplayName(segment.actor, labels.tracks)} segment, frames ${segment.startFrame}–${segment.endFrame}`;
    }
    case 'contact': {
      const contact = labels.contacts.find((c) => c.id === pin.contactId);
      if (!contact) return 'a deleted contact label';
      const hand = labels.tracks.find((t) => t.id === contact.trackId);
      const name = hand ? trackDisplayName(hand, labels.tracks) : 'a deleted hand';
      return `${name} contact, frames ${contact.startFrame}–${contact.endFrame}`;
    }
  }
}

import {
  contactAt,
  findTemplate,
  poseAt,
  trackDisplayName,
  type Box,
  type LabelsDocument,
  type Pose,
  type SkeletonTemplate,
} from '../../../../shared/domain/labels';

import type { OverlayCommentPin } from './commentPins';

/** One track as the overlay draws it at one frame. `pose` is undefined outside the track's span. */
export type OverlayTrack = {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly template: SkeletonTemplate;
  readonly pose: Pose | undefined;
};

/** The object box of a hand's contact label that covers the frame. */
export type OverlayContactBox = {
  readonly contactId: string;
  readonly trackId: string;
  readonly box: Box;
  readonly label: string;
  readonly color: string;
};

/** What is selected; the host owns it and passes it back in every scene. */
export type OverlaySelection = {
  readonly trackId: string | null;
  /** A template slot of the selected track. */
  readonly point: number | null;
  readonly contactId: string | null;
};

export const NO_SELECTION: OverlaySelection = { trackId: null, point: null, contactId: null };

/** Everything the overlay shows at one frame, in video pixels of the displayed picture. */
export type OverlayScene = {
  readonly frame: number;
  readonly tracks: readonly OverlayTrack[];
  readonly contactBoxes: readonly OverlayContactBox[];
  readonly selectedTrackId: string | null;
  readonly selectedPoint: number | null;
  readonly selectedContactId: string | null;
  /** Review comments pinned at this frame (see `commentPins.ts`); none outside review. */
  readonly commentPins?: readonly OverlayCommentPin[];
};

export const EMPTY_SCENE: OverlayScene = {
  frame: 0,
  tracks: [],
  contactBoxes: [],
  selectedTrackId: null,
  selectedPoint: null,
  selectedContactId: null,
};

/** Object class names by id, for box captions; without one the caption is the track label. */
export type ObjectClassNames = ReadonlyMap<number, string>;

/**
 * The scene at `frame`: each track's pose (stored or interpolated) and the object boxes of the
 * contact labels covering the frame. Tracks whose template the project lacks are left out rather
 * than drawn with a guessed skeleton; the completeness check reports them.
 */
export function buildOverlayScene(
  doc: LabelsDocument,
  frame: number,
  templates: readonly SkeletonTemplate[],
  selection: OverlaySelection,
  objectClassNames: ObjectClassNames = new Map(),
): OverlayScene {
  const tracks: OverlayTrack[] = [];
  const contactBoxes: OverlayContactBox[] = [];
  for (const track of doc.tracks) {
    const template = findTemplate(templates, track.templateId);
    if (!template) continue;
    tracks.push({
      id: track.id,
      label: trackDisplayName(track, doc.tracks),
      color: track.color,
      template,
      pose: poseAt(track, frame),
    });
    if (track.kind === 'person') continue;
    const contact = contactAt(doc.contacts, track.id, frame);
    if (!contact?.object) continue;
    const className = objectClassNames.get(contact.object.classId);
    contactBoxes.push({
      contactId: contact.id,
      trackId: track.id,
      box: contact.object.box,
      label: className
        ? `${trackDisplayName(track, doc.tracks)}: ${className}`
        : trackDisplayName(track, doc.tracks),
      color: track.color,
    });
  }
  return {
    frame,
    tracks,
    contactBoxes,
    selectedTrackId: selection.trackId,
    selectedPoint: selection.point,
    selectedContactId: selection.contactId,
  };
}

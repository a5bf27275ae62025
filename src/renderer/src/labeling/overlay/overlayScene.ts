import {
  boxAt,
  boxTrackDisplayName,
  boxTracksOf,
  contactAt,
  findTemplate,
  objectBoxAt,
  poseAt,
  trackDisplayName,
  type Box,
  type BoxTrackKind,
  type LabelsDocument,
  type Pose,
  type SkeletonTemplate,
} from '../../../../shared/domain/labels';

import {
  boxAt as faceBoxAt,
  FACE_COLOR,
  FACE_LABEL,
  type FaceTrack,
} from '../../../../shared/domain/faces/faceTracks';
import type { OverlayCommentPin } from './commentPins';

/** One track as the overlay draws it at one frame. `pose` is undefined outside the track's span. */
export type OverlayTrack = {
  readonly id: string;
  readonly label: string;
  readonly color: string;
  readonly template: SkeletonTemplate;
  readonly pose: Pose | undefined;
};

/**
 * A box drawn on the frame: a box track's (hand, object, face), or the static object box of a
 * contact from before box tracks (`boxId` then is `contact:<id>`; editing it makes it a track).
 */
export type OverlayBox = {
  readonly boxId: string;
  readonly kind: BoxTrackKind;
  /** The hand track it belongs to (a hand box, or the hand touching an object), if any. */
  readonly trackId: string | null;
  /** The contact whose object it is, on this frame. */
  readonly contactId: string | null;
  readonly box: Box;
  readonly isKeyframe: boolean;
  readonly label: string;
  readonly color: string;
};

/** The `boxId` of a version 1 contact's static object box. */
export function staticObjectBoxId(contactId: string): string {
  return `contact:${contactId}`;
}

/** What is selected; the host owns it and passes it back in every scene. */
export type OverlaySelection = {
  readonly trackId: string | null;
  /** A template slot of the selected track. */
  readonly point: number | null;
  readonly contactId: string | null;
  readonly boxId?: string | null | undefined;
};

export const NO_SELECTION: OverlaySelection = { trackId: null, point: null, contactId: null };

/** Everything the overlay shows at one frame, in video pixels of the displayed picture. */
export type OverlayScene = {
  readonly frame: number;
  readonly tracks: readonly OverlayTrack[];
  readonly boxes: readonly OverlayBox[];
  readonly selectedTrackId: string | null;
  readonly selectedPoint: number | null;
  readonly selectedContactId: string | null;
  readonly selectedBoxId: string | null;
  /** Review comments pinned at this frame (see `commentPins.ts`); none outside review. */
  readonly commentPins?: readonly OverlayCommentPin[];
};

export const EMPTY_SCENE: OverlayScene = {
  frame: 0,
  tracks: [],
  boxes: [],
  selectedTrackId: null,
  selectedPoint: null,
  selectedContactId: null,
  selectedBoxId: null,
};

/** Object class names by id, for box captions; without one the caption is the track label. */
export type ObjectClassNames = ReadonlyMap<number, string>;

/**
 * The scene at `frame`: each track's pose (stored or interpolated) and the boxes on the frame.
 * Hand and face boxes show wherever their track is in the picture; an object's box shows only
 * inside a contact that names it (the object is labeled where a hand touches it). Tracks whose
 * template the project lacks are left out rather than drawn with a guessed skeleton; the
 * completeness check reports them.
 */
export function buildOverlayScene(
  doc: LabelsDocument,
  frame: number,
  templates: readonly SkeletonTemplate[],
  selection: OverlaySelection,
  objectClassNames: ObjectClassNames = new Map(),
): OverlayScene {
  const tracks: OverlayTrack[] = [];
  const boxes: OverlayBox[] = [];
  const handNames = new Map<string, string>();
  for (const track of doc.tracks) {
    const name = trackDisplayName(track, doc.tracks);
    if (track.kind !== 'person') handNames.set(track.id, name);
    const template = findTemplate(templates, track.templateId);
    if (!template) continue;
    tracks.push({
      id: track.id,
      label: name,
      color: track.color,
      template,
      pose: poseAt(track, frame),
    });
  }
  for (const boxTrack of boxTracksOf(doc)) {
    if (boxTrack.kind === 'object') continue;
    const shown = boxAt(boxTrack, frame);
    if (!shown) continue;
    boxes.push({
      boxId: boxTrack.id,
      kind: boxTrack.kind,
      trackId: boxTrack.subjectId,
      contactId: null,
      box: shown.box,
      isKeyframe: shown.isKeyframe,
      label: boxTrackDisplayName(boxTrack),
      color: boxTrack.color,
    });
  }
  for (const [handId, handName] of handNames) {
    const contact = contactAt(doc.contacts, handId, frame);
    const object = contact?.object;
    if (!contact || !object) continue;
    const shown = objectBoxAt(doc, contact, frame);
    if (!shown) continue;
    const className = objectClassNames.get(object.classId);
    const boxTrack =
      'boxTrackId' in object ? boxTracksOf(doc).find((b) => b.id === object.boxTrackId) : undefined;
    // Two hands holding one pot: one box, captioned once.
    if (boxTrack && boxes.some((b) => b.boxId === boxTrack.id)) continue;
    boxes.push({
      boxId: boxTrack ? boxTrack.id : staticObjectBoxId(contact.id),
      kind: 'object',
      trackId: handId,
      contactId: contact.id,
      box: shown.box,
      isKeyframe: shown.isKeyframe,
      label: className ? `${handName}: ${className}` : handName,
      color: boxTrack?.color ?? doc.tracks.find((t) => t.id === handId)?.color ?? '#ffffff',
    });
  }
  return {
    frame,
    tracks,
    boxes,
    selectedTrackId: selection.trackId,
    selectedPoint: selection.point,
    selectedContactId: selection.contactId,
    selectedBoxId: selection.boxId ?? null,
  };
}

/**
 * The clip's face regions on `frame` as overlay boxes (issue #19), drawn and edited with the box
 * tool like hand and object boxes; their `boxId` is `boxIdOf(track.id)`. A stored box is a
 * keyframe, one between two is interpolated (fainter).
 */
export function faceOverlayBoxes(
  tracks: readonly (FaceTrack & { readonly removed?: boolean })[],
  frame: number,
  boxIdOf: (trackId: string) => string,
): OverlayBox[] {
  const boxes: OverlayBox[] = [];
  for (const track of tracks) {
    if (track.removed === true) continue;
    const shown = faceBoxAt(track, frame);
    if (shown === null || shown.width <= 0 || shown.height <= 0) continue;
    boxes.push({
      boxId: boxIdOf(track.id),
      kind: 'face',
      trackId: null,
      contactId: null,
      box: { x: shown.x, y: shown.y, w: shown.width, h: shown.height },
      isKeyframe: track.boxes.some((b) => b.frame === frame),
      label: FACE_LABEL,
      color: FACE_COLOR,
    });
  }
  return boxes;
}

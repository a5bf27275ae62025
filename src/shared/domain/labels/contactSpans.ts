import { boxAt } from './boxTracks';
import type { Box, ContactLabel } from './contact';
import { boxTracksOf, type LabelsDocument } from './labelsDocument';

/** A contact's object box on one frame, with whether a person set it there (a keyframe). */
export type ObjectBoxAtFrame = { readonly box: Box; readonly isKeyframe: boolean };

/**
 * The box of `contact`'s object on `frame`, only inside the contact's span: the object is labeled
 * where the hand touches it. A box track gives its box on that frame (interpolated between its
 * keyframes); a static box from a version 1 document is the same box on every frame, as those
 * documents meant it. Undefined outside the span, for contacts without an object, and where the
 * object's track has no box (before its first keyframe, or marked out of the picture).
 */
export function objectBoxAt(
  doc: LabelsDocument,
  contact: ContactLabel,
  frame: number,
): ObjectBoxAtFrame | undefined {
  const object = contact.object;
  if (object === null || frame < contact.startFrame || frame > contact.endFrame) return undefined;
  if ('box' in object) return { box: object.box, isKeyframe: frame === contact.startFrame };
  const track = boxTracksOf(doc).find((b) => b.id === object.boxTrackId);
  return track ? boxAt(track, frame) : undefined;
}

import {
  boxAt,
  boxKeyframeAt,
  boxTrackDisplayName,
  handBoxTrackOf,
  newBoxTrackLabel,
  type BoxKeyframe,
  type BoxTrack,
} from './boxTracks';
import type { Command } from './commands';
import {
  contactAt,
  contactNeedsObject,
  type Box,
  type ContactObject,
  type ContactState,
} from './contact';
import { boxTracksOf } from './labelsDocument';
import { keyframeFromPose, poseAt } from './interpolateKeypoints';
import type { EditContext, LabelsDocument } from './labelsDocument';
import { findTemplate } from './projectSchema';
import type { Segment } from './segments';
import { newTrackLabel, trackDisplayName } from './trackNames';
import {
  absentKeyframe,
  emptyKeyframe,
  keyframeAt,
  type Keyframe,
  type Track,
  type Visibility,
} from './tracks';

/**
 * The annotator's keyboard actions (V, Del, K, Ctrl+V, `[`/`]`, S, M, 0–4) turned into commands.
 * Each looks at the document where the annotator is (frame, selected track, point or segment) and
 * either returns the one command that does it or says, in a sentence, why it cannot be done.
 */
export type ActionResult = { ok: true; command: Command } | { ok: false; message: string };

function refuse(message: string): ActionResult {
  return { ok: false, message };
}

function trackOf(doc: LabelsDocument, trackId: string): Track | undefined {
  return doc.tracks.find((t) => t.id === trackId);
}

function pointCount(track: Track, context: EditContext): number | undefined {
  return findTemplate(context.templates, track.templateId)?.keypoints.length;
}

/**
 * Runs `then` on a keyframe at `frame`: the existing one, or one made from the pose shown there
 * (interpolated points become manual), in a batch so one undo takes both back.
 */
function onKeyframe(
  track: Track,
  frame: number,
  context: EditContext,
  then: (keyframe: Keyframe) => Command,
): ActionResult {
  const existing = keyframeAt(track, frame);
  if (existing && existing.absent !== true) return { ok: true, command: then(existing) };
  // On an absent keyframe (or no keyframe), a keyframe is made: editing a point brings it back.
  const count = pointCount(track, context);
  if (count === undefined) return refuse(`Track "${track.label}" has an unknown template.`);
  const pose = poseAt(track, frame);
  const keyframe = pose ? keyframeFromPose(pose, count) : emptyKeyframe(frame, count);
  return {
    ok: true,
    command: {
      type: 'batch',
      commands: [{ type: 'setKeyframe', trackId: track.id, keyframe }, then(keyframe)],
    },
  };
}

const NEXT_VISIBILITY: Readonly<Record<Visibility, Visibility>> = {
  visible: 'occluded',
  occluded: 'unlabeled',
  unlabeled: 'visible',
};

/**
 * `V`: visible → occluded → not labeled → visible. An undecided slot becomes "not labeled", the
 * explicit answer completeness asks for; a not-labeled slot that was never placed stays so until
 * it is placed by a click.
 */
export function cycleVisibility(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  index: number,
  context: EditContext,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  const shown = poseAt(track, frame)?.points[index] ?? null;
  // A slot marked "not labeled" straight from undecided keeps the 0, 0 it was given: no place.
  if (shown?.visibility === 'unlabeled' && shown.x === 0 && shown.y === 0) {
    return refuse('This point was never placed: click where it is to place it.');
  }
  const visibility: Visibility = shown === null ? 'unlabeled' : NEXT_VISIBILITY[shown.visibility];
  return onKeyframe(track, frame, context, () => ({
    type: 'setPointVisibility',
    trackId,
    frame,
    index,
    visibility,
  }));
}

/** `Del`: the point goes back to undecided on this frame (a keyframe is made if needed). */
export function clearPoint(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  index: number,
  context: EditContext,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  if ((poseAt(track, frame)?.points[index] ?? null) === null) {
    return refuse('There is no point to clear here.');
  }
  return onKeyframe(track, frame, context, () => ({
    type: 'setPoint',
    trackId,
    frame,
    index,
    point: null,
  }));
}

/** `K`: the pose shown becomes a keyframe; on a frame with no pose, an empty keyframe starts one. */
export function makeKeyframe(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  context: EditContext,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  const existing = keyframeAt(track, frame);
  if (existing && existing.absent !== true)
    return refuse(`Frame ${frame} is already a keyframe of "${track.label}".`);
  const count = pointCount(track, context);
  if (count === undefined) return refuse(`Track "${track.label}" has an unknown template.`);
  const pose = poseAt(track, frame);
  const keyframe = pose ? keyframeFromPose(pose, count) : emptyKeyframe(frame, count);
  return { ok: true, command: { type: 'setKeyframe', trackId, keyframe } };
}

/** A pose copied with `Ctrl+C`: the points of one track at one frame. */
export type CopiedPose = {
  readonly templateId: string;
  readonly fromFrame: number;
  readonly points: Keyframe['points'];
};

/** `Ctrl+C`: the pose shown on `frame`, interpolated points included (as manual points). */
export function copyPose(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  context: EditContext,
): { ok: true; pose: CopiedPose } | { ok: false; message: string } {
  const track = trackOf(doc, trackId);
  if (!track) return { ok: false, message: 'Select a track first.' };
  const count = pointCount(track, context);
  const pose = poseAt(track, frame);
  if (!pose || count === undefined) {
    return { ok: false, message: `"${track.label}" has no pose on frame ${frame} to copy.` };
  }
  return {
    ok: true,
    pose: {
      templateId: track.templateId,
      fromFrame: frame,
      points: keyframeFromPose(pose, count).points,
    },
  };
}

/** `Ctrl+V`: the copied pose becomes this track's keyframe at `frame`. */
export function pastePose(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  copied: CopiedPose,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  if (track.templateId !== copied.templateId) {
    return refuse(
      `The copied pose is a ${copied.templateId} pose; "${track.label}" is ${track.templateId}.`,
    );
  }
  return {
    ok: true,
    command: { type: 'setKeyframe', trackId, keyframe: { frame, points: copied.points } },
  };
}

/** `]` after `[`: a new, unlabeled segment over the marked frames (either order) in `actor`'s row. */
export function segmentFromMarks(
  markedFrame: number,
  frame: number,
  actor: string,
  id: string,
): ActionResult {
  const segment: Segment = {
    id,
    startFrame: Math.min(markedFrame, frame),
    endFrame: Math.max(markedFrame, frame),
    verbId: null,
    nounId: null,
    actor,
    note: '',
  };
  return { ok: true, command: { type: 'addSegment', segment } };
}

/** The segment of `actor`'s row under `frame`, preferring `selectedId` when it covers the frame. */
export function segmentUnder(
  doc: LabelsDocument,
  frame: number,
  actor: string,
  selectedId: string | null,
): Segment | undefined {
  const selected = doc.segments.find((s) => s.id === selectedId);
  if (selected && selected.startFrame <= frame && frame <= selected.endFrame) return selected;
  return doc.segments.find(
    (s) => s.actor === actor && s.startFrame <= frame && frame <= s.endFrame,
  );
}

/** `S`: splits the segment under the playhead so the playhead's frame starts the second part. */
export function splitAtPlayhead(
  doc: LabelsDocument,
  frame: number,
  actor: string,
  selectedId: string | null,
  newId: string,
): ActionResult {
  const segment = segmentUnder(doc, frame, actor, selectedId);
  if (!segment) return refuse(`No segment in row "${actor}" covers frame ${frame}.`);
  if (frame === segment.startFrame) {
    return refuse(
      `Frame ${frame} is the segment's first frame: move the playhead inside it to split.`,
    );
  }
  return {
    ok: true,
    command: { type: 'splitSegment', segmentId: segment.id, frame, newSegmentId: newId },
  };
}

/** `M`: merges the selected segment with the next one in its row. */
export function mergeWithNext(doc: LabelsDocument, segmentId: string | null): ActionResult {
  const segment = doc.segments.find((s) => s.id === segmentId);
  if (!segment) return refuse('Select a segment to merge with the next one.');
  // Segments are kept sorted by start, so the next of the row is the first after this one.
  const next = doc.segments.find(
    (s) => s.actor === segment.actor && s.id !== segment.id && s.startFrame > segment.endFrame,
  );
  if (!next) return refuse('This is the last segment of its row: there is nothing to merge with.');
  return { ok: true, command: { type: 'mergeSegments', firstId: segment.id, secondId: next.id } };
}

/**
 * `0`–`4` on a hand: from this frame on, the hand is in `state`, until its next contact label (or
 * the clip's end). A label covering the frame is cut there (or replaced when it starts there), so
 * a hand keeps one state per frame. States 3 and 4 need the object: `object` must be given.
 */
export function setContactFrom(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  state: ContactState,
  object: ContactObject | null,
  context: EditContext,
  newId: string,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track || track.kind === 'person') return refuse('Select a hand track to set its contact.');
  if (contactNeedsObject(state) && object === null) {
    return refuse('Contact with an object needs the object: draw its box on the video first.');
  }
  const kept = contactNeedsObject(state) ? object : null;
  const covering = contactAt(doc.contacts, trackId, frame);
  const later = doc.contacts.filter((c) => c.trackId === trackId && c.startFrame > frame);
  const nextStart = later.reduce((min, c) => Math.min(min, c.startFrame), context.frameCount);
  const endFrame = covering ? covering.endFrame : nextStart - 1;
  if (covering && covering.startFrame === frame) {
    return {
      ok: true,
      command: { type: 'setContact', contact: { ...covering, state, object: kept } },
    };
  }
  const added: Command = {
    type: 'setContact',
    contact: {
      id: newId,
      trackId,
      startFrame: frame,
      endFrame,
      state,
      object: kept,
      segmentId: null,
    },
  };
  if (!covering) return { ok: true, command: added };
  return {
    ok: true,
    command: {
      type: 'batch',
      commands: [{ type: 'setContact', contact: { ...covering, endFrame: frame - 1 } }, added],
    },
  };
}

/** "Out of the picture from here" (X): the track is absent from `frame` until its next keyframe. */
export function markAbsent(doc: LabelsDocument, trackId: string, frame: number): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  const name = trackDisplayName(track, doc.tracks);
  if (!poseAt(track, frame))
    return refuse(`${name} is already out of the picture on frame ${frame}.`);
  return { ok: true, command: { type: 'setKeyframe', trackId, keyframe: absentKeyframe(frame) } };
}

/** Shift+K: removes the keyframe on this frame; the frames around it are interpolated again. */
export function deleteKeyframeAt(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  if (!keyframeAt(track, frame)) {
    return refuse(`Frame ${frame} is not a keyframe of ${trackDisplayName(track, doc.tracks)}.`);
  }
  return { ok: true, command: { type: 'deleteKeyframe', trackId, frame } };
}

/** Frames from `frame` on become a new track, named and coloured as a new track of its kind. */
export function splitTrackAt(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  newTrack: { id: string; color: string },
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  return {
    ok: true,
    command: {
      type: 'splitTrack',
      trackId,
      frame,
      newTrack: { ...newTrack, label: newTrackLabel(track.kind, doc.tracks) },
    },
  };
}

/**
 * Ctrl+arrow (Ctrl+Shift+arrow): the selected point moved by (dx, dy) video pixels on this frame,
 * for the last pixel of precision a mouse does not give.
 */
export function nudgePoint(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  index: number,
  delta: { dx: number; dy: number },
  context: EditContext,
): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track) return refuse('Select a track first.');
  const shown = poseAt(track, frame)?.points[index] ?? null;
  if (shown === null || shown.visibility === 'unlabeled') {
    return refuse('Select a placed point to move it with the arrow keys.');
  }
  return onKeyframe(track, frame, context, () => ({
    type: 'setPoint',
    trackId,
    frame,
    index,
    point: {
      x: shown.x + delta.dx,
      y: shown.y + delta.dy,
      visibility: shown.visibility,
      source: 'manual',
    },
    gesture: `nudge-${trackId}-${frame}-${index}`,
  }));
}

/**
 * The end mark (C) on a hand: its contact ends on `frame` (the last frame in contact). On a frame
 * after the hand's last contact ended, that contact is extended to it instead, up to the next one,
 * so a late or early end is moved with the same key.
 */
export function endContactAt(doc: LabelsDocument, trackId: string, frame: number): ActionResult {
  const track = trackOf(doc, trackId);
  if (!track || track.kind === 'person') return refuse('Select a hand to end its contact.');
  const name = trackDisplayName(track, doc.tracks);
  const covering = contactAt(doc.contacts, trackId, frame);
  if (covering) {
    if (covering.endFrame === frame) {
      return refuse(`The contact of ${name} already ends on frame ${frame}.`);
    }
    return { ok: true, command: { type: 'setContact', contact: { ...covering, endFrame: frame } } };
  }
  const before = doc.contacts
    .filter((c) => c.trackId === trackId && c.endFrame < frame)
    .reduce<(typeof doc.contacts)[number] | undefined>(
      (last, c) => (last === undefined || c.endFrame > last.endFrame ? c : last),
      undefined,
    );
  if (!before) {
    return refuse(`${name} has no contact before frame ${frame} to end: press 0–4 to start one.`);
  }
  return { ok: true, command: { type: 'setContact', contact: { ...before, endFrame: frame } } };
}

/**
 * `3`/`4` with the object's box drawn: a new object box track, keyed at `frame`, becomes the
 * object of the contact that starts there (one undo takes both back).
 */
export function startObjectContact(
  doc: LabelsDocument,
  trackId: string,
  frame: number,
  state: 3 | 4,
  object: { readonly classId: number; readonly box: Box },
  context: EditContext,
  ids: { readonly contactId: string; readonly boxTrackId: string; readonly color: string },
): ActionResult {
  const boxTrack: BoxTrack = {
    id: ids.boxTrackId,
    kind: 'object',
    label: newBoxTrackLabel('object', boxTracksOf(doc)),
    color: ids.color,
    subjectId: null,
    keyframes: [{ frame, box: object.box }],
  };
  const withTrack: LabelsDocument = { ...doc, boxTracks: [...boxTracksOf(doc), boxTrack] };
  const contact = setContactFrom(
    withTrack,
    trackId,
    frame,
    state,
    { classId: object.classId, boxTrackId: boxTrack.id },
    context,
    ids.contactId,
  );
  if (!contact.ok) return contact;
  return {
    ok: true,
    command: {
      type: 'batch',
      commands: [{ type: 'addBoxTrack', track: boxTrack }, contact.command],
    },
  };
}

/**
 * A box drawn or moved on `frame` for a box track: it becomes the track's keyframe there; frames
 * around it are interpolated again.
 */
export function setBoxOnFrame(
  doc: LabelsDocument,
  boxTrackId: string,
  frame: number,
  box: Box,
): ActionResult {
  const track = boxTracksOf(doc).find((b) => b.id === boxTrackId);
  if (!track) return refuse('That box is gone.');
  return {
    ok: true,
    command: { type: 'setBoxKeyframe', trackId: track.id, keyframe: { frame, box } },
  };
}

/** A box drawn for a hand: a keyframe of its hand box track, made on its first box. */
export function setHandBox(
  doc: LabelsDocument,
  handTrackId: string,
  frame: number,
  box: Box,
  ids: { readonly boxTrackId: string },
): ActionResult {
  const hand = trackOf(doc, handTrackId);
  if (!hand || hand.kind === 'person') return refuse('Select a hand to box it.');
  const existing = handBoxTrackOf(boxTracksOf(doc), hand.id);
  if (existing) return setBoxOnFrame(doc, existing.id, frame, box);
  const track: BoxTrack = {
    id: ids.boxTrackId,
    kind: 'hand',
    label: `${trackDisplayName(hand, doc.tracks)} box`,
    color: hand.color,
    subjectId: hand.id,
    keyframes: [{ frame, box }],
  };
  return { ok: true, command: { type: 'addBoxTrack', track } };
}

/**
 * A static object box of a version 1 contact, moved on `frame`: the object becomes a box track
 * keyed at the contact's start (the old box) and at `frame` (the new one), so the move is per
 * frame like every other box.
 */
export function moveStaticObjectBox(
  doc: LabelsDocument,
  contactId: string,
  frame: number,
  box: Box,
  ids: { readonly boxTrackId: string; readonly color: string },
): ActionResult {
  const contact = doc.contacts.find((c) => c.id === contactId);
  if (!contact?.object || !('box' in contact.object)) return refuse('That box is gone.');
  const keyframes: BoxKeyframe[] =
    frame === contact.startFrame
      ? [{ frame, box }]
      : [
          { frame: contact.startFrame, box: contact.object.box },
          { frame, box },
        ];
  const track: BoxTrack = {
    id: ids.boxTrackId,
    kind: 'object',
    label: newBoxTrackLabel('object', boxTracksOf(doc)),
    color: ids.color,
    subjectId: null,
    keyframes: keyframes.sort((a, b) => a.frame - b.frame),
  };
  return {
    ok: true,
    command: {
      type: 'batch',
      commands: [
        { type: 'addBoxTrack', track },
        {
          type: 'setContact',
          contact: {
            ...contact,
            object: { classId: contact.object.classId, boxTrackId: track.id },
          },
        },
      ],
    },
  };
}

/** X on a selected box: it is out of the picture from `frame` until its next keyframe. */
export function markBoxAbsent(
  doc: LabelsDocument,
  boxTrackId: string,
  frame: number,
): ActionResult {
  const track = boxTracksOf(doc).find((b) => b.id === boxTrackId);
  if (!track) return refuse('Select a box first.');
  if (!boxAt(track, frame)) {
    return refuse(`${boxTrackDisplayName(track)} is already out of the picture on frame ${frame}.`);
  }
  return {
    ok: true,
    command: { type: 'setBoxKeyframe', trackId: track.id, keyframe: { frame, absent: true } },
  };
}

/** Shift+K on a selected box: its keyframe on this frame goes; frames around it interpolate again. */
export function deleteBoxKeyframeAt(
  doc: LabelsDocument,
  boxTrackId: string,
  frame: number,
): ActionResult {
  const track = boxTracksOf(doc).find((b) => b.id === boxTrackId);
  if (!track) return refuse('Select a box first.');
  if (!boxKeyframeAt(track, frame)) {
    return refuse(`Frame ${frame} is not a keyframe of ${boxTrackDisplayName(track)}.`);
  }
  return { ok: true, command: { type: 'deleteBoxKeyframe', trackId: track.id, frame } };
}

/**
 * Deletes the selected hand's contact on `frame`, with its object's box track when no other
 * contact names it (one undo brings both back).
 */
export function removeContactAt(doc: LabelsDocument, trackId: string, frame: number): ActionResult {
  const contact = contactAt(doc.contacts, trackId, frame);
  if (!contact) return refuse(`There is no contact on frame ${frame} to delete.`);
  const object = contact.object;
  const boxTrackId = object !== null && 'boxTrackId' in object ? object.boxTrackId : undefined;
  const shared = doc.contacts.some(
    (c) =>
      c.id !== contact.id &&
      c.object !== null &&
      'boxTrackId' in c.object &&
      c.object.boxTrackId === boxTrackId,
  );
  const commands: Command[] = [{ type: 'removeContact', contactId: contact.id }];
  if (boxTrackId !== undefined && !shared)
    commands.push({ type: 'removeBoxTrack', trackId: boxTrackId });
  return {
    ok: true,
    command: commands.length === 1 ? (commands[0] as Command) : { type: 'batch', commands },
  };
}

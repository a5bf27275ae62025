import { z } from 'zod';
import {
  BoxKeyframe,
  boxKeyframeAt,
  BoxTrack,
  boxTrackDisplayName,
  withBoxKeyframe,
  withoutBoxKeyframe,
} from './boxTracks';
import { compareContacts, ContactLabel, objectTrackId, validateContact } from './contact';
import { boxTracksOf, type EditContext, type LabelsDocument } from './labelsDocument';
import { findTemplate } from './projectSchema';
import {
  createSegment,
  mergeSegments,
  removeSegment,
  Segment,
  SegmentPatch,
  splitSegment,
  updateSegment,
} from './segments';
import { mergeKeyframes, splitKeyframes } from './trackEdits';
import { rowDisplayName } from './trackNames';
import {
  HandLink,
  Keyframe,
  Keypoint,
  keyframeAt,
  Track,
  Visibility,
  withKeyframe,
  withoutKeyframe,
} from './tracks';

const FrameIndex = z.number().int('must be a whole frame number').min(0, 'must be 0 or more');
const RecordId = z.string().min(1, 'must not be empty');
/** A name people give a track ("Person 2", "Left hand of the cook"). */
const TrackLabel = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(80, 'must be at most 80 characters');

/**
 * Every edit to a `LabelsDocument`, as plain serialisable data: the store persists these and sync
 * sends them. `applyCommand` carries them out and returns the command that undoes them.
 *
 * `gesture` on `setPoint` is an id the overlay gives one drag; consecutive `setPoint`s on the same
 * point with the same gesture (or both without one) become one undo step.
 */
export type Command =
  | { readonly type: 'setKeyframe'; readonly trackId: string; readonly keyframe: Keyframe }
  | { readonly type: 'deleteKeyframe'; readonly trackId: string; readonly frame: number }
  | {
      readonly type: 'setPoint';
      readonly trackId: string;
      readonly frame: number;
      readonly index: number;
      readonly point: Keypoint | null;
      readonly gesture?: string | undefined;
    }
  | {
      readonly type: 'setPointVisibility';
      readonly trackId: string;
      readonly frame: number;
      readonly index: number;
      readonly visibility: Visibility;
    }
  | { readonly type: 'addTrack'; readonly track: Track; readonly index?: number | undefined }
  | { readonly type: 'removeTrack'; readonly trackId: string }
  | { readonly type: 'renameTrack'; readonly trackId: string; readonly label: string }
  /** Replaces a track's keyframes, label and colour in place (undo of split and merge). */
  | { readonly type: 'replaceTrack'; readonly track: Track }
  /**
   * Frames from `frame` on move to a new track (`newTrack` names it); a pose computed on either
   * side of the cut is pinned as a keyframe, so no frame changes. A hand's contacts starting at or
   * after `frame` go with them; segments stay in their row.
   */
  | {
      readonly type: 'splitTrack';
      readonly trackId: string;
      readonly frame: number;
      readonly newTrack: { readonly id: string; readonly label: string; readonly color: string };
    }
  /**
   * `otherId`'s keyframes join `keepId`'s track and `otherId` is removed; its segments' row and its
   * contacts move to the kept track. Refused where both are in the picture on one frame.
   */
  | { readonly type: 'mergeTracks'; readonly keepId: string; readonly otherId: string }
  | { readonly type: 'addSegment'; readonly segment: Segment }
  | { readonly type: 'updateSegment'; readonly segmentId: string; readonly patch: SegmentPatch }
  | { readonly type: 'removeSegment'; readonly segmentId: string }
  | {
      readonly type: 'splitSegment';
      readonly segmentId: string;
      readonly frame: number;
      readonly newSegmentId: string;
    }
  | { readonly type: 'mergeSegments'; readonly firstId: string; readonly secondId: string }
  | { readonly type: 'setContact'; readonly contact: ContactLabel }
  | { readonly type: 'removeContact'; readonly contactId: string }
  /** Whose hand a hand track is; null unlinks it. */
  | { readonly type: 'linkHand'; readonly trackId: string; readonly link: HandLink | null }
  | { readonly type: 'addBoxTrack'; readonly track: BoxTrack; readonly index?: number | undefined }
  /** Refused while a contact names the track as its object. */
  | { readonly type: 'removeBoxTrack'; readonly trackId: string }
  | { readonly type: 'setBoxKeyframe'; readonly trackId: string; readonly keyframe: BoxKeyframe }
  | { readonly type: 'deleteBoxKeyframe'; readonly trackId: string; readonly frame: number }
  | { readonly type: 'batch'; readonly commands: readonly Command[] };

export type CommandType = Command['type'];

/** Validates a command arriving from the store or the network. */
export const CommandSchema: z.ZodType<Command> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('setKeyframe'), trackId: RecordId, keyframe: Keyframe }).strict(),
    z.object({ type: z.literal('deleteKeyframe'), trackId: RecordId, frame: FrameIndex }).strict(),
    z
      .object({
        type: z.literal('setPoint'),
        trackId: RecordId,
        frame: FrameIndex,
        index: z.number().int().min(0),
        point: Keypoint.nullable(),
        gesture: z.string().optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('setPointVisibility'),
        trackId: RecordId,
        frame: FrameIndex,
        index: z.number().int().min(0),
        visibility: Visibility,
      })
      .strict(),
    z
      .object({
        type: z.literal('addTrack'),
        track: Track,
        index: z.number().int().min(0).optional(),
      })
      .strict(),
    z.object({ type: z.literal('removeTrack'), trackId: RecordId }).strict(),
    z.object({ type: z.literal('renameTrack'), trackId: RecordId, label: TrackLabel }).strict(),
    z.object({ type: z.literal('replaceTrack'), track: Track }).strict(),
    z
      .object({
        type: z.literal('splitTrack'),
        trackId: RecordId,
        frame: FrameIndex,
        newTrack: z
          .object({
            id: RecordId,
            label: TrackLabel,
            color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb'),
          })
          .strict(),
      })
      .strict(),
    z.object({ type: z.literal('mergeTracks'), keepId: RecordId, otherId: RecordId }).strict(),
    z.object({ type: z.literal('addSegment'), segment: Segment }).strict(),
    z
      .object({ type: z.literal('updateSegment'), segmentId: RecordId, patch: SegmentPatch })
      .strict(),
    z.object({ type: z.literal('removeSegment'), segmentId: RecordId }).strict(),
    z
      .object({
        type: z.literal('splitSegment'),
        segmentId: RecordId,
        frame: FrameIndex,
        newSegmentId: RecordId,
      })
      .strict(),
    z.object({ type: z.literal('mergeSegments'), firstId: RecordId, secondId: RecordId }).strict(),
    z.object({ type: z.literal('setContact'), contact: ContactLabel }).strict(),
    z.object({ type: z.literal('removeContact'), contactId: RecordId }).strict(),
    z
      .object({ type: z.literal('linkHand'), trackId: RecordId, link: HandLink.nullable() })
      .strict(),
    z
      .object({
        type: z.literal('addBoxTrack'),
        track: BoxTrack,
        index: z.number().int().min(0).optional(),
      })
      .strict(),
    z.object({ type: z.literal('removeBoxTrack'), trackId: RecordId }).strict(),
    z
      .object({ type: z.literal('setBoxKeyframe'), trackId: RecordId, keyframe: BoxKeyframe })
      .strict(),
    z
      .object({ type: z.literal('deleteBoxKeyframe'), trackId: RecordId, frame: FrameIndex })
      .strict(),
    z.object({ type: z.literal('batch'), commands: z.array(CommandSchema) }).strict(),
  ]),
);

export type CommandErrorCode =
  | 'not_found'
  | 'duplicate_id'
  | 'invalid'
  | 'out_of_range'
  | 'overlap'
  | 'split_outside'
  | 'not_adjacent';

export type CommandError = { readonly code: CommandErrorCode; readonly message: string };

/** `inverse`, applied to `doc`, gives back the document the command was applied to. */
export type CommandResult =
  { ok: true; doc: LabelsDocument; inverse: Command } | { ok: false; error: CommandError };

type Applied = { doc: LabelsDocument; inverse: Command };

class CommandFailure extends Error {
  constructor(readonly error: CommandError) {
    super(error.message);
  }
}

function refuse(code: CommandErrorCode, message: string): never {
  throw new CommandFailure({ code, message });
}

function findTrack(doc: LabelsDocument, trackId: string): { track: Track; index: number } {
  const index = doc.tracks.findIndex((t) => t.id === trackId);
  const track = doc.tracks[index];
  if (!track) refuse('not_found', `There is no track "${trackId}".`);
  return { track, index };
}

function keypointCount(track: Track, context: EditContext): number {
  const template = findTemplate(context.templates, track.templateId);
  if (!template) {
    refuse(
      'invalid',
      `Track "${track.label}" uses template "${track.templateId}", which the project does not have.`,
    );
  }
  return template.keypoints.length;
}

function checkPoint(point: Keypoint | null): void {
  if (point === null) return;
  const parsed = Keypoint.safeParse(point);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(
      'invalid',
      `Point ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}.`,
    );
  }
}

function checkKeyframe(track: Track, keyframe: Keyframe, context: EditContext): void {
  const count = keypointCount(track, context);
  keyframe.points.forEach(checkPoint);
  if (keyframe.absent === true) {
    if (keyframe.points.length > 0) refuse('invalid', 'An absent keyframe has no points.');
  } else if (keyframe.points.length !== count) {
    refuse(
      'invalid',
      `A keyframe of track "${track.label}" must have ${count} points (its template's), not ${keyframe.points.length}.`,
    );
  }
  if (
    !Number.isInteger(keyframe.frame) ||
    keyframe.frame < 0 ||
    keyframe.frame >= context.frameCount
  ) {
    refuse(
      'out_of_range',
      `Frame ${keyframe.frame} is not in the clip (0–${context.frameCount - 1}).`,
    );
  }
}

function replaceTrack(doc: LabelsDocument, index: number, track: Track): LabelsDocument {
  const tracks = [...doc.tracks];
  tracks[index] = track;
  return { ...doc, tracks };
}

function existingKeyframe(track: Track, frame: number): Keyframe {
  const keyframe = keyframeAt(track, frame);
  if (!keyframe) {
    refuse(
      'not_found',
      `Track "${track.label}" has no keyframe at frame ${frame}; make one first (K).`,
    );
  }
  return keyframe;
}

/** A keyframe whose points can be edited: not one that says the track is absent. */
function presentKeyframe(track: Track, frame: number): Keyframe {
  const keyframe = existingKeyframe(track, frame);
  if (keyframe.absent === true) {
    refuse(
      'invalid',
      `"${track.label}" is out of the picture from frame ${frame}; make a keyframe there (K) to bring it back.`,
    );
  }
  return keyframe;
}

function checkPointIndex(track: Track, index: number, context: EditContext): void {
  const count = keypointCount(track, context);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    refuse(
      'invalid',
      `Point ${index} does not exist; track "${track.label}" has points 0–${count - 1}.`,
    );
  }
}

function segmentsResult(result: ReturnType<typeof createSegment>): readonly Segment[] {
  if (!result.ok) refuse(result.error.code, result.error.message);
  return result.segments;
}

function checkSegmentLabels(segment: Segment, context: EditContext): void {
  const parsed = Segment.safeParse(segment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(
      'invalid',
      `Segment ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  if (segment.verbId !== null && context.verbIds && !context.verbIds.has(segment.verbId)) {
    refuse('invalid', `Verb class ${segment.verbId} is not in the project's taxonomy.`);
  }
  if (segment.nounId !== null && context.nounIds && !context.nounIds.has(segment.nounId)) {
    refuse('invalid', `Noun class ${segment.nounId} is not in the project's taxonomy.`);
  }
}

function findBoxTrack(doc: LabelsDocument, trackId: string): { track: BoxTrack; index: number } {
  const tracks = boxTracksOf(doc);
  const index = tracks.findIndex((t) => t.id === trackId);
  const track = tracks[index];
  if (!track) refuse('not_found', `There is no box track "${trackId}".`);
  return { track, index };
}

/** With no box tracks left the field goes, so undo gives back a version 1 document exactly. */
function withBoxTracks(doc: LabelsDocument, boxTracks: readonly BoxTrack[]): LabelsDocument {
  if (boxTracks.length > 0) return { ...doc, boxTracks };
  return { tracks: doc.tracks, segments: doc.segments, contacts: doc.contacts };
}

function checkBoxFrame(frame: number, context: EditContext): void {
  if (!Number.isInteger(frame) || frame < 0 || frame >= context.frameCount) {
    refuse('out_of_range', `Frame ${frame} is not in the clip (0–${context.frameCount - 1}).`);
  }
}

function checkBoxKeyframe(keyframe: BoxKeyframe, context: EditContext): void {
  const parsed = BoxKeyframe.safeParse(keyframe);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    refuse(
      'invalid',
      `Box ${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  checkBoxFrame(keyframe.frame, context);
}

/** A hand box must box a hand track of the document. */
function checkBoxSubject(doc: LabelsDocument, track: BoxTrack): void {
  if (track.kind === 'hand') {
    const subject = doc.tracks.find((t) => t.id === track.subjectId);
    if (!subject || subject.kind === 'person') {
      refuse('invalid', `Hand box "${boxTrackDisplayName(track)}" must belong to a hand track.`);
    }
  } else if (track.subjectId !== null && !doc.tracks.some((t) => t.id === track.subjectId)) {
    refuse('not_found', `Box "${boxTrackDisplayName(track)}" belongs to a track that is gone.`);
  }
}

function checkLink(doc: LabelsDocument, track: Track, link: HandLink | null): void {
  if (track.kind === 'person') refuse('invalid', 'Only a hand track can belong to someone.');
  if (link?.kind === 'person') {
    const owner = doc.tracks.find((t) => t.id === link.trackId);
    if (!owner || owner.kind !== 'person') {
      refuse('invalid', 'A hand can belong to a person track or to the camera wearer only.');
    }
  }
}

function withLink(track: Track, link: HandLink | null): Track {
  if (link !== null) return { ...track, link };
  const unlinked = { ...track };
  delete unlinked.link;
  return unlinked;
}

function linkCommand(track: Track): Command {
  return { type: 'linkHand', trackId: track.id, link: track.link ?? null };
}

function sortContacts(contacts: readonly ContactLabel[]): readonly ContactLabel[] {
  return [...contacts].sort(compareContacts);
}

function batch(commands: readonly Command[]): Command {
  return commands.length === 1 && commands[0] ? commands[0] : { type: 'batch', commands };
}

function setPointIn(
  doc: LabelsDocument,
  trackIndex: number,
  track: Track,
  keyframe: Keyframe,
  index: number,
  point: Keypoint | null,
): LabelsDocument {
  const points = [...keyframe.points];
  points[index] = point;
  return replaceTrack(doc, trackIndex, withKeyframe(track, { ...keyframe, points }));
}

function apply(doc: LabelsDocument, command: Command, context: EditContext): Applied {
  switch (command.type) {
    case 'setKeyframe': {
      const { track, index } = findTrack(doc, command.trackId);
      checkKeyframe(track, command.keyframe, context);
      const previous = keyframeAt(track, command.keyframe.frame);
      return {
        doc: replaceTrack(doc, index, withKeyframe(track, command.keyframe)),
        inverse: previous
          ? { type: 'setKeyframe', trackId: track.id, keyframe: previous }
          : { type: 'deleteKeyframe', trackId: track.id, frame: command.keyframe.frame },
      };
    }
    case 'deleteKeyframe': {
      const { track, index } = findTrack(doc, command.trackId);
      const previous = existingKeyframe(track, command.frame);
      return {
        doc: replaceTrack(doc, index, withoutKeyframe(track, command.frame)),
        inverse: { type: 'setKeyframe', trackId: track.id, keyframe: previous },
      };
    }
    case 'setPoint': {
      const { track, index } = findTrack(doc, command.trackId);
      checkPointIndex(track, command.index, context);
      checkPoint(command.point);
      const keyframe = presentKeyframe(track, command.frame);
      return {
        doc: setPointIn(doc, index, track, keyframe, command.index, command.point),
        inverse: {
          type: 'setPoint',
          trackId: track.id,
          frame: command.frame,
          index: command.index,
          point: keyframe.points[command.index] ?? null,
        },
      };
    }
    case 'setPointVisibility': {
      const { track, index } = findTrack(doc, command.trackId);
      checkPointIndex(track, command.index, context);
      const keyframe = presentKeyframe(track, command.frame);
      const previous = keyframe.points[command.index] ?? null;
      if (previous === null && command.visibility !== 'unlabeled') {
        refuse('invalid', 'A point must be placed before it can be marked visible or occluded.');
      }
      // Touching a model proposal makes it the annotator's: the source becomes manual.
      const point: Keypoint = {
        x: previous?.x ?? 0,
        y: previous?.y ?? 0,
        visibility: command.visibility,
        source: 'manual',
      };
      return {
        doc: setPointIn(doc, index, track, keyframe, command.index, point),
        inverse: {
          type: 'setPoint',
          trackId: track.id,
          frame: command.frame,
          index: command.index,
          point: previous,
        },
      };
    }
    case 'addTrack': {
      const { track } = command;
      if (doc.tracks.some((t) => t.id === track.id)) {
        refuse('duplicate_id', `A track "${track.id}" already exists.`);
      }
      const template = findTemplate(context.templates, track.templateId);
      const handTrack = track.kind !== 'person';
      if (template && (template.kind === 'hand') !== handTrack) {
        refuse(
          'invalid',
          `Track "${track.label}" is a ${handTrack ? 'hand' : 'person'} but template "${template.name}" is not a ${handTrack ? 'hand' : 'body'} template.`,
        );
      }
      for (const keyframe of track.keyframes) checkKeyframe(track, keyframe, context);
      const parsed = Track.safeParse(track);
      if (!parsed.success) {
        refuse(
          'invalid',
          `Track "${track.label}": ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
        );
      }
      const at = Math.min(command.index ?? doc.tracks.length, doc.tracks.length);
      const tracks = [...doc.tracks];
      tracks.splice(at, 0, track);
      return { doc: { ...doc, tracks }, inverse: { type: 'removeTrack', trackId: track.id } };
    }
    case 'removeTrack': {
      // A hand's contact labels and boxes go with it, hands that were a person's lose the link;
      // all of it comes back on undo.
      const { track, index } = findTrack(doc, command.trackId);
      const owned = doc.contacts.filter((c) => c.trackId === track.id);
      const boxes = boxTracksOf(doc);
      const ownedBoxes = boxes
        .map((box, at) => ({ box, at }))
        .filter(({ box }) => box.subjectId === track.id);
      const linked = doc.tracks.filter(
        (t) => t.link?.kind === 'person' && t.link.trackId === track.id,
      );
      const linkedIds = new Set(linked.map((t) => t.id));
      const next: LabelsDocument = {
        ...doc,
        tracks: doc.tracks
          .filter((t) => t.id !== track.id)
          .map((t) => (linkedIds.has(t.id) ? withLink(t, null) : t)),
        contacts: doc.contacts.filter((c) => c.trackId !== track.id),
      };
      return {
        doc:
          ownedBoxes.length > 0
            ? withBoxTracks(
                next,
                boxes.filter((b) => b.subjectId !== track.id),
              )
            : next,
        inverse: batch([
          { type: 'addTrack', track, index },
          ...owned.map((contact): Command => ({ type: 'setContact', contact })),
          ...ownedBoxes.map(({ box, at }): Command => ({
            type: 'addBoxTrack',
            track: box,
            index: at,
          })),
          ...linked.map(linkCommand),
        ]),
      };
    }
    case 'renameTrack': {
      const { track, index } = findTrack(doc, command.trackId);
      const label = TrackLabel.safeParse(command.label);
      if (!label.success) {
        refuse('invalid', `A track's name ${label.error.issues[0]?.message ?? 'is invalid'}.`);
      }
      return {
        doc: replaceTrack(doc, index, { ...track, label: label.data }),
        inverse: { type: 'renameTrack', trackId: track.id, label: track.label },
      };
    }
    case 'replaceTrack': {
      const { track: previous, index } = findTrack(doc, command.track.id);
      const parsed = Track.safeParse(command.track);
      if (!parsed.success) {
        refuse(
          'invalid',
          `Track "${command.track.label}": ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
        );
      }
      if (
        command.track.kind !== previous.kind ||
        command.track.templateId !== previous.templateId
      ) {
        refuse('invalid', `Track "${previous.label}" cannot change its kind or skeleton.`);
      }
      for (const keyframe of command.track.keyframes) checkKeyframe(previous, keyframe, context);
      return {
        doc: replaceTrack(doc, index, command.track),
        inverse: { type: 'replaceTrack', track: previous },
      };
    }
    case 'splitTrack': {
      const { track, index } = findTrack(doc, command.trackId);
      if (doc.tracks.some((t) => t.id === command.newTrack.id)) {
        refuse('duplicate_id', `A track "${command.newTrack.id}" already exists.`);
      }
      const split = splitKeyframes(track, command.frame, keypointCount(track, context));
      if (!split.ok) refuse('split_outside', split.message);
      const moved = doc.contacts.filter(
        (c) => c.trackId === track.id && c.startFrame >= command.frame,
      );
      const second: Track = {
        ...track,
        id: command.newTrack.id,
        label: command.newTrack.label,
        color: command.newTrack.color,
        keyframes: split.value.after,
      };
      const first: Track = { ...track, keyframes: split.value.before };
      const tracks = [...doc.tracks];
      tracks.splice(index, 1, first, second);
      const movedIds = new Set(moved.map((c) => c.id));
      return {
        doc: {
          ...doc,
          tracks,
          contacts: sortContacts(
            doc.contacts.map((c) => (movedIds.has(c.id) ? { ...c, trackId: second.id } : c)),
          ),
        },
        inverse: batch([
          ...moved.map((contact): Command => ({ type: 'setContact', contact })),
          { type: 'removeTrack', trackId: second.id },
          { type: 'replaceTrack', track },
        ]),
      };
    }
    case 'mergeTracks': {
      const { track: keep, index: keepIndex } = findTrack(doc, command.keepId);
      const { track: other, index: otherIndex } = findTrack(doc, command.otherId);
      if (keep.id === other.id) refuse('invalid', 'A track cannot be merged with itself.');
      const merged = mergeKeyframes(keep, other, keypointCount(keep, context));
      if (!merged.ok) refuse('overlap', merged.message);
      // The other track's segments and contacts move over; each step checks its own rules.
      const relink: Command[] = [
        ...doc.segments
          .filter((s) => s.actor === other.id)
          .map((s): Command => ({
            type: 'updateSegment',
            segmentId: s.id,
            patch: { actor: keep.id },
          })),
        ...doc.contacts
          .filter((c) => c.trackId === other.id)
          .map((c): Command => ({ type: 'setContact', contact: { ...c, trackId: keep.id } })),
        ...doc.tracks
          .filter((t) => t.link?.kind === 'person' && t.link.trackId === other.id)
          .map((t): Command => ({
            type: 'linkHand',
            trackId: t.id,
            link: { kind: 'person', trackId: keep.id },
          })),
        ...boxTracksOf(doc)
          .map((box, at) => ({ box, at }))
          .filter(({ box }) => box.subjectId === other.id)
          .flatMap(({ box, at }): Command[] => [
            { type: 'removeBoxTrack', trackId: box.id },
            { type: 'addBoxTrack', track: { ...box, subjectId: keep.id }, index: at },
          ]),
      ];
      let next = replaceTrack(doc, keepIndex, { ...keep, keyframes: merged.value });
      const inverses: Command[] = [];
      for (const step of relink) {
        const applied = apply(next, step, context);
        next = applied.doc;
        inverses.unshift(applied.inverse);
      }
      next = { ...next, tracks: next.tracks.filter((t) => t.id !== other.id) };
      return {
        doc: next,
        inverse: batch([
          { type: 'addTrack', track: other, index: otherIndex },
          ...inverses,
          { type: 'replaceTrack', track: keep },
        ]),
      };
    }
    case 'addSegment': {
      const segments = segmentsResult(
        createSegment(doc.segments, command.segment, {
          frameCount: context.frameCount,
          allowOverlap: context.allowSegmentOverlap,
          rowName: (actor) => rowDisplayName(actor, doc.tracks),
        }),
      );
      checkSegmentLabels(command.segment, context);
      return {
        doc: { ...doc, segments },
        inverse: { type: 'removeSegment', segmentId: command.segment.id },
      };
    }
    case 'updateSegment': {
      const current = doc.segments.find((s) => s.id === command.segmentId);
      if (!current) refuse('not_found', `There is no segment "${command.segmentId}".`);
      const patch = SegmentPatch.safeParse(command.patch);
      if (!patch.success) {
        refuse('invalid', `Segment change: ${patch.error.issues[0]?.message ?? 'invalid'}.`);
      }
      // A key given as undefined means "leave it", not "clear it".
      const changes = Object.fromEntries(
        Object.entries(patch.data as Record<string, unknown>).filter(
          ([, value]) => value !== undefined,
        ),
      ) as SegmentPatch;
      const segments = segmentsResult(
        updateSegment(doc.segments, current.id, changes, {
          frameCount: context.frameCount,
          allowOverlap: context.allowSegmentOverlap,
          rowName: (actor) => rowDisplayName(actor, doc.tracks),
        }),
      );
      checkSegmentLabels({ ...current, ...changes }, context);
      const undo: Record<string, unknown> = {};
      for (const key of Object.keys(changes) as (keyof SegmentPatch)[]) undo[key] = current[key];
      return {
        doc: { ...doc, segments },
        inverse: { type: 'updateSegment', segmentId: current.id, patch: undo },
      };
    }
    case 'removeSegment': {
      // Contacts linked to the segment lose the link (not the contact); undo restores the link.
      const current = doc.segments.find((s) => s.id === command.segmentId);
      if (!current) refuse('not_found', `There is no segment "${command.segmentId}".`);
      const linked = doc.contacts.filter((c) => c.segmentId === current.id);
      return {
        doc: {
          ...doc,
          segments: segmentsResult(removeSegment(doc.segments, current.id)),
          contacts: doc.contacts.map((c) =>
            c.segmentId === current.id ? { ...c, segmentId: null } : c,
          ),
        },
        inverse: batch([
          { type: 'addSegment', segment: current },
          ...linked.map((contact): Command => ({ type: 'setContact', contact })),
        ]),
      };
    }
    case 'splitSegment': {
      // Contacts linked to the segment stay with the first part, which keeps the id.
      const current = doc.segments.find((s) => s.id === command.segmentId);
      if (!current) refuse('not_found', `There is no segment "${command.segmentId}".`);
      const segments = segmentsResult(
        splitSegment(doc.segments, current.id, command.frame, command.newSegmentId),
      );
      return {
        doc: { ...doc, segments },
        inverse: batch([
          { type: 'removeSegment', segmentId: command.newSegmentId },
          { type: 'updateSegment', segmentId: current.id, patch: { endFrame: current.endFrame } },
        ]),
      };
    }
    case 'mergeSegments': {
      // The earlier segment survives; contacts linked to the later one are relinked to it.
      const segments = segmentsResult(
        mergeSegments(doc.segments, command.firstId, command.secondId),
      );
      const a = doc.segments.find((s) => s.id === command.firstId) as Segment;
      const b = doc.segments.find((s) => s.id === command.secondId) as Segment;
      const kept = segments.some((s) => s.id === a.id) ? a : b;
      const gone = kept === a ? b : a;
      const relinked = doc.contacts.filter((c) => c.segmentId === gone.id);
      return {
        doc: {
          ...doc,
          segments,
          contacts: doc.contacts.map((c) =>
            c.segmentId === gone.id ? { ...c, segmentId: kept.id } : c,
          ),
        },
        inverse: batch([
          { type: 'updateSegment', segmentId: kept.id, patch: { endFrame: kept.endFrame } },
          { type: 'addSegment', segment: gone },
          ...relinked.map((contact): Command => ({ type: 'setContact', contact })),
        ]),
      };
    }
    case 'setContact': {
      const { contact } = command;
      const others = doc.contacts.filter((c) => c.id !== contact.id);
      const problems = validateContact(contact, others, {
        frameCount: context.frameCount,
        handTrackIds: new Set(doc.tracks.filter((t) => t.kind !== 'person').map((t) => t.id)),
        segmentIds: new Set(doc.segments.map((s) => s.id)),
        objectTrackIds: new Set(
          boxTracksOf(doc)
            .filter((b) => b.kind === 'object')
            .map((b) => b.id),
        ),
        ...(context.objectClassIds ? { objectClassIds: context.objectClassIds } : {}),
      });
      if (problems.length > 0) refuse('invalid', problems.join(' '));
      const previous = doc.contacts.find((c) => c.id === contact.id);
      return {
        doc: { ...doc, contacts: sortContacts([...others, contact]) },
        inverse: previous
          ? { type: 'setContact', contact: previous }
          : { type: 'removeContact', contactId: contact.id },
      };
    }
    case 'removeContact': {
      const previous = doc.contacts.find((c) => c.id === command.contactId);
      if (!previous) refuse('not_found', `There is no contact label "${command.contactId}".`);
      return {
        doc: { ...doc, contacts: doc.contacts.filter((c) => c.id !== previous.id) },
        inverse: { type: 'setContact', contact: previous },
      };
    }
    case 'linkHand': {
      const { track, index } = findTrack(doc, command.trackId);
      const parsed = HandLink.nullable().safeParse(command.link);
      if (!parsed.success) refuse('invalid', 'A hand belongs to a person or the camera wearer.');
      checkLink(doc, track, parsed.data);
      return {
        doc: replaceTrack(doc, index, withLink(track, parsed.data)),
        inverse: linkCommand(track),
      };
    }
    case 'addBoxTrack': {
      const { track } = command;
      const boxes = boxTracksOf(doc);
      if (boxes.some((b) => b.id === track.id)) {
        refuse('duplicate_id', `A box track "${track.id}" already exists.`);
      }
      const parsed = BoxTrack.safeParse(track);
      if (!parsed.success) {
        refuse(
          'invalid',
          `Box "${boxTrackDisplayName(track)}": ${parsed.error.issues[0]?.message ?? 'invalid'}.`,
        );
      }
      checkBoxSubject(doc, track);
      for (const keyframe of track.keyframes) checkBoxFrame(keyframe.frame, context);
      const at = Math.min(command.index ?? boxes.length, boxes.length);
      const next = [...boxes];
      next.splice(at, 0, track);
      return {
        doc: withBoxTracks(doc, next),
        inverse: { type: 'removeBoxTrack', trackId: track.id },
      };
    }
    case 'removeBoxTrack': {
      const { track, index } = findBoxTrack(doc, command.trackId);
      const users = doc.contacts.filter((c) => objectTrackId(c.object) === track.id);
      const first = users[0];
      if (first) {
        refuse(
          'invalid',
          `"${boxTrackDisplayName(track)}" is the object of the contact at frames ${first.startFrame}–${first.endFrame}; change or remove that contact first.`,
        );
      }
      return {
        doc: withBoxTracks(
          doc,
          boxTracksOf(doc).filter((b) => b.id !== track.id),
        ),
        inverse: { type: 'addBoxTrack', track, index },
      };
    }
    case 'setBoxKeyframe': {
      const { track, index } = findBoxTrack(doc, command.trackId);
      checkBoxKeyframe(command.keyframe, context);
      const previous = boxKeyframeAt(track, command.keyframe.frame);
      const boxes = [...boxTracksOf(doc)];
      boxes[index] = withBoxKeyframe(track, command.keyframe);
      return {
        doc: withBoxTracks(doc, boxes),
        inverse: previous
          ? { type: 'setBoxKeyframe', trackId: track.id, keyframe: previous }
          : { type: 'deleteBoxKeyframe', trackId: track.id, frame: command.keyframe.frame },
      };
    }
    case 'deleteBoxKeyframe': {
      const { track, index } = findBoxTrack(doc, command.trackId);
      const previous = boxKeyframeAt(track, command.frame);
      if (!previous) {
        refuse(
          'not_found',
          `"${boxTrackDisplayName(track)}" has no keyframe at frame ${command.frame}.`,
        );
      }
      const boxes = [...boxTracksOf(doc)];
      boxes[index] = withoutBoxKeyframe(track, command.frame);
      return {
        doc: withBoxTracks(doc, boxes),
        inverse: { type: 'setBoxKeyframe', trackId: track.id, keyframe: previous },
      };
    }
    case 'batch': {
      let current = doc;
      const inverses: Command[] = [];
      for (const step of command.commands) {
        const applied = apply(current, step, context);
        current = applied.doc;
        inverses.unshift(applied.inverse);
      }
      return { doc: current, inverse: { type: 'batch', commands: inverses } };
    }
  }
}

/**
 * Applies one command. A refused command leaves the document as it was and says why; a batch is
 * all or nothing.
 */
export function applyCommand(
  doc: LabelsDocument,
  command: Command,
  context: EditContext,
): CommandResult {
  try {
    const { doc: next, inverse } = apply(doc, command, context);
    return { ok: true, doc: next, inverse };
  } catch (error) {
    if (error instanceof CommandFailure) return { ok: false, error: error.error };
    throw error;
  }
}

/** The command that undoes `command` on `doc`, or the reason `command` cannot be applied. */
export function invertCommand(
  doc: LabelsDocument,
  command: Command,
  context: EditContext,
): { ok: true; inverse: Command } | { ok: false; error: CommandError } {
  const result = applyCommand(doc, command, context);
  return result.ok ? { ok: true, inverse: result.inverse } : result;
}

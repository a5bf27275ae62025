import { z } from 'zod';

/** 100DOH `contactstate`: 0 no contact, 1 self, 2 other person, 3 portable object, 4 stationary object. */
export const ContactState = z.union([
  z.literal(0),
  z.literal(1),
  z.literal(2),
  z.literal(3),
  z.literal(4),
]);
export type ContactState = z.infer<typeof ContactState>;

const FrameIndex = z.number().int('must be a whole frame number').min(0, 'must be 0 or more');

/** An axis-aligned box in video pixels of the displayed picture: top-left corner, width, height. */
export const Box = z
  .object({
    x: z.number({ error: 'must be a finite number' }),
    y: z.number({ error: 'must be a finite number' }),
    w: z.number().positive('must be more than 0'),
    h: z.number().positive('must be more than 0'),
  })
  .strict();
export type Box = z.infer<typeof Box>;

const ClassId = z.number().int('must be a whole number').min(0, 'must be 0 or more');

/**
 * The object a hand is in contact with: its class, and where it is. Labels made since box tracks
 * exist name an `object` box track (`boxTrackId`), which has a box per frame. Labels from before
 * carry one static `box` (the object's box at `startFrame`); they still load, replay and export,
 * and editing such a box turns it into a track.
 */
export const ContactObject = z.union([
  z.object({ classId: ClassId, boxTrackId: z.string().min(1, 'must not be empty') }).strict(),
  z.object({ box: Box, classId: ClassId }).strict(),
]);
export type ContactObject = z.infer<typeof ContactObject>;

/** The object's box track id, or undefined for a static box from before box tracks. */
export function objectTrackId(object: ContactObject | null): string | undefined {
  return object !== null && 'boxTrackId' in object ? object.boxTrackId : undefined;
}

/**
 * A hand's contact over frames [startFrame, endFrame] (inclusive), on one hand track: a span with
 * an explicit end, set by the hand's next state or by an end mark.
 *
 * 100DOH annotates a target-object box (reached by the hand's offset vector) only for hands in
 * contact with an object, i.e. states 3 (portable) and 4 (stationary). We follow that: `object` is
 * required for 3 and 4 and must be null for 0–2 (no contact, self, other person have no object to
 * box). The object's box per frame is its box track's (`ContactObject`).
 */
export const ContactLabel = z
  .object({
    id: z.string().min(1, 'must not be empty'),
    trackId: z.string().min(1, 'must not be empty'),
    startFrame: FrameIndex,
    endFrame: FrameIndex,
    state: ContactState,
    object: ContactObject.nullable(),
    segmentId: z.string().min(1, 'must not be empty').nullable(),
  })
  .strict();
export type ContactLabel = z.infer<typeof ContactLabel>;

export function contactNeedsObject(state: ContactState): boolean {
  return state === 3 || state === 4;
}

export type ContactContext = {
  readonly frameCount: number;
  /** Hand tracks by id; a contact on a missing or non-hand track is refused. */
  readonly handTrackIds: ReadonlySet<string>;
  /** Known object class ids; when undefined, class ids are not checked. */
  readonly objectClassIds?: ReadonlySet<number>;
  /** Known segment ids; when undefined, segment links are not checked. */
  readonly segmentIds?: ReadonlySet<string>;
  /** Object box track ids; when undefined, object tracks are not checked. */
  readonly objectTrackIds?: ReadonlySet<string>;
};

/**
 * Orders contacts by track, start frame, then id. Every operation returns contacts in this order,
 * so the same set is always the same array.
 */
export function compareContacts(a: ContactLabel, b: ContactLabel): number {
  if (a.trackId !== b.trackId) return a.trackId < b.trackId ? -1 : 1;
  if (a.startFrame !== b.startFrame) return a.startFrame - b.startFrame;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Problems with one contact label, each a sentence; empty when it is valid. `others` are the
 * other contacts of the document (a hand has one state at a time, so ranges of one hand must not
 * overlap).
 */
export function validateContact(
  contact: ContactLabel,
  others: readonly ContactLabel[],
  context: ContactContext,
): string[] {
  const problems: string[] = [];
  const parsed = ContactLabel.safeParse(contact);
  if (!parsed.success) {
    for (const issue of parsed.error.issues.slice(0, 3)) {
      problems.push(`${issue.path.map(String).join('.') || 'contact'}: ${issue.message}.`);
    }
    return problems;
  }
  const range = `frames ${contact.startFrame}–${contact.endFrame}`;
  if (contact.startFrame > contact.endFrame || contact.endFrame > context.frameCount - 1) {
    problems.push(
      `Contact ${range} must lie within frames 0–${context.frameCount - 1} with its start not after its end.`,
    );
  }
  if (!context.handTrackIds.has(contact.trackId)) {
    problems.push(`Contact ${range} is on "${contact.trackId}", which is not a hand track.`);
  }
  if (contactNeedsObject(contact.state) && contact.object === null) {
    problems.push(
      `Contact ${range} is with a ${contact.state === 3 ? 'portable' : 'stationary'} object, so it needs the object's box and class.`,
    );
  }
  if (!contactNeedsObject(contact.state) && contact.object !== null) {
    problems.push(
      `Contact ${range} has an object box, but its state (${contact.state}) is not contact with an object; use state 3 or 4, or remove the box.`,
    );
  }
  if (
    contact.object !== null &&
    context.objectClassIds !== undefined &&
    !context.objectClassIds.has(contact.object.classId)
  ) {
    problems.push(
      `Contact ${range} names object class ${contact.object.classId}, which the project does not have.`,
    );
  }
  const boxTrackId = objectTrackId(contact.object);
  if (
    boxTrackId !== undefined &&
    context.objectTrackIds !== undefined &&
    !context.objectTrackIds.has(boxTrackId)
  ) {
    problems.push(`Contact ${range} names an object box track that does not exist.`);
  }
  if (
    contact.segmentId !== null &&
    context.segmentIds !== undefined &&
    !context.segmentIds.has(contact.segmentId)
  ) {
    problems.push(
      `Contact ${range} links to segment "${contact.segmentId}", which does not exist.`,
    );
  }
  const clash = others.find(
    (o) =>
      o.id !== contact.id &&
      o.trackId === contact.trackId &&
      o.startFrame <= contact.endFrame &&
      contact.startFrame <= o.endFrame,
  );
  if (clash) {
    problems.push(
      `Contact ${range} overlaps the contact at frames ${clash.startFrame}–${clash.endFrame} on the same hand; a hand has one contact state at a time.`,
    );
  }
  return problems;
}

/** The contact label covering `frame` on a hand track, if any. */
export function contactAt(
  contacts: readonly ContactLabel[],
  trackId: string,
  frame: number,
): ContactLabel | undefined {
  return contacts.find(
    (c) => c.trackId === trackId && c.startFrame <= frame && frame <= c.endFrame,
  );
}

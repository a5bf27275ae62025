import { z } from 'zod';
import { CommandSchema } from '../labels/commands';
import type { LabelsDocument } from '../labels/labelsDocument';

const FrameIndex = z.number().int('must be a whole frame number').min(0, 'must be 0 or more');
const RecordId = z.string().min(1, 'must not be empty');

/**
 * Where a reviewer pinned a comment: a frame, one point of a track on a frame, a segment, or a
 * contact label. The pin is drawn on the overlay (frame, point, contact box) and the timeline.
 */
export const CommentPin = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('frame'), frame: FrameIndex }).strict(),
  z
    .object({
      kind: z.literal('point'),
      frame: FrameIndex,
      trackId: RecordId,
      index: z.number().int().min(0),
    })
    .strict(),
  z.object({ kind: z.literal('segment'), segmentId: RecordId }).strict(),
  z.object({ kind: z.literal('contact'), contactId: RecordId }).strict(),
]);
export type CommentPin = z.infer<typeof CommentPin>;

/**
 * A review comment on one revision of an annotation set. `suggestion` is a correction the reviewer
 * proposes as an ordinary command: the annotator applies it (one undoable edit) or not.
 */
export const ReviewComment = z
  .object({
    id: RecordId,
    setId: RecordId,
    /** The set revision the reviewer looked at. */
    revision: z.number().int().min(0),
    author: RecordId,
    at: z.string(),
    pin: CommentPin,
    text: z
      .string()
      .trim()
      .min(1, 'must say something')
      .max(4000, 'must be at most 4,000 characters'),
    suggestion: CommandSchema.nullable(),
    resolved: z.object({ by: RecordId, at: z.string() }).strict().nullable(),
    /**
     * The server refused this resolution for good (the comment or the set is no longer the
     * annotator's there), with its code and sentence; absent otherwise. Reopening takes it back.
     */
    resolveRefused: z.object({ code: z.string(), message: z.string() }).strict().optional(),
  })
  .strict();
export type ReviewComment = z.infer<typeof ReviewComment>;

/**
 * The frame a pin points at, so "next comment" can move the playhead there: a segment's or a
 * contact's first frame. `undefined` when the pinned record no longer exists (it was removed in a
 * later revision); such a comment is still listed, without a frame to go to.
 */
export function pinFrame(pin: CommentPin, doc: LabelsDocument): number | undefined {
  switch (pin.kind) {
    case 'frame':
    case 'point':
      return pin.frame;
    case 'segment':
      return doc.segments.find((s) => s.id === pin.segmentId)?.startFrame;
    case 'contact':
      return doc.contacts.find((c) => c.id === pin.contactId)?.startFrame;
  }
}

/**
 * The comment to jump to from `frame` (`J`/`Shift+J` for reviewers): the first one pinned after it
 * (or before it, going back), wrapping around; open comments only unless `includeResolved`.
 */
export function adjacentComment(
  comments: readonly ReviewComment[],
  doc: LabelsDocument,
  frame: number,
  direction: 1 | -1,
  includeResolved = false,
): ReviewComment | undefined {
  const pinned = comments
    .filter((c) => includeResolved || c.resolved === null)
    .flatMap((c) => {
      const at = pinFrame(c.pin, doc);
      return at === undefined ? [] : [{ comment: c, at }];
    })
    .sort((a, b) => a.at - b.at || a.comment.at.localeCompare(b.comment.at));
  if (pinned.length === 0) return undefined;
  const next =
    direction > 0
      ? (pinned.find((p) => p.at > frame) ?? pinned[0])
      : ([...pinned].reverse().find((p) => p.at < frame) ?? pinned[pinned.length - 1]);
  return next?.comment;
}

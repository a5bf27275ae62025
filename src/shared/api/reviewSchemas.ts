import { z } from 'zod';
import { CommandSchema } from '../domain/labels/commands';
import { LabelsDocument } from '../domain/labels/labelsDocument';
import { rowDisplayName, trackDisplayName } from '../domain/labels/trackNames';
import { CommentPin, ReviewComment } from '../domain/review/reviewComment';
import type { LabelsDiff } from '../domain/review/labelsDiff';
import type { ReviewComment as WireComment } from './syncProtocol';

/** A verdict the server refused for good, as the reviewer sees it on the queue. */
export const RefusedVerdict = z
  .object({
    verdict: z.enum(['accept', 'request_changes']),
    /** The revision the verdict was given on. */
    revision: z.number().int().min(0),
    /** The server's error code (STALE_REVISION, NOT_FOUND, SET_LOCKED…) and sentence. */
    code: z.string(),
    message: z.string(),
    givenAt: z.string(),
  })
  .strict();
export type RefusedVerdict = z.infer<typeof RefusedVerdict>;

/** One clip waiting for this reviewer, as cached on the workstation (works offline). */
export const ReviewQueueItem = z
  .object({
    setId: z.string(),
    clipRef: z.string(),
    projectId: z.string(),
    annotator: z.string(),
    /** The local batch holding the clip when it is imported here, else null. */
    batch: z.string().nullable(),
    /** The local clip id when the clip is imported here (the player needs the video). */
    clipId: z.string().nullable(),
    /** The clip's file name when it is imported here: what people call a clip. */
    fileName: z.string().optional(),
    revision: z.number().int().min(0),
    status: z.string(),
    submittedAt: z.string(),
    /** Share (0–1) of labelled points still as the pose model proposed them. */
    modelShare: z.number().min(0).max(1),
    openComments: z.number().int().min(0),
    /** Set once this reviewer gave a verdict here; the row waits in the outbox until delivered. */
    verdict: z.enum(['accept', 'request_changes']).nullable(),
    /**
     * This reviewer's verdict the server refused for good (the set changed meanwhile, or is no
     * longer theirs), with the server's reason; null otherwise. "Review again" deals with it.
     */
    refused: RefusedVerdict.nullable(),
  })
  .strict();
export type ReviewQueueItem = z.infer<typeof ReviewQueueItem>;

/**
 * A comment the reviewer wrote for a refused verdict that does not fit the revision reviewed
 * again (its frame is past the clip's end, its track, segment or contact label is gone).
 */
export const CommentNotCarried = z.object({ comment: ReviewComment, why: z.string() }).strict();
export type CommentNotCarried = z.infer<typeof CommentNotCarried>;

/**
 * What "Review again" did: `reopened` when the set is back in the queue (at the server's current
 * revision) for a new verdict; `closed` when the server no longer lists it for this reviewer.
 */
export const ReviewAgainResult = z
  .object({
    setId: z.string(),
    outcome: z.enum(['reopened', 'closed']),
    /** The revision the refused verdict was about. */
    refusedRevision: z.number().int().min(0),
    /** The revision to review now; null when closed. */
    revision: z.number().int().min(0).nullable(),
    /** Unsent comments carried to `revision`, drafts again (they go with the next verdict). */
    carried: z.array(ReviewComment),
    notCarried: z.array(CommentNotCarried),
  })
  .strict();
export type ReviewAgainResult = z.infer<typeof ReviewAgainResult>;

/** What a diff entry says, flattened for a list with links to frames. */
export const DiffEntry = z
  .object({
    what: z.enum(['track', 'keyframe', 'segment', 'contact', 'box']),
    kind: z.enum(['added', 'removed', 'changed']),
    id: z.string(),
    /** Where to jump; null for a track as a whole. */
    frame: z.number().int().min(0).nullable(),
    summary: z.string(),
  })
  .strict();
export type DiffEntry = z.infer<typeof DiffEntry>;

export const OpenedReview = z
  .object({
    item: ReviewQueueItem,
    labels: LabelsDocument,
    comments: z.array(ReviewComment),
    /** Null when this reviewer has not reviewed an earlier revision of the set. */
    changesSince: z
      .object({ revision: z.number().int().min(0), entries: z.array(DiffEntry) })
      .strict()
      .nullable(),
  })
  .strict();
export type OpenedReview = z.infer<typeof OpenedReview>;

export const AddReviewComment = z
  .object({
    setId: z.string().min(1),
    pin: CommentPin,
    text: z
      .string()
      .trim()
      .min(1, 'Write what needs fixing.')
      .max(4000, 'Keep a comment under 4,000 characters.'),
    suggestion: CommandSchema.optional(),
  })
  .strict();
export type AddReviewComment = z.infer<typeof AddReviewComment>;

export const SubmitReview = z
  .object({
    setId: z.string().min(1),
    verdict: z.enum(['accept', 'request_changes']),
    reason: z.string().trim().max(4000).optional(),
  })
  .strict()
  .refine((r) => r.verdict === 'accept' || (r.reason ?? '') !== '', {
    message: 'Say why changes are requested: the annotator needs a reason to act on.',
    path: ['reason'],
  });
export type SubmitReview = z.infer<typeof SubmitReview>;

/** A domain comment as the server's wire format carries it (the pin spread into fields). */
export function toWireComment(comment: ReviewComment): WireComment {
  const pin = comment.pin;
  const where =
    pin.kind === 'frame'
      ? { frame: pin.frame }
      : pin.kind === 'point'
        ? { frame: pin.frame, trackId: pin.trackId, pointIndex: pin.index }
        : pin.kind === 'segment'
          ? { segmentId: pin.segmentId }
          : { contactId: pin.contactId };
  return {
    id: comment.id,
    text: comment.text,
    ...where,
    ...(comment.suggestion === null ? {} : { suggestion: comment.suggestion }),
  };
}

/** The pin a wire comment names; a comment with no place at all is pinned to frame 0. */
export function pinOfWire(comment: WireComment): CommentPin {
  if (comment.contactId !== undefined) return { kind: 'contact', contactId: comment.contactId };
  if (comment.segmentId !== undefined) return { kind: 'segment', segmentId: comment.segmentId };
  if (comment.trackId !== undefined && comment.pointIndex !== undefined) {
    return {
      kind: 'point',
      frame: comment.frame ?? 0,
      trackId: comment.trackId,
      index: comment.pointIndex,
    };
  }
  return { kind: 'frame', frame: comment.frame ?? 0 };
}

/** Share of decided points still as the model proposed them (0 when nothing is labelled). */
export function modelShare(labels: LabelsDocument): number {
  let total = 0;
  let model = 0;
  for (const track of labels.tracks) {
    for (const keyframe of track.keyframes) {
      for (const point of keyframe.points) {
        if (point === null || point.visibility === 'unlabeled') continue;
        total += 1;
        if (point.source === 'model') model += 1;
      }
    }
  }
  return total === 0 ? 0 : model / total;
}

/**
 * The diff as a list a reviewer reads top to bottom, each entry with the frame to jump to. Tracks
 * and rows are named as people see them (`labels`, the revision under review, plus the tracks the
 * diff removed), never by id.
 */
export function diffEntries(diff: LabelsDiff, labels?: LabelsDocument): DiffEntry[] {
  const entries: DiffEntry[] = [];
  const tracks = [
    ...(labels?.tracks ?? []),
    ...diff.tracks.flatMap((c) => (c.kind === 'removed' ? [c.before] : [])),
  ];
  const trackName = (id: string): string => {
    const track = tracks.find((t) => t.id === id);
    return track ? trackDisplayName(track, tracks) : 'a deleted track';
  };
  for (const c of diff.tracks) {
    const track = c.kind === 'removed' ? c.before : c.after;
    entries.push({
      what: 'track',
      kind: c.kind,
      id: track.id,
      frame: null,
      summary: trackDisplayName(track, tracks),
    });
  }
  for (const c of diff.keyframes) {
    entries.push({
      what: 'keyframe',
      kind: c.kind,
      id: `${c.trackId}@${c.frame}`,
      frame: c.frame,
      summary: `${trackName(c.trackId)}, frame ${c.frame}: ${c.points.length} point${c.points.length === 1 ? '' : 's'}`,
    });
  }
  for (const c of diff.segments) {
    const s = c.kind === 'removed' ? c.before : c.after;
    entries.push({
      what: 'segment',
      kind: c.kind,
      id: s.id,
      frame: s.startFrame,
      summary: `${rowDisplayName(s.actor, tracks)}: verb ${String(s.verbId ?? '?')}, noun ${String(s.nounId ?? '?')}, frames ${s.startFrame}–${s.endFrame}`,
    });
  }
  for (const c of diff.contacts) {
    const k = c.kind === 'removed' ? c.before : c.after;
    entries.push({
      what: 'contact',
      kind: c.kind,
      id: k.id,
      frame: k.startFrame,
      summary: `${trackName(k.trackId)}: ${k.state}, frames ${k.startFrame}–${k.endFrame}`,
    });
  }
  for (const c of diff.boxKeyframes ?? []) {
    entries.push({
      what: 'box',
      kind: c.kind,
      id: `${c.boxTrackId}@${c.frame}`,
      frame: c.frame,
      summary: `${c.name}, frame ${c.frame}`,
    });
  }
  return entries;
}

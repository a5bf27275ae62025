import { z } from 'zod';
import { ManifestConsent } from '../domain/batchManifest';
import { AnnotationStatus } from '../domain/labels/annotationSet';
import { CommandSchema } from '../domain/labels/commands';
import { LabelsDocument } from '../domain/labels/labelsDocument';

/**
 * The wire format between the desktop sync client and the central server (`/v1/...`), declared
 * once so both sides parse the same shapes. The server additionally validates every body and
 * query with a JSON schema (`additionalProperties: false`) before these run.
 */

/**
 * A clip across machines: the lowercase hex sha256 of the video file's bytes. Local clip ids are
 * per workstation database; the content hash is what every machine computes for the same file
 * (and what a batch manifest's per-clip checksums already state before hashing finishes).
 */
export const ClipRef = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256');
export type ClipRef = z.infer<typeof ClipRef>;

export const Role = z.enum(['annotator', 'reviewer', 'lead']);
export type Role = z.infer<typeof Role>;

/** The body of `PUT /v1/clips/:clipRef/set`. Owner, status and reviewer are the server's to set. */
export const PushSetBody = z
  .object({
    /** The server revision this set was last seen at (0: never pushed). */
    baseRevision: z.number().int().min(0),
    labels: LabelsDocument,
    /** The workstation's own id and revision, kept for provenance; never trusted for authority. */
    localSetId: z.string().min(1).max(100),
    localRevision: z.number().int().min(0),
  })
  .strict();
/** The labels as the domain types them (read-only arrays), so a stored document sends as is. */
export type PushSetBody = Omit<z.infer<typeof PushSetBody>, 'labels'> & { labels: LabelsDocument };

export const ServerSet = z
  .object({
    setId: z.string(),
    clipRef: ClipRef,
    projectId: z.string(),
    annotator: z.string(),
    reviewer: z.string().nullable(),
    status: AnnotationStatus,
    revision: z.number().int().min(0),
  })
  .strict();
export type ServerSet = z.infer<typeof ServerSet>;

export const ServerSetWithLabels = ServerSet.extend({ labels: LabelsDocument.nullable() }).strict();
export type ServerSetWithLabels = z.infer<typeof ServerSetWithLabels>;

export const Assignment = z
  .object({
    assignmentId: z.string(),
    projectId: z.string(),
    clipRef: ClipRef,
    annotator: z.string(),
    reviewer: z.string().nullable(),
    set: ServerSet,
  })
  .strict();
export type Assignment = z.infer<typeof Assignment>;

export const ReviewComment = z
  .object({
    text: z.string().min(1).max(4000),
    frame: z.number().int().min(0).optional(),
    trackId: z.string().max(100).optional(),
    pointIndex: z.number().int().min(0).optional(),
    segmentId: z.string().max(100).optional(),
    // Added with the review workflow; optional so a body from an older client still parses.
    /** The desktop's own comment id, so resolving it later names the same comment everywhere. */
    id: z.string().min(1).max(100).optional(),
    contactId: z.string().max(100).optional(),
    /** A correction the reviewer proposes, as the command the annotator may apply. */
    suggestion: CommandSchema.optional(),
  })
  .strict();
export type ReviewComment = z.infer<typeof ReviewComment>;

export const ReviewVerdict = z.enum(['accept', 'request_changes']);
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

export const ReviewBody = z
  .object({
    verdict: ReviewVerdict,
    baseRevision: z.number().int().min(0),
    comments: z.array(ReviewComment).max(500),
    /** Why changes are requested; the server refuses request_changes without one (REASON_REQUIRED). */
    reason: z.string().max(4000).optional(),
  })
  .strict();
export type ReviewBody = z.infer<typeof ReviewBody>;

export const SyncEvent = z.discriminatedUnion('kind', [
  z
    .object({
      id: z.number().int(),
      kind: z.literal('review'),
      setId: z.string(),
      clipRef: ClipRef,
      verdict: ReviewVerdict,
      status: AnnotationStatus,
      revision: z.number().int(),
      reviewer: z.string(),
      comments: z.array(ReviewComment),
      reason: z.string().optional(),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      kind: z.literal('assigned'),
      assignmentId: z.string(),
      clipRef: ClipRef,
      projectId: z.string(),
      as: z.enum(['annotator', 'reviewer']),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      kind: z.literal('unassigned'),
      assignmentId: z.string(),
      clipRef: ClipRef,
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      kind: z.literal('consent_withdrawn'),
      clipRef: ClipRef,
      reason: z.string(),
    })
    .strict(),
  z
    .object({
      id: z.number().int(),
      kind: z.literal('consent_recorded'),
      clipRef: ClipRef,
      consent: ManifestConsent,
      /** Server time the lead recorded it: a workstation keeps a clip's latest record. */
      recordedAt: z.string(),
      recordedBy: z.string(),
    })
    .strict(),
]);
export type SyncEvent = z.infer<typeof SyncEvent>;

/** A comment as the review queue shows it again: which revision, by whom, resolved or not. */
export const QueueComment = ReviewComment.extend({
  id: z.string(),
  revision: z.number().int().min(0),
  reviewer: z.string(),
  at: z.string(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
}).strict();
export type QueueComment = z.infer<typeof QueueComment>;

/** One entry of `GET /v1/review-queue`: the set with its labels, when it came in, earlier comments. */
export const ReviewQueueEntry = ServerSetWithLabels.extend({
  submittedAt: z.string(),
  comments: z.array(QueueComment),
}).strict();
export type ReviewQueueEntry = z.infer<typeof ReviewQueueEntry>;

export const EventsPage = z
  .object({ events: z.array(SyncEvent), cursor: z.number().int().min(0) })
  .strict();
export type EventsPage = z.infer<typeof EventsPage>;

/**
 * One annotator's handed-in set of a double-annotated clip, as `GET /v1/double-annotation/sets`
 * gives it to the project's lead (or the clip's reviewer): what the lead's workstation needs to
 * compute agreement for clips it did not label itself. Never a set still in progress.
 */
export const DoubleAnnotationSet = z
  .object({
    setId: z.string(),
    clipRef: ClipRef,
    projectId: z.string(),
    annotator: z.string(),
    status: AnnotationStatus.exclude(['in_progress']),
    revision: z.number().int().min(1),
    labels: LabelsDocument,
    updatedAt: z.string(),
  })
  .strict();
export type DoubleAnnotationSet = Omit<z.infer<typeof DoubleAnnotationSet>, 'labels'> & {
  labels: LabelsDocument;
};

/**
 * The same set without its labels (`?fields=summary`): what a workstation pages through to learn
 * which sets changed since its copy, before it fetches the labels of those alone.
 */
export const DoubleAnnotationSummary = DoubleAnnotationSet.omit({ labels: true }).strict();
export type DoubleAnnotationSummary = z.infer<typeof DoubleAnnotationSummary>;

export const DoubleAnnotationSummaryPage = z
  .object({ sets: z.array(DoubleAnnotationSummary), nextCursor: z.string().nullable() })
  .strict();
export type DoubleAnnotationSummaryPage = z.infer<typeof DoubleAnnotationSummaryPage>;

/** A page of double-annotated sets in set id order; `nextCursor` is null on the last page. */
export const DoubleAnnotationPage = z
  .object({ sets: z.array(DoubleAnnotationSet), nextCursor: z.string().nullable() })
  .strict();
export type DoubleAnnotationPage = { sets: DoubleAnnotationSet[]; nextCursor: string | null };

/** Every error answer: `{ error: { code, message, ...details } }`. A 409 carries `current`. */
export const ServerErrorBody = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      current: ServerSetWithLabels.optional(),
    })
    .loose(),
});
export type ServerErrorBody = z.infer<typeof ServerErrorBody>;

/**
 * JSON with object keys sorted, so the same value always serializes to the same text: the
 * server hashes it to tell a retried request from a different one under the same key.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

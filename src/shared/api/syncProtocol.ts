import { z } from 'zod';
import { ManifestConsent } from '../domain/batchManifest';
import { AnnotationStatus } from '../domain/labels/annotationSet';
import { CommandSchema } from '../domain/labels/commands';
import { BulkLabelsDocument, LabelsDocument } from '../domain/labels/labelsDocument';
import { ProjectSchemaV1, type ProjectSchema } from '../domain/labels/projectSchema';

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

/** `admin` runs the team's admin commands on a running server and sees no labels. */
export const Role = z.enum(['annotator', 'reviewer', 'lead', 'admin']);
export type Role = z.infer<typeof Role>;

/**
 * What the export writers need to know about a clip besides its labels, as the annotator's
 * workstation probed and imported it: sent with a push so the server can write the same label
 * files as a workstation (`framewise-server export`) without the video. Size is the coded picture
 * (rotation applies on top, as on the workstation); frame times are the container's presentation
 * times, one per frame. The manifest's consent and contributor travel too: the server gates on
 * them as a workstation does, a consent record the lead made on the server taking precedence.
 */
export const PushedClip = z
  .object({
    fileName: z.string().min(1).max(1000),
    width: z.number().int().min(1).max(100_000),
    height: z.number().int().min(1).max(100_000),
    rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
    /** Seconds; a 30-minute clip at 240 fps fits under the cap. */
    frameTimes: z.array(z.number().min(0).max(1e7)).max(500_000),
    lastFrameDurationSeconds: z.number().min(0).max(1e4),
    frameTableSource: z.string().min(1).max(100),
    contributor: z.string().min(1).max(200).nullable(),
    region: z.string().min(1).max(20).nullable(),
    consent: ManifestConsent.nullable(),
  })
  .strict();
export type PushedClip = z.infer<typeof PushedClip>;

/** The body of `PUT /v1/clips/:clipRef/set`. Owner, status and reviewer are the server's to set. */
export const PushSetBody = z
  .object({
    /** The server revision this set was last seen at (0: never pushed). */
    baseRevision: z.number().int().min(0),
    labels: LabelsDocument,
    /** The workstation's own id and revision, kept for provenance; never trusted for authority. */
    localSetId: z.string().min(1).max(100),
    localRevision: z.number().int().min(0),
    // Added for the lead's dataset (#15); optional so an older workstation's push still parses.
    /** The clip as the writers need it (frame times, size, rotation, consent). */
    clip: PushedClip.optional(),
    /** The project schema the labels were made with (templates, taxonomy, object classes). */
    project: ProjectSchemaV1.optional(),
  })
  .strict();
/** The labels as the domain types them (read-only arrays), so a stored document sends as is. */
export type PushSetBody = Omit<z.infer<typeof PushSetBody>, 'labels' | 'project'> & {
  labels: LabelsDocument;
  project?: ProjectSchema;
};

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

/**
 * One set of a project the caller leads, as `GET /v1/team-sets` pages them in the order they last
 * changed (`changeSeq`): what a lead's workstation keeps to export the team's work. Labels (and the
 * project schema they were made with) come only for sets in the requested statuses; a set that
 * left them (sent back for changes) comes without, so the copy can be dropped.
 */
export const TeamSet = ServerSet.extend({
  changeSeq: z.number().int().min(1),
  updatedAt: z.string(),
  /** The accounts that gave verdicts on this set, oldest first. */
  reviewers: z.array(z.string()),
  /**
   * UTF-8 bytes of the `labels` and `project` values as they follow in the page's text ("null"
   * is 4), so a client can take them out as text (issue #15: a lead's pull of a gigabyte).
   */
  labelsBytes: z.number().int().min(0).optional(),
  projectBytes: z.number().int().min(0).optional(),
  labels: BulkLabelsDocument.nullable(),
  project: ProjectSchemaV1.nullable(),
}).strict();
export type TeamSet = Omit<z.infer<typeof TeamSet>, 'labels' | 'project'> & {
  labels: LabelsDocument | null;
  project: ProjectSchema | null;
};

export const TeamSetsPage = z
  .object({
    sets: z.array(TeamSet),
    /** The `changeSeq` to ask after next time (unchanged when the page is empty). */
    cursor: z.number().int().min(0),
    /** True when more sets changed after this page. */
    more: z.boolean(),
  })
  .strict();
export type TeamSetsPage = { sets: TeamSet[]; cursor: number; more: boolean };

/** A project a lead leads (`GET /v1/projects`). */
export const ProjectSummary = z.object({ projectId: z.string(), name: z.string() }).strict();
export type ProjectSummary = z.infer<typeof ProjectSummary>;

const Count = z.number().int().min(0);

/**
 * A project's progress as its lead sees it (`GET /v1/projects/:id/progress`): its clips by status,
 * each annotator's output and quality, each reviewer's backlog. Days are UTC (YYYY-MM-DD).
 */
export const ProjectProgress = z
  .object({
    projectId: z.string(),
    name: z.string(),
    generatedAt: z.string(),
    /** Sets by status; `assigned` is in progress and never pushed, `withdrawn` consent withdrawn. */
    clipsByStatus: z
      .object({
        assigned: Count,
        in_progress: Count,
        submitted: Count,
        in_review: Count,
        changes_requested: Count,
        accepted: Count,
        withdrawn: Count,
      })
      .strict(),
    annotators: z.array(
      z
        .object({
          annotator: z.string(),
          assigned: Count,
          /** Sets handed in at least once. */
          submitted: Count,
          accepted: Count,
          /** Requests for changes on their sets (every round counts). */
          changesRequested: Count,
          /** Requests for changes over all verdicts on their sets; null before any verdict. */
          rejectionRate: z.number().min(0).max(1).nullable(),
          /** Pushes and acceptances per day, days with either only, oldest first. */
          perDay: z.array(
            z.object({ day: z.string(), submitted: Count, accepted: Count }).strict(),
          ),
        })
        .strict(),
    ),
    reviewers: z.array(
      z
        .object({
          reviewer: z.string(),
          /** Sets handed in and waiting for this reviewer's verdict. */
          backlog: Count,
          /** Verdicts given. */
          reviewed: Count,
        })
        .strict(),
    ),
  })
  .strict();
export type ProjectProgress = z.infer<typeof ProjectProgress>;

/**
 * A clip the server offers the caller (`GET /v1/deliveries`, #18): to its annotator, to its
 * reviewer while its set waits in their review queue, to the lead of its project. Everyone is
 * offered the delivered copy (location, device and dates neutralised); the original stays on the
 * server and only the project's lead may fetch it (`GET /v1/clips/:clipRef/file?variant=original`).
 */
export const ClipDeliveryOffer = z
  .object({
    clipRef: ClipRef,
    /** Why the caller has it: the work they do on it. */
    as: z.enum(['annotator', 'reviewer', 'lead']),
    /** The delivered copy's own sha256, checked before the file is used. */
    sha256: ClipRef,
    sizeBytes: z.number().int().positive(),
    container: z.string(),
    frameCount: z.number().int().min(0),
    frameTableSha256: z.string(),
  })
  .strict();
export type ClipDeliveryOffer = z.infer<typeof ClipDeliveryOffer>;

export const DeliveriesAnswer = z
  .object({
    clips: z.array(ClipDeliveryOffer),
    /** The most bytes one upload chunk may carry. */
    chunkMaxBytes: z.number().int().positive(),
  })
  .strict();
export type DeliveriesAnswer = z.infer<typeof DeliveriesAnswer>;

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

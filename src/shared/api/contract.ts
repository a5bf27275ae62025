import { FaceRegionsOfClip, FaceScanInfo, FaceScanProgress } from './faceSchemas';
import { FaceTrack } from '../domain/faces/faceTracks';
import { z } from 'zod';
import { ClipStorage, DeliveryProgress, DeliveryStatus, SetClipQuota } from './deliverySchemas';
import { CommandSchema } from '../domain/labels/commands';
import { AgreementReport } from '../domain/metrics/agreementReport';
import {
  AnnotationSetInfo,
  Batch,
  ChecksumUpdate,
  Clip,
  FileError,
  FrameTable,
  ImportProgress,
  ImportReport,
  LabelEditSaved,
  LabelsAtSeq,
  LabelsSaved,
  MediaVariant,
  ProjectInfo,
  ProxyStatus,
  SampleTable,
  SubmitResult,
  Workspace,
} from './schemas';
import { ExportProgress, ExportRequest, ExportStarted, ExportStatusFilter } from './exportSchemas';
import { AuditTrailEntry, AuditVerdict, ConsentWithdrawn } from './governanceSchemas';
import { ConsentPolicy } from '../domain/consentState';
import {
  Identity,
  LocalProfileInput,
  SyncConflictInfo,
  SyncIssue,
  SyncReport,
  SyncSignIn,
  SyncStatus,
  WorkItem,
} from './syncSchemas';
import { ProjectProgress } from './syncProtocol';
import {
  AddReviewComment,
  OpenedReview,
  ReviewAgainResult,
  ReviewQueueItem,
  SubmitReview,
} from './reviewSchemas';
import { ReviewComment } from '../domain/review/reviewComment';
import {
  PreannotationProgress,
  PreannotationRequest,
  PreannotationStarted,
} from './preannotationSchemas';
import { PrivacyReport } from '../domain/privacyReport';

/**
 * Every call between the renderer and the main-process services, declared once.
 * The Electron IPC bridge, the loopback host and both clients are derived from this object,
 * so a call cannot exist on one transport and not the other.
 */
/** A project's progress as the lead's sync last pulled it. */
const CachedProgress = z.object({ progress: ProjectProgress, pulledAt: z.string() }).strict();

export const calls = {
  importBatch: {
    input: z.object({ folder: z.string().min(1, 'Choose a folder to import.') }).strict(),
    output: ImportReport,
  },
  listBatches: {
    input: z.object({}).strict(),
    output: z.array(Batch),
  },
  listClips: {
    input: z.object({ batchId: z.string().min(1) }).strict(),
    output: z.array(Clip),
  },
  listFileErrors: {
    input: z.object({ batchId: z.string().min(1) }).strict(),
    output: z.array(FileError),
  },
  getClip: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: Clip,
  },
  getFrameTable: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: FrameTable,
  },
  getSampleTable: {
    input: z
      .object({ clipId: z.string().min(1), variant: MediaVariant.default('original') })
      .strict(),
    output: SampleTable,
  },
  /** Asks for an H.264 proxy of a clip this renderer cannot decode; made in the background. */
  ensureProxy: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: ProxyStatus,
  },
  getProxyStatus: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: ProxyStatus,
  },
  /** The labeling project: the default (sample) project when no id is given. */
  getProject: {
    input: z.object({ projectId: z.string().min(1).optional() }).strict(),
    output: ProjectInfo,
  },
  /**
   * The current user's annotation set on a clip, created empty on first open. The annotator is
   * the OS user the main process runs as, never a value the renderer sends.
   */
  openAnnotationSet: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: AnnotationSetInfo,
  },
  /** A set's labels as of its last saved edit (`seq`). */
  loadLabels: {
    input: z.object({ setId: z.string().min(1) }).strict(),
    output: LabelsAtSeq,
  },
  /**
   * Saves one edit: answers only once the edit is committed to disk, with the set's new `seq`
   * (`expectedSeq` + 1). `expectedSeq` is the seq the client's copy is at; errors: STALE_EDIT
   * (reload and redo), EDIT_REFUSED (the command does not apply; the message says why),
   * SET_NOT_EDITABLE, ANNOTATION_SET_NOT_FOUND. Undo and redo send the inverse command.
   */
  applyLabelEdit: {
    input: z
      .object({
        setId: z.string().min(1),
        command: CommandSchema,
        expectedSeq: z.number().int().min(0),
        /**
         * The client's id for this edit, kept with it: a retry after a lost answer (the host died
         * after the commit) returns the saved seq instead of STALE_EDIT.
         */
        editId: z.uuid().optional(),
      })
      .strict(),
    output: LabelEditSaved,
  },
  /**
   * Submits a set for review once `checkCompleteness` finds nothing missing; otherwise nothing
   * changes and the answer lists the problems with their frames. Errors: STATUS_CHANGE_REFUSED
   * (not the annotator's to submit in its status), ANNOTATION_SET_NOT_FOUND.
   */
  submitAnnotationSet: {
    input: z.object({ setId: z.string().min(1) }).strict(),
    output: SubmitResult,
  },
  /** Server, signed in or not, online/offline, pending count, last error, conflict count. */
  getSyncStatus: {
    input: z.object({}).strict(),
    output: SyncStatus,
  },
  /**
   * Signs in to the team's server with an API token, checked against the server first (errors:
   * UNAUTHORIZED, NETWORK, BAD_SERVER_URL). The token is saved only where the OS keyring can
   * encrypt it (the status says which); delivery starts at once.
   */
  syncSignIn: {
    input: SyncSignIn,
    output: SyncStatus,
  },
  /**
   * Who records are made by: the signed-in account, else the local profile asked at first run,
   * else (neither yet) the OS user.
   */
  getIdentity: {
    input: z.object({}).strict(),
    output: Identity,
  },
  /**
   * The signed-in person's work: with `batchId`, every clip of the batch with its status for
   * them; without, My work: what is assigned to them or started here, across batches, due first,
   * with the reviewer's reason beside each request for changes.
   */
  listWork: {
    input: z.object({ batchId: z.string().min(1).optional() }).strict(),
    output: z.array(WorkItem),
  },
  /**
   * The clips the team server delivers to the signed-in account (#18): each one's state and bytes
   * so far, the total, and the disk they take against the quota.
   */
  getDeliveryStatus: {
    input: z.object({}).strict(),
    output: DeliveryStatus,
  },
  /** Fetches a clip whose download failed again, now (false: it is not failed or not offered). */
  retryDelivery: {
    input: z.object({ clipRef: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
    output: z.object({ retried: z.boolean() }),
  },
  /**
   * Sets (or lifts, with null) the disk quota for delivered clips, kept across restarts, and
   * evicts at once what no longer fits: only clips not assigned, not open and with nothing unsent.
   */
  setClipQuota: {
    input: SetClipQuota,
    output: z.object({ storage: ClipStorage, evicted: z.number().int().nonnegative() }),
  },
  /** The name to make records by before any sign-in, kept in this workstation's database. */
  setLocalProfile: {
    input: LocalProfileInput,
    output: Identity,
  },
  /** Forgets the token (and its saved copy); queued work stays queued. */
  syncSignOut: {
    input: z.object({}).strict(),
    output: SyncStatus,
  },
  /** One push and pull now, instead of waiting for the background sender. */
  syncNow: {
    input: z.object({}).strict(),
    output: SyncReport,
  },
  /** Deliveries the server refused (409 and others), each with this workstation's and the server's version. */
  listSyncConflicts: {
    input: z.object({}).strict(),
    output: z.array(SyncConflictInfo),
  },
  /**
   * Everything sent that has not gone through (labels, verdicts, comment resolutions), refused
   * by the server or waiting after a failed attempt, each with the server's reason, what to do
   * and the actions that apply; only those about one clip when `clipId` is given.
   */
  listSyncIssues: {
    input: z.object({ clipId: z.string().min(1).optional() }).strict(),
    output: z.array(SyncIssue),
  },
  /**
   * Sends an issue's work again: refused labels are queued anew (on top of the server's revision
   * after a conflict), waiting work is due now. `retried` false: the issue is gone already.
   */
  retrySyncIssue: {
    input: z.object({ issueId: z.string().min(1).max(200) }).strict(),
    output: z.object({ retried: z.boolean() }).strict(),
  },
  /** Refused labels are not sent after all; the refusal leaves the list, the labels stay here. */
  discardSyncIssue: {
    input: z.object({ issueId: z.string().min(1).max(200) }).strict(),
    output: z.object({ discarded: z.boolean() }).strict(),
  },
  /** Takes a conflict off the list once dealt with; both versions stay recorded. */
  dismissSyncConflict: {
    input: z.object({ conflictId: z.number().int().min(1) }).strict(),
    output: z.object({ dismissed: z.boolean() }).strict(),
  },
  /** The reviewer's queue as last pulled by sync (works offline); newest pull first synced. */
  listReviewQueue: {
    input: z.object({}).strict(),
    output: z.array(ReviewQueueItem),
  },
  /**
   * One queued set to review: its labels (read-only), every comment, and the changes since the
   * revision this reviewer last judged. Errors: REVIEW_NOT_FOUND.
   */
  openReview: {
    input: z.object({ setId: z.string().min(1) }).strict(),
    output: OpenedReview,
  },
  /**
   * A reviewer's comment pinned to a frame, point, segment or contact label, with an optional
   * suggested edit; kept locally and sent with the verdict. Errors: PIN_NOT_FOUND,
   * REVIEW_ALREADY_GIVEN.
   */
  addReviewComment: {
    input: AddReviewComment,
    output: ReviewComment,
  },
  /**
   * Accept, or request changes (a reason is required), queued for the server with this
   * revision's comments and delivered exactly once. Errors: REASON_REQUIRED, REVIEW_ALREADY_GIVEN.
   */
  submitReview: {
    input: SubmitReview,
    output: z.object({ queued: z.literal(true), comments: z.number().int().min(0) }).strict(),
  },
  /**
   * After the server refused a verdict for good (the set changed meanwhile, say): opens the
   * revision the last sync pulled for a new verdict, carrying the refused verdict's comments that
   * still apply, or closes the refusal when the set left this reviewer's queue. Sync first.
   * Errors: REVIEW_NOT_REFUSED, REVIEW_NOT_REFRESHED, REVIEW_NOT_FOUND.
   */
  reviewAgain: {
    input: z.object({ setId: z.string().min(1) }).strict(),
    output: ReviewAgainResult,
  },
  /** The review comments on the annotator's own set (pulled by sync). */
  listComments: {
    input: z.object({ setId: z.string().min(1) }).strict(),
    output: z.array(ReviewComment),
  },
  /** The annotator marks a comment dealt with; audited and synced. Errors: COMMENT_NOT_FOUND. */
  resolveComment: {
    input: z.object({ commentId: z.string().min(1) }).strict(),
    output: ReviewComment,
  },
  /**
   * Takes back a resolution the server refused for good (shown on the comment with its reason):
   * the comment is open again and may be resolved anew. Errors: COMMENT_NOT_FOUND,
   * RESOLVE_NOT_REFUSED.
   */
  reopenComment: {
    input: z.object({ commentId: z.string().min(1) }).strict(),
    output: ReviewComment,
  },
  /**
   * Inter-annotator agreement over every double-annotated clip (of one batch, or all), per
   * annotator and per batch, with what the agreement page plots.
   */
  getAgreementReport: {
    input: z.object({ batchId: z.string().min(1).optional() }).strict(),
    output: AgreementReport,
  },
  /**
   * Pulls both annotators' handed-in sets of double-annotated clips from the server now (sync
   * does it every few minutes); `allowed` is false for an annotator's account.
   */
  pullDoubleAnnotation: {
    input: z.object({}).strict(),
    output: z
      .object({
        allowed: z.boolean(),
        received: z.number().int(),
        stored: z.number().int(),
        removed: z.number().int(),
      })
      .strict(),
  },
  /**
   * The progress of each project the signed-in lead leads (clips by status, per annotator, the
   * reviewers' backlog) as sync last pulled it, so the Team screen reads offline.
   */
  getTeamProgress: {
    input: z.object({}).strict(),
    output: z
      .object({
        projects: z.array(CachedProgress),
        /** Which sets sync pulls for the lead's Export: accepted only, or everything handed in. */
        pullStatus: ExportStatusFilter,
      })
      .strict(),
  },
  /** Pulls submitted and in-review sets too (or accepted only again), from the next sync on. */
  setTeamPullStatus: {
    input: z.object({ status: ExportStatusFilter }).strict(),
    output: z.object({ status: ExportStatusFilter }).strict(),
  },
  /** Pulls it from the server now; `allowed` is false when the account leads no project. */
  pullTeamProgress: {
    input: z.object({}).strict(),
    output: z.object({ allowed: z.boolean(), projects: z.array(CachedProgress) }).strict(),
  },
  /** Where the current user left off (null the first time). */
  getWorkspace: {
    input: z.object({}).strict(),
    output: Workspace.nullable(),
  },
  saveWorkspace: {
    input: Workspace,
    output: z.object({}).strict(),
  },
  /**
   * Starts an export (team leads) and answers with its id at once; progress, the report and any
   * error arrive as `exportProgress` events. Clips without valid consent are never exported.
   */
  startExport: {
    input: ExportRequest,
    output: ExportStarted,
  },
  /** Cancels a running export; its partial output is removed. False when it already ended. */
  cancelExport: {
    input: z.object({ exportId: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /**
   * Per clip of a batch: the location, device and creation-time metadata import found, and what
   * an export with videos strips. Errors: BATCH_NOT_FOUND.
   */
  getPrivacyReport: {
    input: z.object({ batchId: z.string().min(1) }).strict(),
    output: PrivacyReport,
  },
  /** Checks the audit log's hash chain; names the first altered or deleted entry. */
  verifyAuditChain: {
    input: z.object({}).strict(),
    output: AuditVerdict,
  },
  /**
   * The audit entries about a batch (the batch, its clips, their annotation sets), oldest first,
   * with their chain hashes, for a lead to hand over. Errors: BATCH_NOT_FOUND.
   */
  /**
   * The lead's consent policy for a project: 'lock' makes clips without valid consent read-only,
   * 'label' lets them be labeled (never exported). Errors: PROJECT_NOT_FOUND.
   */
  setConsentPolicy: {
    input: z.object({ projectId: z.string().min(1).optional(), policy: ConsentPolicy }).strict(),
    output: z.object({ projectId: z.string(), policy: ConsentPolicy }),
  },
  getAuditTrail: {
    input: z.object({ batchId: z.string().min(1) }).strict(),
    output: z.array(AuditTrailEntry),
  },
  /**
   * Runs the pose model on the current frame or every N-th frame of a range, in the background;
   * answers with the job id at once. Each finished frame's proposals arrive as a
   * `preannotationProgress` event (the renderer turns them into label edits). Errors:
   * CLIP_NOT_FOUND, FRAME_OUT_OF_RANGE; later ones (MODEL_FILES_MISSING, DECODE_FAILED) in the event.
   */
  startPreannotation: {
    input: PreannotationRequest,
    output: PreannotationStarted,
  },
  /** Stops a pre-annotation job between frames. False when it already ended. */
  cancelPreannotation: {
    input: z.object({ jobId: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /**
   * Finds faces on every frame of a clip, on this machine, in the background (resuming a stopped
   * scan); progress as `faceScanProgress` events. Errors: CLIP_NOT_FOUND, SCAN_RUNNING.
   */
  startFaceScan: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: z.object({ jobId: z.string(), resumedFrames: z.number().int().min(0) }),
  },
  cancelFaceScan: {
    input: z.object({ jobId: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
  /** A clip's face scan, blur review status and face tracks (removed ones flagged). */
  getFaceRegions: {
    input: z.object({ clipId: z.string().min(1) }).strict(),
    output: FaceRegionsOfClip,
  },
  /** Marks a clip's face regions reviewed (or not) by the caller. Errors: NOT_SCANNED. */
  setBlurReview: {
    input: z
      .object({ clipId: z.string().min(1), status: z.enum(['reviewed', 'unreviewed']) })
      .strict(),
    output: z.object({ scan: FaceScanInfo }),
  },
  /** Adds a face a person drew (a missed one) or replaces a track's boxes. */
  putFaceTrack: {
    input: z.object({ clipId: z.string().min(1), track: FaceTrack }).strict(),
    output: z.object({}),
  },
  /** Takes out a false face; kept as removed, with who and when. */
  removeFaceTrack: {
    input: z.object({ clipId: z.string().min(1), trackId: z.string().min(1) }).strict(),
    output: z.object({ removed: z.boolean() }),
  },
} as const;

/** Events pushed from main to the renderer; subscribed to as `onX` on the client. */
export const events = {
  importProgress: ImportProgress,
  checksumUpdate: ChecksumUpdate,
  proxyUpdate: ProxyStatus,
  /** An edit of a set reached the disk (also when another window made it). */
  labelsSaved: LabelsSaved,
  /** A running export's counts, ETA and phase; the last one carries the report or the error. */
  exportProgress: ExportProgress,
  /** A pre-annotation job's counts, ETA and phase, with the proposals of frames just finished. */
  preannotationProgress: PreannotationProgress,
  /** A withdrawal purged these clips: drop what is held of them in memory and leave them. */
  consentWithdrawn: ConsentWithdrawn,
  /** A face scan's counts and phase (issue #19). */
  faceScanProgress: FaceScanProgress,
  /** The clips the team server delivers: each one's bytes so far and state, and the total. */
  deliveryProgress: DeliveryProgress,
} as const;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type EventName = keyof typeof events;
export type CallInput<K extends CallName> = z.input<Calls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<Calls[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const callNames = Object.keys(calls) as CallName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCallName(name: string): name is CallName {
  return Object.hasOwn(calls, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}

/** The main side: one async function per call, receiving parsed input. */
export type ApiHandlers = {
  [K in CallName]: (input: z.output<Calls[K]['input']>) => Promise<CallOutput<K>> | CallOutput<K>;
};

type OnEvent<K extends string> = `on${Capitalize<K>}`;

/** The renderer side, identical over IPC and over the loopback host. */
export type ApiClient = {
  [K in CallName]: (input: CallInput<K>) => Promise<CallOutput<K>>;
} & {
  [K in EventName as OnEvent<K>]: (listener: (payload: EventPayload<K>) => void) => () => void;
} & {
  /** URL the video element loads a clip (or its proxy) from: by id, never by path. */
  mediaUrl: (clipId: string, variant?: MediaVariant) => string;
};

/** The response envelope on both transports; errors are values, not thrown objects, at the boundary. */
export type Envelope<T> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

export function eventListenerName<K extends EventName>(name: K): OnEvent<K> {
  return `on${name.charAt(0).toUpperCase()}${name.slice(1)}` as OnEvent<K>;
}

import type {
  AnnotationStatus,
  Command,
  LabelsDocument,
  ProjectSchema,
} from '../../../shared/domain/labels';
import type {
  AnnotationSetInfo,
  Batch,
  ChecksumState,
  Clip,
  FileError,
  FrameTable,
  LabelEditSaved,
  ProbeResult,
  ProjectInfo,
  ProxyState,
  Workspace,
} from '../../../shared/api/schemas';
import type { SubmitOutcome } from './annotationSets';
import type { Reviews } from './reviews';
import type { SyncQueue } from './syncQueue';

export type NewBatch = {
  folder: string;
  name: string;
  manifest: {
    json: string;
    batchId: string;
    contributor: string | null;
    region: string | null;
  } | null;
};

export type NewClip = {
  batchId: string;
  relativePath: string;
  filePath: string;
  sizeBytes: number;
  mtimeMs: number;
  fingerprint: string;
  expectedSha256: string | null;
  probe: ProbeResult;
};

export type PendingChecksum = {
  clipId: string;
  batchId: string;
  filePath: string;
  expectedSha256: string | null;
};

export type AuditEntry = {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: Record<string, unknown>;
};

export type AuditRecord = AuditEntry & { id: number; at: string };

/** A clip's H.264 proxy as the database records it; a clip without one has no record. */
export type ProxyRecord = {
  clipId: string;
  state: Exclude<ProxyState, 'none'>;
  /** Set once the proxy passed its frame check (state 'ready'). */
  filePath: string | null;
  /** 0..1; the live value while running is the proxy service's, this one is the last saved. */
  progress: number;
  message: string | null;
  /** The proxy's own frame count, once checked. */
  frameCount: number | null;
  updatedAt: string;
};

/** Fields a state change may set; omitted ones are cleared (null, progress 0). */
export type ProxyFields = {
  filePath?: string | null;
  progress?: number;
  message?: string | null;
  frameCount?: number | null;
};

export type NewProject = { id: string; schema: ProjectSchema };

/**
 * The workstation's local database, named for what users do. Methods are synchronous
 * (better-sqlite3); every write that must land together runs in one transaction.
 */
export interface Store {
  /** Finds the batch for this folder (absolute, real path) or creates it; updates name/manifest on re-import. */
  upsertBatch(input: NewBatch, actor: string): Batch;
  /** Newest first (by first import), with clipCount and errorCount. */
  listBatches(): Batch[];
  getBatch(batchId: string): Batch | undefined;
  findClipByFingerprint(fingerprint: string): Clip | undefined;
  /**
   * Clip, its frame table and an audit entry in one transaction; clears any file error for that path.
   * Throws `StoreError` `CLIP_ALREADY_IMPORTED` (same fingerprint) or `PATH_ALREADY_IMPORTED`
   * (same batch and path, other bytes), and `FRAME_TABLE_MISMATCH` when the frame table's length
   * is not the probed frame count.
   */
  addClip(input: NewClip, actor: string): Clip;
  /** Ordered by relativePath. */
  listClips(batchId: string): Clip[];
  getClip(clipId: string): Clip | undefined;
  getClipFilePath(clipId: string): string | undefined;
  getFrameTable(clipId: string): FrameTable | undefined;
  /** Replaces the previous error for the same (batch, path). */
  recordFileError(batchId: string, error: FileError): void;
  clearFileError(batchId: string, relativePath: string): void;
  /** Ordered by relativePath. */
  listFileErrors(batchId: string): FileError[];
  /** Clips whose checksum has not been computed yet, oldest import first. */
  listPendingChecksums(): PendingChecksum[];
  /** Throws `StoreError` `CLIP_NOT_FOUND` for an unknown clip. `done` and `mismatch` need the hash. */
  setChecksum(clipId: string, state: ChecksumState, sha256: string | null, actor: string): void;
  getProxy(clipId: string): ProxyRecord | undefined;
  /**
   * Creates or replaces the clip's proxy record. A change of state is audited; a progress update
   * in the same state is not. Throws `StoreError` `CLIP_NOT_FOUND` for an unknown clip and
   * `INVALID_INPUT` for a ready proxy without its file and frame count.
   */
  setProxyState(
    clipId: string,
    state: ProxyRecord['state'],
    fields: ProxyFields,
    actor: string,
  ): ProxyRecord;
  /** Proxies queued or running (left so by a previous run), oldest change first. */
  listUnfinishedProxies(): ProxyRecord[];
  /** Creates the project from `schema` unless one with that id exists; returns the stored one. */
  ensureProject(input: NewProject, actor: string): ProjectInfo;
  getProject(projectId: string): ProjectInfo | undefined;
  /** Every project, oldest first; the newest is the one new annotation sets are opened with. */
  listProjects(): ProjectInfo[];
  /**
   * The set of `annotator` on `clipId`, created (empty, in progress, audited) on first open.
   * An existing set keeps its own project. Throws `StoreError` `CLIP_NOT_FOUND` or
   * `PROJECT_NOT_FOUND`.
   */
  openAnnotationSet(clipId: string, annotator: string, projectId: string): AnnotationSetInfo;
  getAnnotationSet(setId: string): AnnotationSetInfo | undefined;
  /** The set's document as of its last saved edit. Throws `ANNOTATION_SET_NOT_FOUND`. */
  loadLabels(setId: string): { doc: LabelsDocument; seq: number };
  /** Drops in-memory documents of sets deleted by another connection (a consent purge). */
  forgetDeletedSets(): number;
  /**
   * Applies `command` to the set's current document with the domain's `applyCommand` and, if it
   * applies, appends it (with its inverse, actor and time) to the set's log in one transaction,
   * committed (synchronous=FULL) before this returns. Undo and redo are ordinary commands.
   * Throws `StoreError`: `ANNOTATION_SET_NOT_FOUND`; `STALE_EDIT` when `expectedSeq` is not the
   * set's current seq (another edit landed first: reload); `EDIT_REFUSED` when the command does
   * not apply (the message says why); `SET_NOT_EDITABLE` once the set is submitted.
   */
  applyLabelEdit(
    setId: string,
    command: Command,
    expectedSeq: number,
    actor: string,
    /**
     * The client's id for this edit: a retry with the same id after a lost answer returns the
     * saved edit's seq instead of `STALE_EDIT`.
     */
    editId?: string,
  ): LabelEditSaved;
  /**
   * Moves a set through the statuses in `to`, in order (in progress → submitted → in review →
   * accepted | changes requested), one transaction, each step audited and bumping `revision`.
   * Throws `STATUS_CHANGE_REFUSED` for a step the review cycle does not allow.
   */
  transitionAnnotationSet(
    setId: string,
    to: AnnotationStatus | readonly AnnotationStatus[],
    actor: string,
  ): AnnotationSetInfo;
  /**
   * Submits a set if `checkCompleteness` finds nothing missing; otherwise changes nothing and
   * returns the problems. A set sent back for changes goes to in progress first.
   */
  submitAnnotationSet(setId: string, actor: string): SubmitOutcome;
  /**
   * The sync outbox (filled by `submitAnnotationSet` in its own transaction), what the server
   * last said of each set, conflicts, pulled events and the events cursor.
   */
  readonly sync: SyncQueue;
  /** QA review: the reviewer's cached queue, comments, verdicts and resolutions to deliver. */
  readonly reviews: Reviews;
  /** Where `annotator` left off; null before the first save. */
  getWorkspace(annotator: string): Workspace | null;
  saveWorkspace(annotator: string, workspace: Workspace): void;
  appendAudit(entry: AuditEntry): void;
  /** Newest first. */
  listAudit(filter?: { entityId?: string; limit?: number }): AuditRecord[];
  close(): void;
}

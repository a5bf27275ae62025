import type {
  AnnotationStatus,
  Command,
  LabelsDocument,
  ProjectSchema,
} from '../../../shared/domain/labels';
import type {
  AnnotationSetInfo,
  LabelEditSaved,
  ProjectInfo,
  Workspace,
} from '../../../shared/api/schemas';
import type { AuditLog } from '../audit/auditLog';
import type { Db } from '../db/db';
import type { MediaService } from '../media/mediaService';
import type { SubmitOutcome } from '../labels/annotationSets';
import type { Reviews } from '../review/reviews';
import type { SyncQueue } from '../sync/syncQueue';

export type { AuditEntry, AuditRecord } from '../audit/auditEntry';

export type NewProject = { id: string; schema: ProjectSchema };

/**
 * The workstation's local database, named for what users do. Methods are synchronous
 * (better-sqlite3); every write that must land together runs in one transaction.
 */
export interface Store {
  /** The unit of work over the workstation's one connection. */
  readonly db: Db;
  /** The audit log: `audit.append(tx, entry)` inside a unit of work, `audit.list()`. */
  readonly audit: AuditLog;
  /** Batches, clips, frame tables, file errors, checksums, proxies. */
  readonly media: MediaService;
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
  close(): void;
}

import type { ProjectSchema } from '../../../shared/domain/labels';
import type { AuditLog } from '../audit/auditLog';
import type { Db } from '../db/db';
import type { ClipOwners } from '../governance/withdrawConsent';
import type { MediaService } from '../media/mediaService';
import type { AnnotationSets } from '../labels/annotationSets';
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
  /** Every module that keeps data about a clip, for governance's withdrawal purge. */
  readonly clipOwners: ClipOwners;
  /** Projects, annotation sets, the label edit log, workspaces. */
  readonly labels: AnnotationSets;
  /**
   * The sync outbox (filled by `submitAnnotationSet` in its own transaction), what the server
   * last said of each set, conflicts, pulled events and the events cursor.
   */
  readonly sync: SyncQueue;
  /** QA review: the reviewer's cached queue, comments, verdicts and resolutions to deliver. */
  readonly reviews: Reviews;
  close(): void;
}

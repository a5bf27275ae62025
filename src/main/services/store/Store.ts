import type { FaceRegions } from '../faces/faceRegions';
import type { AuditLog } from '../audit/auditLog';
import type { Db } from '../db/db';
import type { ClipOwners } from '../governance/withdrawConsent';
import type { MediaService } from '../media/mediaService';
import type { AnnotationSets } from '../labels/annotationSets';
import type { DoubleAnnotationSets } from '../review/doubleAnnotationSets';
import type { Reviews } from '../review/reviews';
import type { ServerConsents } from '../governance/serverConsents';
import type { SyncQueue } from '../sync/syncQueue';

/**
 * The workstation's database as its feature modules, wired over one connection (`openStore`).
 * Each module owns its tables and offers methods named for what users do; work that spans
 * modules runs in one `db.write(tx => …)` through the small interfaces the owners offer
 * (`SyncOutbox.enqueue`, `audit.append`, `purgeClip`). Nothing here imports back from a module.
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
  /** Review's copies of both annotators' sets of double-annotated clips (agreement). */
  readonly doubleSets: DoubleAnnotationSets;
  /** Face regions and each clip's blur review (issue #19). */
  readonly faces: FaceRegions;
  /** Governance's consent records the lead made on the server; they replace the manifest's. */
  readonly serverConsents: ServerConsents;
  close(): void;
}

import type { Database } from 'better-sqlite3';
import { AuditLog } from '../audit/auditLog';
import { Db } from '../db/db';
import { MediaRepository } from '../media/mediaRepository';
import { MediaService } from '../media/mediaService';
import { AnnotationSets } from '../labels/annotationSets';
import { ConsentQueries } from '../governance/consentQueries';
import { ServerConsents } from '../governance/serverConsents';
import type { ClipOwners } from '../governance/withdrawConsent';
import { DoubleAnnotationSets } from '../review/doubleAnnotationSets';
import { FaceRegions } from '../faces/faceRegions';
import { SyncOutbox } from '../sync/syncOutbox';
import { SyncQueue } from '../sync/syncQueue';
import { SyncRepository } from '../sync/syncRepository';
import { ReviewRepository } from '../review/reviewRepository';
import { Reviews } from '../review/reviews';
import type { Store } from './Store';

/** The Store over one better-sqlite3 connection, already configured and migrated by `openStore`. */
export class SqliteStore implements Store {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly media: MediaService;
  readonly labels: AnnotationSets;
  readonly #consent: ConsentQueries;
  readonly sync: SyncQueue;
  readonly reviews: Reviews;
  readonly clipOwners: ClipOwners;
  readonly doubleSets: DoubleAnnotationSets;
  readonly serverConsents: ServerConsents;
  readonly faces: FaceRegions;

  constructor(db: Database) {
    this.db = new Db(db);
    this.audit = new AuditLog(this.db);
    this.#consent = new ConsentQueries(db);
    const mediaRepository = new MediaRepository(db);
    const syncRepository = new SyncRepository(db);
    const reviewRepository = new ReviewRepository(db);
    this.media = new MediaService({
      db: this.db,
      repository: mediaRepository,
      audit: this.audit,
      consent: this.#consent,
    });
    this.labels = new AnnotationSets({
      db: this.db,
      audit: this.audit,
      consent: this.#consent,
      outbox: new SyncOutbox(syncRepository),
    });
    this.doubleSets = new DoubleAnnotationSets({
      db: this.db,
      repository: reviewRepository,
      withdrawn: this.#consent,
    });
    this.serverConsents = new ServerConsents(this.db, this.audit);
    this.sync = new SyncQueue({
      db: this.db,
      repository: syncRepository,
      audit: this.audit,
      labels: this.labels,
      withdrawn: this.#consent,
      serverConsents: this.serverConsents,
    });
    this.reviews = new Reviews({
      db: this.db,
      repository: reviewRepository,
      audit: this.audit,
      withdrawn: this.#consent,
      clips: mediaRepository,
      sync: this.sync,
    });
    this.faces = new FaceRegions(this.db);
    this.clipOwners = {
      sync: this.sync,
      review: this.reviews,
      doubleSets: this.doubleSets,
      labels: this.labels,
      faces: this.faces,
      media: mediaRepository,
    };
  }

  close(): void {
    this.db.close();
  }
}

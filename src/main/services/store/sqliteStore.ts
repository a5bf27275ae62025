import type { Database } from 'better-sqlite3';
import type { AuditEntry } from '../audit/auditEntry';
import { AuditLog } from '../audit/auditLog';
import { Db } from '../db/db';
import { MediaRepository } from '../media/mediaRepository';
import { MediaService } from '../media/mediaService';
import { AnnotationSets } from '../labels/annotationSets';
import { ConsentQueries } from '../governance/consentQueries';
import { SyncOutbox } from '../sync/syncOutbox';
import { SyncQueue } from '../sync/syncQueue';
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
  constructor(db: Database) {
    this.db = new Db(db);
    this.audit = new AuditLog(this.db);
    this.#consent = new ConsentQueries(db);
    this.media = new MediaService({
      db: this.db,
      repository: new MediaRepository(db),
      audit: this.audit,
      consent: this.#consent,
    });
    this.labels = new AnnotationSets({
      db: this.db,
      audit: this.audit,
      consent: this.#consent,
      outbox: new SyncOutbox(db),
    });
    this.sync = new SyncQueue(db, this.labels, (entry, at) => {
      this.#append(entry, at);
    });
    this.reviews = new Reviews(db, (entry, at) => {
      this.#append(entry, at);
    });
  }

  close(): void {
    this.db.close();
  }

  /** Called inside a module's own transaction: the nested write is a savepoint of it. */
  #append(entry: AuditEntry, at: string): void {
    this.db.write((tx) => {
      this.audit.append(tx, entry, at);
    });
  }
}

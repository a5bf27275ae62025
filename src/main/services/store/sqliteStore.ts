import type { Database } from 'better-sqlite3';
import type {
  AnnotationSetInfo,
  LabelEditSaved,
  ProjectInfo,
  Workspace,
} from '../../../shared/api/schemas';
import type { AnnotationStatus, Command, LabelsDocument } from '../../../shared/domain/labels';
import type { AuditEntry } from '../audit/auditEntry';
import { AuditLog } from '../audit/auditLog';
import { Db } from '../db/db';
import { MediaRepository } from '../media/mediaRepository';
import { MediaService } from '../media/mediaService';
import { AnnotationSets, type SubmitOutcome } from '../labels/annotationSets';
import { ConsentQueries } from '../governance/consentQueries';
import { SyncQueue } from '../sync/syncQueue';
import { Reviews } from '../review/reviews';
import { Workspaces } from '../labels/workspaces';
import type { NewProject, Store } from './Store';

/** The Store over one better-sqlite3 connection, already configured and migrated by `openStore`. */
export class SqliteStore implements Store {
  readonly db: Db;
  readonly audit: AuditLog;
  readonly media: MediaService;
  readonly #sets: AnnotationSets;
  readonly #workspaces: Workspaces;
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
    this.#sets = new AnnotationSets(db, (entry, at) => {
      this.#append(entry, at);
    });
    this.#workspaces = new Workspaces(db);
    this.sync = new SyncQueue(db, this.#sets, (entry, at) => {
      this.#append(entry, at);
    });
    this.reviews = new Reviews(db, (entry, at) => {
      this.#append(entry, at);
    });
  }

  ensureProject(input: NewProject, actor: string): ProjectInfo {
    return this.#sets.ensureProject(input, actor);
  }

  getProject(projectId: string): ProjectInfo | undefined {
    return this.#sets.getProject(projectId);
  }

  listProjects(): ProjectInfo[] {
    return this.#sets.listProjects();
  }

  openAnnotationSet(clipId: string, annotator: string, projectId: string): AnnotationSetInfo {
    return this.#sets.openAnnotationSet(clipId, annotator, projectId);
  }

  getAnnotationSet(setId: string): AnnotationSetInfo | undefined {
    return this.#sets.getAnnotationSet(setId);
  }

  loadLabels(setId: string): { doc: LabelsDocument; seq: number } {
    return this.#sets.loadLabels(setId);
  }

  forgetDeletedSets(): number {
    return this.#sets.forgetDeletedSets();
  }

  applyLabelEdit(
    setId: string,
    command: Command,
    expectedSeq: number,
    actor: string,
    editId?: string,
  ): LabelEditSaved {
    return this.#sets.applyLabelEdit(setId, command, expectedSeq, actor, editId);
  }

  transitionAnnotationSet(
    setId: string,
    to: AnnotationStatus | readonly AnnotationStatus[],
    actor: string,
  ): AnnotationSetInfo {
    return this.#sets.transitionAnnotationSet(setId, to, actor);
  }

  submitAnnotationSet(setId: string, actor: string): SubmitOutcome {
    return this.#sets.submitAnnotationSet(setId, actor);
  }

  getWorkspace(annotator: string): Workspace | null {
    return this.#workspaces.get(annotator);
  }

  saveWorkspace(annotator: string, workspace: Workspace): void {
    this.#workspaces.save(annotator, workspace);
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

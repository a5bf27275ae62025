import type { Database } from 'better-sqlite3';
import type { DoubleAnnotationSet } from '../../../shared/api/syncProtocol';
import { AnnotationStatus, LabelsDocument } from '../../../shared/domain/labels';
import type { Db, Tx } from '../db/db';
import type { WithdrawnClips } from '../governance/consentQueries';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';
import { doubleSetRows, type ReviewRepository } from './reviewRepository';

/** A double-annotated set pulled from the server, as the agreement page reads it back. */
export type RemoteDoubleSet = {
  serverSetId: string;
  server: string;
  clipRef: string;
  projectId: string;
  annotator: string;
  status: AnnotationStatus;
  revision: number;
  labels: LabelsDocument;
  updatedAt: string;
};

/**
 * The lead's copy of the server's double-annotated sets (migration 009), a mirror of each server:
 * a set is written only when its revision is higher than the copy's (so a re-pull or a stale page
 * changes nothing), and once a pull is complete, sets the server no longer gives are dropped. A
 * clip whose consent was withdrawn on this workstation is never stored again.
 * Pages are stored as they come, so a pull never holds every set's labels in memory at once.
 */
export class DoubleAnnotationSets implements ClipDataOwner {
  readonly #db: Db;
  readonly #repo: ReviewRepository;
  readonly #withdrawn: WithdrawnClips;

  constructor(deps: { db: Db; repository: ReviewRepository; withdrawn: WithdrawnClips }) {
    this.#db = deps.db;
    this.#repo = deps.repository;
    this.#withdrawn = deps.withdrawn;
  }

  readonly clipTables = ['double_annotation_sets'] as const;

  /** Withdrawal: every pulled copy of the clip's sets, from any server. */
  purgeClip(tx: Tx, clip: WithdrawnClip): number {
    return clip.sha256 === null ? 0 : this.#repo.removeDoubleSetsOfClip(tx, clip.sha256);
  }

  /** Stores one page of a pull from `server`; returns how many rows it wrote (newer revisions). */
  saveFromServer(
    server: string,
    sets: readonly DoubleAnnotationSet[],
    at = new Date().toISOString(),
  ): number {
    return this.#db.write((tx): number => {
      let stored = 0;
      for (const set of sets) {
        // Consent withdrawn here (by the lead, or by an event the server may not have yet):
        // the purge removed the copies, and a pull must not bring them back.
        if (this.#withdrawn.isWithdrawn(set.clipRef)) continue;
        const written = this.#repo.saveDoubleSet(tx, {
          server_set_id: set.setId,
          server,
          clip_ref: set.clipRef,
          project_id: set.projectId,
          annotator: set.annotator,
          status: set.status,
          revision: set.revision,
          labels_json: JSON.stringify(set.labels),
          updated_at: set.updatedAt,
          pulled_at: at,
        });
        if (written) stored += 1;
      }
      return stored;
    });
  }

  /**
   * After a complete pull: drops this server's rows it no longer gave (consent withdrawn, a set
   * taken back to in progress). Never called after a partial pull, which would drop too much.
   */
  retainOnly(server: string, serverSetIds: ReadonlySet<string>): number {
    return this.#db.write((tx): number => {
      let removed = 0;
      for (const id of this.#repo.doubleSetIds(tx, server)) {
        if (!serverSetIds.has(id)) removed += this.#repo.removeDoubleSet(tx, id);
      }
      return removed;
    });
  }

  /** The revision of each set held from `server`, to tell which the server has newer. */
  knownRevisions(server: string): Map<string, number> {
    const revisions = this.#db.read((tx) => this.#repo.doubleSetRevisions(tx, server));
    return new Map(revisions.map((r) => [r.id, r.revision]));
  }

  /** True when the clip's consent was withdrawn here: its sets are never stored again. */
  withdrawnHere(clipRef: string): boolean {
    return this.#withdrawn.isWithdrawn(clipRef);
  }

  list(): RemoteDoubleSet[] {
    return readDoubleAnnotationSets(this.#db.connection);
  }
}

/** Every pulled set, by clip then annotator; also used on the agreement's read-only snapshot. */
export function readDoubleAnnotationSets(db: Database): RemoteDoubleSet[] {
  return doubleSetRows(db).map((row) => ({
    serverSetId: row.server_set_id,
    server: row.server,
    clipRef: row.clip_ref,
    projectId: row.project_id,
    annotator: row.annotator,
    status: AnnotationStatus.parse(row.status),
    revision: row.revision,
    labels: LabelsDocument.parse(JSON.parse(row.labels_json)),
    updatedAt: row.updated_at,
  }));
}

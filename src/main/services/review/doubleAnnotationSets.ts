import type { Database } from 'better-sqlite3';
import type { DoubleAnnotationSet } from '../../../shared/api/syncProtocol';
import { AnnotationStatus, LabelsDocument } from '../../../shared/domain/labels';
import type { Tx } from '../db/db';
import type { WithdrawnClips } from '../governance/consentQueries';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';

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

type Row = {
  server_set_id: string;
  server: string;
  clip_ref: string;
  project_id: string;
  annotator: string;
  status: string;
  revision: number;
  labels_json: string;
  updated_at: string;
};

/**
 * The lead's copy of the server's double-annotated sets (migration 009), a mirror of each server:
 * a set is written only when its revision is higher than the copy's (so a re-pull or a stale page
 * changes nothing), and once a pull is complete, sets the server no longer gives are dropped. A
 * clip whose consent was withdrawn on this workstation is never stored again.
 * Pages are stored as they come, so a pull never holds every set's labels in memory at once.
 */
export class DoubleAnnotationSets implements ClipDataOwner {
  readonly #db: Database;
  readonly #s: ReturnType<typeof prepare>;
  readonly #withdrawn: WithdrawnClips;

  constructor(db: Database, withdrawn: WithdrawnClips) {
    this.#db = db;
    this.#s = prepare(db);
    this.#withdrawn = withdrawn;
  }

  readonly clipTables = ['double_annotation_sets'] as const;

  /** Withdrawal: every pulled copy of the clip's sets, from any server. */
  purgeClip(_tx: Tx, clip: WithdrawnClip): number {
    return clip.sha256 === null ? 0 : this.#s.removeOfClip.run(clip.sha256).changes;
  }

  /** Stores one page of a pull from `server`; returns how many rows it wrote (newer revisions). */
  saveFromServer(
    server: string,
    sets: readonly DoubleAnnotationSet[],
    at = new Date().toISOString(),
  ): number {
    return this.#db
      .transaction((): number => {
        let stored = 0;
        for (const set of sets) {
          // Consent withdrawn here (by the lead, or by an event the server may not have yet):
          // the purge removed the copies, and a pull must not bring them back.
          if (this.#withdrawn.isWithdrawn(set.clipRef)) continue;
          stored += this.#s.upsert.run({
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
          }).changes;
        }
        return stored;
      })
      .immediate();
  }

  /**
   * After a complete pull: drops this server's rows it no longer gave (consent withdrawn, a set
   * taken back to in progress). Never called after a partial pull, which would drop too much.
   */
  retainOnly(server: string, serverSetIds: ReadonlySet<string>): number {
    return this.#db
      .transaction((): number => {
        let removed = 0;
        for (const id of this.#s.idsOfServer.all(server)) {
          if (!serverSetIds.has(id)) removed += this.#s.remove.run(id).changes;
        }
        return removed;
      })
      .immediate();
  }

  /** The revision of each set held from `server`, to tell which the server has newer. */
  knownRevisions(server: string): Map<string, number> {
    return new Map(this.#s.revisionsOfServer.all(server).map((r) => [r.id, r.revision]));
  }

  /** True when the clip's consent was withdrawn here: its sets are never stored again. */
  withdrawnHere(clipRef: string): boolean {
    return this.#withdrawn.isWithdrawn(clipRef);
  }

  list(): RemoteDoubleSet[] {
    return readDoubleAnnotationSets(this.#db);
  }
}

/** Every pulled set, by clip then annotator; also used on the agreement's read-only snapshot. */
export function readDoubleAnnotationSets(db: Database): RemoteDoubleSet[] {
  const rows = db
    .prepare<[], Row>(
      /* sql */ `SELECT server_set_id, server, clip_ref, project_id, annotator, status, revision,
        labels_json, updated_at FROM double_annotation_sets ORDER BY clip_ref, annotator, server_set_id`,
    )
    .all();
  return rows.map((row) => ({
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

function prepare(db: Database) {
  return {
    upsert: db.prepare(/* sql */ `
      INSERT INTO double_annotation_sets (server_set_id, server, clip_ref, project_id, annotator,
        status, revision, labels_json, updated_at, pulled_at)
      VALUES (@server_set_id, @server, @clip_ref, @project_id, @annotator, @status, @revision,
        @labels_json, @updated_at, @pulled_at)
      ON CONFLICT (server_set_id) DO UPDATE SET server = excluded.server,
        clip_ref = excluded.clip_ref, project_id = excluded.project_id,
        annotator = excluded.annotator, status = excluded.status, revision = excluded.revision,
        labels_json = excluded.labels_json, updated_at = excluded.updated_at,
        pulled_at = excluded.pulled_at
      WHERE excluded.revision > double_annotation_sets.revision`),
    revisionsOfServer: db.prepare<[string], { id: string; revision: number }>(
      'SELECT server_set_id AS id, revision FROM double_annotation_sets WHERE server = ?',
    ),
    idsOfServer: db
      .prepare<[string], string>(
        'SELECT server_set_id FROM double_annotation_sets WHERE server = ?',
      )
      .pluck(),
    removeOfClip: db.prepare<[string]>('DELETE FROM double_annotation_sets WHERE clip_ref = ?'),
    remove: db.prepare<[string]>('DELETE FROM double_annotation_sets WHERE server_set_id = ?'),
  };
}

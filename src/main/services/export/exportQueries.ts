import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import {
  AnnotationStatus,
  applyCommand,
  CommandSchema,
  editContextFor,
  LabelsDocument,
  ProjectSchemaV1,
  type ProjectSchema,
} from '../../../shared/domain/labels';
import type { ConsentRecord, ConsentWithdrawal } from '../../../shared/domain/consentState';
import { CONSENT_COLUMNS, consentRecordOf, withdrawalOf } from '../governance/consentQueries';
import { readDoubleAnnotationSets, type RemoteDoubleSet } from '../review/doubleAnnotationSets';
import { decodeFrameTimes } from '../media/frameTimesBlob';
import { FaceTrackBox, type FaceTrack } from '../../../shared/domain/faces/faceTracks';
import { openDatabase, type OpenDatabaseOptions as OpenStoreOptions } from '../db/openDatabase';
import { DEFAULT_PROJECT_ID } from '../labels/defaultProject';

/** A clip an export may include, with what consent gating and provenance need from its batch. */
export type ExportClipRow = {
  clipId: string;
  batchId: string;
  relativePath: string;
  filePath: string;
  container: string;
  sha256: string | null;
  checksumState: string;
  /** Displayed (upright) size: the space keypoints are stored in. */
  width: number;
  height: number;
  frameCount: number;
  frameTableSource: string;
  contributor: string | null;
  /** The contributor's region/country code (ISO 3166) from the manifest, if it gave one. */
  region: string | null;
  /** The batch manifest's consent record, or null when the batch has none (or no manifest). */
  consent: ConsentRecord | null;
  /** The first withdrawal recorded for the clip or its consent id (consent_withdrawals). */
  withdrawal: ConsentWithdrawal | null;
};

/** A submit or a review verdict from the audit log. */
export type StatusChangeRow = {
  at: string;
  action: 'labels.submitted' | 'labels.accepted' | 'labels.changes_requested';
  actor: string;
  setId: string;
  annotator: string;
  batchId: string;
};

/** An annotation set of a clip, with what provenance reports about it. */
export type ExportSetRow = {
  setId: string;
  annotator: string;
  projectId: string;
  status: AnnotationStatus;
  revision: number;
  seq: number;
  updatedAt: string;
  /**
   * 'team': a set of the lead's projects pulled from the server (`sync_team_sets`), labelled on
   * another workstation: its labels are the pulled document, its reviewers the server's accounts.
   */
  origin?: 'local' | 'team';
  reviewers?: readonly string[];
};

type ClipRow = {
  id: string;
  batch_id: string;
  relative_path: string;
  file_path: string;
  container: string;
  sha256: string | null;
  checksum_state: string;
  width: number;
  height: number;
  rotation: number;
  frame_count: number;
  frame_table_source: string;
  contributor: string | null;
  region: string | null;
  consent_json: string | null;
  withdrawn_at: string | null;
  withdrawal_source: string | null;
};

type SetRow = {
  id: string;
  annotator: string;
  project_id: string;
  status: string;
  revision: number;
  seq: number;
  updated_at: string;
};

/**
 * The reads an export needs, over a **read-only connection of its own** rather than the store's:
 *
 * - `snapshot()` holds one read transaction for the whole export, so COCO's two passes (and every
 *   other file) see the same labels even while annotators keep saving in the app (WAL lets the
 *   writer go on meanwhile).
 * - Labels are rebuilt here without the store's per-set document cache, so an export of thousands
 *   of clips holds one clip's document at a time instead of all of them.
 *
 * The rebuild is the store's (`AnnotationSets`): the latest snapshot plus the logged commands
 * replayed with the domain's `applyCommand`.
 */
export class ExportQueries {
  readonly #db: Database;
  readonly #s: ReturnType<typeof prepare>;
  readonly #projects = new Map<string, ProjectSchema>();
  #inSnapshot = false;

  constructor(db: Database) {
    this.#db = db;
    this.#s = prepare(db);
  }

  /** Opens the workstation database read-only (it must already be migrated by the app). */
  static open(databasePath: string, options: OpenStoreOptions = {}): ExportQueries {
    return new ExportQueries(openDatabase(databasePath, { ...options, readonly: true }));
  }

  /** Starts the export's read transaction; `endSnapshot` ends it. */
  beginSnapshot(): void {
    this.#db.exec('BEGIN');
    // A deferred transaction takes its snapshot at the first read, so read now.
    this.#s.anyBatch.get();
    this.#inSnapshot = true;
  }

  endSnapshot(): void {
    if (!this.#inSnapshot) return;
    this.#inSnapshot = false;
    this.#db.exec('COMMIT');
  }

  close(): void {
    this.endSnapshot();
    this.#db.close();
  }

  batchExists(batchId: string): boolean {
    return this.#s.batchById.get(batchId) !== undefined;
  }

  /** Clips of these batches (all when null), batches oldest import first, clips by path. */
  clipsOfBatches(batchIds: readonly string[] | null): ExportClipRow[] {
    const rows =
      batchIds === null
        ? this.#s.allClips.all()
        : batchIds.flatMap((id) => this.#s.clipsOfBatch.all(id));
    return rows.map(toClip);
  }

  clip(clipId: string): ExportClipRow | undefined {
    const row = this.#s.clipById.get(clipId);
    return row && toClip(row);
  }

  setsOfClip(clipId: string): ExportSetRow[] {
    return this.#s.setsOfClip.all(clipId).map((row) => ({
      setId: row.id,
      annotator: row.annotator,
      projectId: row.project_id,
      status: AnnotationStatus.parse(row.status),
      revision: row.revision,
      seq: row.seq,
      updatedAt: row.updated_at,
    }));
  }

  /**
   * The sets of the lead's projects pulled from the server for the clip with this sha256, most
   * recently changed first. Their project is the schema they were pushed with (registered for
   * `project()` under the server's project id); a set pushed without one counts as the default
   * project's.
   */
  teamSetsOfClip(sha256: string): ExportSetRow[] {
    return this.#s.teamSetsOfClip.all(sha256).map((row) => {
      let projectId = DEFAULT_PROJECT_ID;
      if (row.project_json !== null) {
        projectId = `server:${row.project_id}`;
        if (!this.#projects.has(projectId)) {
          this.#projects.set(projectId, ProjectSchemaV1.parse(JSON.parse(row.project_json)));
        }
      }
      return {
        setId: row.server_set_id,
        annotator: row.annotator,
        projectId,
        status: AnnotationStatus.parse(row.status),
        revision: row.revision,
        seq: 0,
        updatedAt: row.updated_at,
        origin: 'team',
        reviewers: z.array(z.string()).parse(JSON.parse(row.reviewers_json)),
      };
    });
  }

  /**
   * Every submit and review verdict on record, oldest first, with the annotator whose set it was:
   * what throughput per day and rejection rates are counted from.
   */
  statusChanges(): StatusChangeRow[] {
    return this.#s.statusChanges.all();
  }

  /** Both annotators' sets of double-annotated clips as sync pulled them from the server. */
  doubleAnnotationSets(): RemoteDoubleSet[] {
    return readDoubleAnnotationSets(this.#db);
  }

  /** The server's id of each local set delivered to it (local set id to server set id). */
  serverSetIds(): Map<string, string> {
    return new Map(this.#s.serverSetIds.all().map((r) => [r.set_id, r.server_set_id]));
  }

  /** People other than the annotator who changed the set's status (the audit log's actors). */
  reviewersOf(setId: string, annotator: string): string[] {
    return this.#s.reviewers.all(setId, annotator);
  }

  frameTable(clipId: string): { frameTimes: number[]; lastFrameDurationSeconds: number } {
    const row = this.#s.frameTable.get(clipId);
    if (row === undefined) throw new Error(`Clip ${clipId} has no frame table`);
    return {
      frameTimes: decodeFrameTimes(row.frame_times),
      lastFrameDurationSeconds: row.last_frame_duration,
    };
  }

  /**
   * The clip's face scan and blur review, from the faces module's tables (migration 013), read
   * here read-only because an export runs on its own connection: what a blurred copy and the
   * blur policy need.
   */
  faceScan(clipId: string):
    | {
        model: string;
        status: string;
        reviewStatus: string;
        reviewedBy: string | null;
        reviewedAt: string | null;
      }
    | undefined {
    const row = this.#db
      .prepare<
        [string],
        {
          model: string;
          status: string;
          review_status: string;
          reviewed_by: string | null;
          reviewed_at: string | null;
        }
      >(
        'SELECT model, status, review_status, reviewed_by, reviewed_at FROM face_scans WHERE clip_id = ?',
      )
      .get(clipId);
    return row === undefined
      ? undefined
      : {
          model: row.model,
          status: row.status,
          reviewStatus: row.review_status,
          reviewedBy: row.reviewed_by,
          reviewedAt: row.reviewed_at,
        };
  }

  /** The clip's face tracks a person has not removed (faces module's table, read-only). */
  faceTracks(clipId: string): { id: string; source: string; boxes: FaceTrack['boxes'] }[] {
    return this.#db
      .prepare<[string], { track_id: string; source: string; boxes_json: string }>(
        'SELECT track_id, source, boxes_json FROM face_tracks WHERE clip_id = ? AND removed = 0 ORDER BY rowid',
      )
      .all(clipId)
      .map((row) => ({
        id: row.track_id,
        source: row.source,
        boxes: z.array(FaceTrackBox).parse(JSON.parse(row.boxes_json)),
      }));
  }

  project(projectId: string): ProjectSchema {
    const cached = this.#projects.get(projectId);
    if (cached) return cached;
    const json = this.#s.projectSchema.get(projectId);
    if (json === undefined) throw new Error(`Project ${projectId} of a set is missing`);
    const schema = ProjectSchemaV1.parse(JSON.parse(json));
    this.#projects.set(projectId, schema);
    return schema;
  }

  /**
   * As `labels`, but a pulled team set comes as its stored JSON text (checked against the shared
   * schema when sync pulled it), for the writer to parse on its own thread.
   */
  labelsOrText(set: ExportSetRow, frameCount: number): LabelsDocument | string {
    return set.origin === 'team' ? this.#teamLabelsText(set) : this.labels(set, frameCount);
  }

  #teamLabelsText(set: ExportSetRow): string {
    const json = this.#s.teamSetLabels.get(set.setId);
    if (json === undefined) throw new Error(`Pulled set ${set.setId} is gone`);
    return json;
  }

  /** The set's document at its current seq: latest snapshot plus the commands after it. */
  labels(set: ExportSetRow, frameCount: number): LabelsDocument {
    if (set.origin === 'team') {
      // Checked against the shared schema when sync pulled it (teamSetsWire.ts), stored as checked.
      return JSON.parse(this.#teamLabelsText(set)) as LabelsDocument;
    }
    const context = editContextFor(this.project(set.projectId), frameCount);
    const snapshot = this.#s.latestSnapshot.get(set.setId, set.seq);
    if (snapshot === undefined) {
      throw new Error(`Set ${set.setId} has no snapshot at or before ${set.seq}`);
    }
    let doc: LabelsDocument = LabelsDocument.parse(JSON.parse(snapshot.doc_json));
    let seq = snapshot.seq;
    for (const logged of this.#s.commandsAfter.iterate(set.setId, snapshot.seq, set.seq)) {
      if (logged.seq !== seq + 1) {
        throw new Error(`Set ${set.setId}: the log jumps from edit ${seq} to ${logged.seq}`);
      }
      const result = applyCommand(
        doc,
        CommandSchema.parse(JSON.parse(logged.command_json)),
        context,
      );
      if (!result.ok) {
        throw new Error(
          `Set ${set.setId}: logged edit ${logged.seq} no longer applies: ${result.error.message}`,
        );
      }
      doc = result.doc;
      seq = logged.seq;
    }
    if (seq !== set.seq) {
      throw new Error(`Set ${set.setId}: the log ends at ${seq}, not ${set.seq}`);
    }
    return doc;
  }
}

function toClip(row: ClipRow): ExportClipRow {
  const turned = row.rotation === 90 || row.rotation === 270;
  return {
    clipId: row.id,
    batchId: row.batch_id,
    relativePath: row.relative_path,
    filePath: row.file_path,
    container: row.container,
    sha256: row.sha256,
    checksumState: row.checksum_state,
    width: turned ? row.height : row.width,
    height: turned ? row.width : row.height,
    frameCount: row.frame_count,
    frameTableSource: row.frame_table_source,
    contributor: row.contributor,
    region: row.region,
    consent: consentRecordOf(row.consent_json),
    withdrawal: withdrawalOf(row.withdrawn_at, row.withdrawal_source),
  };
}

const CLIP_COLUMNS = /* sql */ `
  c.id, c.batch_id, c.relative_path, c.file_path, c.container, c.sha256, c.checksum_state,
  c.width, c.height, c.rotation, c.frame_count, c.frame_table_source,
  b.contributor, b.region, ${CONSENT_COLUMNS}
  FROM clips c JOIN batches b ON b.id = c.batch_id`;

function prepare(db: Database) {
  return {
    anyBatch: db.prepare('SELECT 1 FROM batches LIMIT 1'),
    batchById: db.prepare<[string], { id: string }>('SELECT id FROM batches WHERE id = ?'),
    allClips: db.prepare<[], ClipRow>(
      `SELECT ${CLIP_COLUMNS} ORDER BY b.imported_at, b.id, c.relative_path`,
    ),
    clipsOfBatch: db.prepare<[string], ClipRow>(
      `SELECT ${CLIP_COLUMNS} WHERE c.batch_id = ? ORDER BY c.relative_path`,
    ),
    clipById: db.prepare<[string], ClipRow>(`SELECT ${CLIP_COLUMNS} WHERE c.id = ?`),
    statusChanges: db.prepare<[], StatusChangeRow>(/* sql */ `
      SELECT a.at AS at, a.action AS action, a.actor AS actor, s.id AS setId,
        s.annotator AS annotator, c.batch_id AS batchId
      FROM audit_log a
      JOIN annotation_sets s ON s.id = a.entity_id
      JOIN clips c ON c.id = s.clip_id
      WHERE a.entity_type = 'annotation_set'
        AND a.action IN ('labels.submitted', 'labels.accepted', 'labels.changes_requested')
      ORDER BY a.id`),
    setsOfClip: db.prepare<[string], SetRow>(/* sql */ `
      SELECT id, annotator, project_id, status, revision, seq, updated_at
      FROM annotation_sets WHERE clip_id = ? ORDER BY updated_at DESC, id`),
    // Sync's copies of the lead's team sets (read-only): what Export writes for clips labelled on
    // other workstations.
    teamSetsOfClip: db.prepare<
      [string],
      {
        server_set_id: string;
        project_id: string;
        annotator: string;
        reviewers_json: string;
        status: string;
        revision: number;
        project_json: string | null;
        updated_at: string;
      }
    >(/* sql */ `
      SELECT server_set_id, project_id, annotator, reviewers_json, status, revision, project_json,
        updated_at
      FROM sync_team_sets WHERE clip_ref = ? ORDER BY updated_at DESC, server_set_id`),
    teamSetLabels: db
      .prepare<[string], string>('SELECT labels_json FROM sync_team_sets WHERE server_set_id = ?')
      .pluck(),
    serverSetIds: db.prepare<[], { set_id: string; server_set_id: string }>(
      'SELECT set_id, server_set_id FROM sync_sets WHERE server_set_id IS NOT NULL',
    ),
    reviewers: db
      .prepare<[string, string], string>(
        /* sql */ `
        SELECT DISTINCT actor FROM audit_log
        WHERE entity_id = ? AND actor <> ? ORDER BY actor`,
      )
      .pluck(),
    frameTable: db.prepare<[string], { frame_times: Buffer; last_frame_duration: number }>(
      'SELECT frame_times, last_frame_duration FROM frame_tables WHERE clip_id = ?',
    ),
    projectSchema: db
      .prepare<[string], string>('SELECT schema_json FROM projects WHERE id = ?')
      .pluck(),
    latestSnapshot: db.prepare<[string, number], { seq: number; doc_json: string }>(/* sql */ `
      SELECT seq, doc_json FROM label_snapshots
      WHERE set_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`),
    commandsAfter: db.prepare<
      [string, number, number],
      { seq: number; command_json: string }
    >(/* sql */ `
      SELECT seq, command_json FROM label_commands
      WHERE set_id = ? AND seq > ? AND seq <= ? ORDER BY seq`),
  };
}

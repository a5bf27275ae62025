import type { Database } from 'better-sqlite3';
import type { Tx } from '../db/db';

export type ProjectRow = { id: string; name: string; version: number; schema_json: string };
export type SetRow = {
  id: string;
  clip_id: string;
  annotator: string;
  project_id: string;
  status: string;
  revision: number;
  seq: number;
  updated_at: string;
};
export type SnapshotRow = { seq: number; doc_json: string };
export type CommandRow = { seq: number; command_json: string };

/** What a submit found: submitted, or the problems to fix first (nothing changed then). */
export type NewSetRow = {
  id: string;
  clip_id: string;
  annotator: string;
  project_id: string;
  at: string;
};

export type LoggedCommand = {
  setId: string;
  seq: number;
  actor: string;
  at: string;
  commandJson: string;
  inverseJson: string;
  editId: string | null;
};

/**
 * The labels module's tables: `projects`, `annotation_sets`, `label_commands`,
 * `label_snapshots`, `purge_in_progress` (and `workspaces`, in `Workspaces`). Only this module
 * writes them; `AnnotationSets` holds the rules and the transactions.
 */
export class LabelsRepository {
  readonly #s: ReturnType<typeof prepare>;

  constructor(db: Database) {
    this.#s = prepare(db);
  }

  project(projectId: string): ProjectRow | undefined {
    return this.#s.projectById.get(projectId);
  }

  projects(): ProjectRow[] {
    return this.#s.allProjects.all();
  }

  createProject(project: ProjectRow, at: string): void {
    this.#s.insertProject.run(project.id, project.name, project.version, project.schema_json, at);
  }

  /** The stored project file's consent policy: null when unset, undefined for no such project. */
  consentPolicy(projectId: string): string | null | undefined {
    return this.#s.consentPolicyOf.get(projectId);
  }

  /** Changes only that field of the stored project file (json_set keeps the rest). */
  setConsentPolicy(projectId: string, policy: string): void {
    this.#s.setConsentPolicy.run(policy, projectId);
  }

  /** The clip's frame count (media's table, read for the edit context). */
  frameCountOfClip(clipId: string): number | undefined {
    return this.#s.clipFrameCount.get(clipId);
  }

  set(setId: string): SetRow | undefined {
    return this.#s.setById.get(setId);
  }

  setOf(clipId: string, annotator: string): SetRow | undefined {
    return this.#s.setByClipAnnotator.get(clipId, annotator);
  }

  setIdsOfClip(clipId: string): string[] {
    return this.#s.setIdsOfClip.all(clipId);
  }

  /**
   * `from`'s sets become `to`'s, except on clips where `to` already has one (kept apart, never
   * merged). Returns the ids moved.
   */
  adoptSets(from: string, to: string, at: string): string[] {
    const ids = this.#s.adoptableSets.all(from, to);
    for (const id of ids) this.#s.adoptSet.run(to, at, id);
    return ids;
  }

  createSet(row: NewSetRow): void {
    this.#s.insertSet.run(row);
  }

  advanceSet(setId: string, seq: number, at: string): void {
    this.#s.advanceSet.run(seq, at, setId);
  }

  setStatus(setId: string, status: string, revision: number, at: string): void {
    this.#s.setStatus.run(status, revision, at, setId);
  }

  logCommand(command: LoggedCommand): void {
    this.#s.insertCommand.run(
      command.setId,
      command.seq,
      command.actor,
      command.at,
      command.commandJson,
      command.inverseJson,
      command.editId,
    );
  }

  /** The seq an edit id was saved under, if it was. */
  seqOfEdit(setId: string, editId: string): number | undefined {
    return this.#s.seqOfEdit.get(setId, editId);
  }

  commandsAfter(setId: string, afterSeq: number, uptoSeq: number): CommandRow[] {
    return this.#s.commandsAfter.all(setId, afterSeq, uptoSeq);
  }

  saveSnapshot(setId: string, seq: number, docJson: string, at: string): void {
    this.#s.insertSnapshot.run(setId, seq, docJson, at);
  }

  /** Keeps the snapshot at `seq` and those after it. */
  pruneSnapshotsBefore(setId: string, seq: number): void {
    this.#s.pruneSnapshots.run(setId, seq);
  }

  latestSnapshot(setId: string, atOrBeforeSeq: number): SnapshotRow | undefined {
    return this.#s.latestSnapshot.get(setId, atOrBeforeSeq);
  }

  /** Withdrawal: the sets, their log and snapshots; the log's delete trigger opens for this clip only. */
  purgeClip(
    _tx: Tx,
    clipId: string,
    setIds: readonly string[],
    at: string,
  ): { annotationSets: number; labelCommands: number; labelSnapshots: number } {
    const s = this.#s;
    // Opens the label log's delete trigger for this clip only (migration 006).
    s.openPurge.run(clipId, at);
    let labelCommands = 0;
    let labelSnapshots = 0;
    for (const setId of setIds) {
      labelCommands += s.deleteCommands.run(setId).changes;
      labelSnapshots += s.deleteSnapshots.run(setId).changes;
    }
    const annotationSets = s.deleteSets.run(clipId).changes;
    s.closePurge.run(clipId);
    return { annotationSets, labelCommands, labelSnapshots };
  }
}

function prepare(db: Database) {
  return {
    projectById: db.prepare<[string], ProjectRow>(
      'SELECT id, name, version, schema_json FROM projects WHERE id = ?',
    ),
    allProjects: db.prepare<[], ProjectRow>(
      'SELECT id, name, version, schema_json FROM projects ORDER BY rowid',
    ),
    insertProject: db.prepare<[string, string, number, string, string]>(
      'INSERT INTO projects (id, name, version, schema_json, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    clipFrameCount: db
      .prepare<[string], number>('SELECT frame_count FROM clips WHERE id = ?')
      .pluck(),
    setById: db.prepare<[string], SetRow>(/* sql */ `
      SELECT id, clip_id, annotator, project_id, status, revision, seq, updated_at
      FROM annotation_sets WHERE id = ?`),
    setByClipAnnotator: db.prepare<[string, string], SetRow>(/* sql */ `
      SELECT id, clip_id, annotator, project_id, status, revision, seq, updated_at
      FROM annotation_sets WHERE clip_id = ? AND annotator = ?`),
    adoptableSets: db
      .prepare<[string, string], string>(
        /* sql */ `
        SELECT id FROM annotation_sets s WHERE s.annotator = ?
          AND NOT EXISTS (SELECT 1 FROM annotation_sets o WHERE o.clip_id = s.clip_id AND o.annotator = ?)
        ORDER BY id`,
      )
      .pluck(),
    adoptSet: db.prepare<[string, string, string]>(
      'UPDATE annotation_sets SET annotator = ?, updated_at = ? WHERE id = ?',
    ),
    insertSet: db.prepare<
      [{ id: string; clip_id: string; annotator: string; project_id: string; at: string }]
    >(/* sql */ `
      INSERT INTO annotation_sets (id, clip_id, annotator, project_id, created_at, updated_at)
      VALUES (@id, @clip_id, @annotator, @project_id, @at, @at)`),
    advanceSet: db.prepare<[number, string, string]>(
      'UPDATE annotation_sets SET seq = ?, updated_at = ? WHERE id = ?',
    ),
    insertCommand: db.prepare<
      [string, number, string, string, string, string, string | null]
    >(/* sql */ `
      INSERT INTO label_commands (set_id, seq, actor, at, command_json, inverse_json, edit_id)
      VALUES (?, ?, ?, ?, ?, ?, ?)`),
    seqOfEdit: db
      .prepare<[string, string], number>(
        'SELECT seq FROM label_commands WHERE set_id = ? AND edit_id = ?',
      )
      .pluck(),
    setStatus: db.prepare<[string, number, string, string]>(
      'UPDATE annotation_sets SET status = ?, revision = ?, updated_at = ? WHERE id = ?',
    ),
    commandsAfter: db.prepare<[string, number, number], CommandRow>(/* sql */ `
      SELECT seq, command_json FROM label_commands
      WHERE set_id = ? AND seq > ? AND seq <= ? ORDER BY seq`),
    insertSnapshot: db.prepare<[string, number, string, string]>(
      'INSERT INTO label_snapshots (set_id, seq, doc_json, at) VALUES (?, ?, ?, ?)',
    ),
    pruneSnapshots: db.prepare<[string, number]>(
      'DELETE FROM label_snapshots WHERE set_id = ? AND seq < ?',
    ),
    consentPolicyOf: db
      .prepare<[string], string | null>(
        "SELECT json_extract(schema_json, '$.consentPolicy') FROM projects WHERE id = ?",
      )
      .pluck(),
    setConsentPolicy: db.prepare<[string, string]>(
      "UPDATE projects SET schema_json = json_set(schema_json, '$.consentPolicy', ?) WHERE id = ?",
    ),
    setIdsOfClip: db
      .prepare<[string], string>('SELECT id FROM annotation_sets WHERE clip_id = ? ORDER BY id')
      .pluck(),
    openPurge: db.prepare<[string, string]>(
      'INSERT INTO purge_in_progress (clip_id, started_at) VALUES (?, ?)',
    ),
    closePurge: db.prepare<[string]>('DELETE FROM purge_in_progress WHERE clip_id = ?'),
    deleteCommands: db.prepare<[string]>('DELETE FROM label_commands WHERE set_id = ?'),
    deleteSnapshots: db.prepare<[string]>('DELETE FROM label_snapshots WHERE set_id = ?'),
    deleteSets: db.prepare<[string]>('DELETE FROM annotation_sets WHERE clip_id = ?'),
    latestSnapshot: db.prepare<[string, number], SnapshotRow>(/* sql */ `
      SELECT seq, doc_json FROM label_snapshots
      WHERE set_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`),
  };
}

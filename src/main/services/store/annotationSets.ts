import { randomUUID } from 'node:crypto';
import type { Database, Transaction } from 'better-sqlite3';
import type { AnnotationSetInfo, LabelEditSaved, ProjectInfo } from '../../../shared/api/schemas';
import {
  AnnotationStatus,
  applyCommand,
  CommandSchema,
  editContextFor,
  EMPTY_LABELS,
  LabelsDocument,
  ProjectSchemaV1,
  type Command,
  type EditContext,
} from '../../../shared/domain/labels';
import type { AuditEntry, NewProject } from './Store';
import { StoreError } from './storeError';

/** A new snapshot every this many commands bounds a cold load to one parse plus this many replays. */
export const SNAPSHOT_EVERY = 256;

/** Edits land only while the annotator holds the set; a submitted set is read-only until returned. */
const EDITABLE: ReadonlySet<AnnotationStatus> = new Set(['in_progress', 'changes_requested']);

type ProjectRow = { id: string; name: string; version: number; schema_json: string };
type SetRow = {
  id: string;
  clip_id: string;
  annotator: string;
  project_id: string;
  status: string;
  revision: number;
  seq: number;
  updated_at: string;
};
type SnapshotRow = { seq: number; doc_json: string };
type CommandRow = { seq: number; command_json: string };

/** The last document this connection read or wrote for a set, with what it needs to edit it. */
type CachedSet = { seq: number; doc: LabelsDocument; context: EditContext };

type Audit = (entry: AuditEntry, at: string) => void;

function toProject(row: ProjectRow): ProjectInfo {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    schema: ProjectSchemaV1.parse(JSON.parse(row.schema_json)),
  };
}

function toSet(row: SetRow): AnnotationSetInfo {
  return {
    id: row.id,
    clipId: row.clip_id,
    annotator: row.annotator,
    projectId: row.project_id,
    status: AnnotationStatus.parse(row.status),
    revision: row.revision,
    seq: row.seq,
    updatedAt: row.updated_at,
  };
}

function summarize(doc: LabelsDocument): LabelEditSaved['summary'] {
  let keyframes = 0;
  for (const track of doc.tracks) keyframes += track.keyframes.length;
  return {
    tracks: doc.tracks.length,
    keyframes,
    segments: doc.segments.length,
    contacts: doc.contacts.length,
  };
}

function setNotFound(setId: string): StoreError {
  return new StoreError(
    'ANNOTATION_SET_NOT_FOUND',
    `No annotation set ${setId} in this workstation's database; open the clip again.`,
  );
}

/**
 * Projects, annotation sets and their label logs over the store's connection.
 *
 * A set's labels are its latest snapshot plus the commands logged after it, replayed with the
 * same `applyCommand` that validated them. The document is cached per set, and every edit
 * re-reads the set's `seq` inside its write transaction, so a cache made stale by another
 * connection is noticed and rebuilt rather than written over.
 */
export class AnnotationSets {
  readonly #db: Database;
  readonly #cache = new Map<string, CachedSet>();
  readonly #s: ReturnType<typeof prepare>;
  readonly #ensureProject: Transaction<(input: NewProject, actor: string, at: string) => void>;
  readonly #openSet: Transaction<
    (clipId: string, annotator: string, projectId: string, at: string) => SetRow
  >;
  readonly #applyEdit: Transaction<
    (setId: string, command: Command, expectedSeq: number, actor: string) => CachedSet
  >;

  constructor(db: Database, audit: Audit) {
    this.#db = db;
    const s = prepare(db);
    this.#s = s;

    this.#ensureProject = db.transaction((input: NewProject, actor: string, at: string) => {
      if (s.projectById.get(input.id) !== undefined) return;
      const schema = ProjectSchemaV1.parse(input.schema);
      s.insertProject.run(input.id, schema.name, schema.version, JSON.stringify(schema), at);
      audit(
        {
          actor,
          action: 'project.created',
          entityType: 'project',
          entityId: input.id,
          details: { name: schema.name, version: schema.version },
        },
        at,
      );
    });

    this.#openSet = db.transaction(
      (clipId: string, annotator: string, projectId: string, at: string): SetRow => {
        const existing = s.setByClipAnnotator.get(clipId, annotator);
        if (existing !== undefined) return existing;
        if (s.clipFrameCount.get(clipId) === undefined) {
          throw new StoreError(
            'CLIP_NOT_FOUND',
            `No clip ${clipId} in this workstation's database.`,
          );
        }
        if (s.projectById.get(projectId) === undefined) {
          throw new StoreError('PROJECT_NOT_FOUND', `No project ${projectId}; import it first.`);
        }
        const id = randomUUID();
        s.insertSet.run({ id, clip_id: clipId, annotator, project_id: projectId, at });
        s.insertSnapshot.run(id, 0, JSON.stringify(EMPTY_LABELS), at);
        audit(
          {
            actor: annotator,
            action: 'labels.set_created',
            entityType: 'annotation_set',
            entityId: id,
            details: { clipId, projectId },
          },
          at,
        );
        const row = s.setById.get(id);
        if (row === undefined) throw new Error(`Set ${id} vanished inside its own transaction`);
        return row;
      },
    );

    this.#applyEdit = db.transaction(
      (setId: string, command: Command, expectedSeq: number, actor: string): CachedSet => {
        const row = s.setById.get(setId);
        if (row === undefined) throw setNotFound(setId);
        const status = AnnotationStatus.parse(row.status);
        if (!EDITABLE.has(status)) {
          throw new StoreError(
            'SET_NOT_EDITABLE',
            `This clip's labels are ${status.replace('_', ' ')} and can no longer be edited here.`,
          );
        }
        if (row.seq !== expectedSeq) {
          throw new StoreError(
            'STALE_EDIT',
            `The labels changed since this edit was made (saved edit ${row.seq}, the edit ` +
              `expected ${expectedSeq}); reload them and make the edit again.`,
          );
        }
        const current = this.#current(row);
        const result = applyCommand(current.doc, command, current.context);
        if (!result.ok) {
          throw new StoreError('EDIT_REFUSED', result.error.message);
        }
        const seq = row.seq + 1;
        const at = new Date().toISOString();
        s.insertCommand.run(
          setId,
          seq,
          actor,
          at,
          JSON.stringify(command),
          JSON.stringify(result.inverse),
        );
        s.advanceSet.run(seq, at, setId);
        if (seq % SNAPSHOT_EVERY === 0) {
          s.insertSnapshot.run(setId, seq, JSON.stringify(result.doc), at);
          s.pruneSnapshots.run(setId, seq);
        }
        return { seq, doc: result.doc, context: current.context };
      },
    );
  }

  ensureProject(input: NewProject, actor: string): ProjectInfo {
    this.#ensureProject.immediate(input, actor, new Date().toISOString());
    const project = this.getProject(input.id);
    if (project === undefined) throw new Error(`Project ${input.id} was not stored`);
    return project;
  }

  getProject(projectId: string): ProjectInfo | undefined {
    const row = this.#s.projectById.get(projectId);
    return row && toProject(row);
  }

  openAnnotationSet(clipId: string, annotator: string, projectId: string): AnnotationSetInfo {
    return toSet(this.#openSet.immediate(clipId, annotator, projectId, new Date().toISOString()));
  }

  getAnnotationSet(setId: string): AnnotationSetInfo | undefined {
    const row = this.#s.setById.get(setId);
    return row && toSet(row);
  }

  loadLabels(setId: string): { doc: LabelsDocument; seq: number } {
    // A read transaction, so the set's seq and its log are read at one point in time.
    const cached = this.#db.transaction(() => {
      const row = this.#s.setById.get(setId);
      if (row === undefined) throw setNotFound(setId);
      return this.#current(row);
    })();
    return { doc: cached.doc, seq: cached.seq };
  }

  applyLabelEdit(
    setId: string,
    command: Command,
    expectedSeq: number,
    actor: string,
  ): LabelEditSaved {
    const next = this.#applyEdit.immediate(setId, command, expectedSeq, actor);
    // Only a committed edit reaches the cache: a throw above leaves it as it was.
    this.#cache.set(setId, next);
    return { setId, seq: next.seq, summary: summarize(next.doc) };
  }

  /** The set's document at `row.seq`: from the cache, or rebuilt from snapshot and log. */
  #current(row: SetRow): CachedSet {
    const cached = this.#cache.get(row.id);
    if (cached?.seq === row.seq) return cached;
    const rebuilt = this.#rebuild(row);
    this.#cache.set(row.id, rebuilt);
    return rebuilt;
  }

  #rebuild(row: SetRow): CachedSet {
    const s = this.#s;
    const frameCount = s.clipFrameCount.get(row.clip_id);
    const project = s.projectById.get(row.project_id);
    if (frameCount === undefined || project === undefined) {
      throw new Error(`Set ${row.id} refers to a missing clip or project`);
    }
    const context = editContextFor(toProject(project).schema, frameCount);
    const snapshot = s.latestSnapshot.get(row.id, row.seq);
    if (snapshot === undefined)
      throw new Error(`Set ${row.id} has no snapshot at or before ${row.seq}`);
    let doc: LabelsDocument = LabelsDocument.parse(JSON.parse(snapshot.doc_json));
    let seq = snapshot.seq;
    for (const logged of s.commandsAfter.all(row.id, snapshot.seq, row.seq)) {
      if (logged.seq !== seq + 1) {
        throw new Error(`Set ${row.id}: the log jumps from edit ${seq} to ${logged.seq}`);
      }
      const command = CommandSchema.parse(JSON.parse(logged.command_json));
      const result = applyCommand(doc, command, context);
      if (!result.ok) {
        throw new Error(
          `Set ${row.id}: logged edit ${logged.seq} no longer applies: ${result.error.message}`,
        );
      }
      doc = result.doc;
      seq = logged.seq;
    }
    if (seq !== row.seq) throw new Error(`Set ${row.id}: the log ends at ${seq}, not ${row.seq}`);
    return { seq, doc, context };
  }
}

function prepare(db: Database) {
  return {
    projectById: db.prepare<[string], ProjectRow>(
      'SELECT id, name, version, schema_json FROM projects WHERE id = ?',
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
    insertSet: db.prepare<
      [{ id: string; clip_id: string; annotator: string; project_id: string; at: string }]
    >(/* sql */ `
      INSERT INTO annotation_sets (id, clip_id, annotator, project_id, created_at, updated_at)
      VALUES (@id, @clip_id, @annotator, @project_id, @at, @at)`),
    advanceSet: db.prepare<[number, string, string]>(
      'UPDATE annotation_sets SET seq = ?, updated_at = ? WHERE id = ?',
    ),
    insertCommand: db.prepare<[string, number, string, string, string, string]>(/* sql */ `
      INSERT INTO label_commands (set_id, seq, actor, at, command_json, inverse_json)
      VALUES (?, ?, ?, ?, ?, ?)`),
    commandsAfter: db.prepare<[string, number, number], CommandRow>(/* sql */ `
      SELECT seq, command_json FROM label_commands
      WHERE set_id = ? AND seq > ? AND seq <= ? ORDER BY seq`),
    insertSnapshot: db.prepare<[string, number, string, string]>(
      'INSERT INTO label_snapshots (set_id, seq, doc_json, at) VALUES (?, ?, ?, ?)',
    ),
    pruneSnapshots: db.prepare<[string, number]>(
      'DELETE FROM label_snapshots WHERE set_id = ? AND seq < ?',
    ),
    latestSnapshot: db.prepare<[string, number], SnapshotRow>(/* sql */ `
      SELECT seq, doc_json FROM label_snapshots
      WHERE set_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`),
  };
}

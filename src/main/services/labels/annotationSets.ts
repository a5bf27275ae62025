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
  checkCompleteness,
  transitionStatus,
  type Command,
  type CompletenessProblem,
  type EditContext,
} from '../../../shared/domain/labels';
import { ConsentQueries } from '../governance/consentQueries';
import type { AuditEntry } from '../audit/auditEntry';
import type { NewProject } from '../store/Store';
import { StoreError } from '../store/storeError';

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

/** What a submit found: submitted, or the problems to fix first (nothing changed then). */
export type SubmitOutcome =
  | { submitted: true; set: AnnotationSetInfo }
  | { submitted: false; problems: readonly CompletenessProblem[] };

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
  readonly #consent: ConsentQueries;
  readonly #ensureProject: Transaction<(input: NewProject, actor: string, at: string) => void>;
  readonly #openSet: Transaction<
    (clipId: string, annotator: string, projectId: string, at: string) => SetRow
  >;
  readonly #applyEdit: Transaction<
    (
      setId: string,
      command: Command,
      expectedSeq: number,
      actor: string,
      editId: string | undefined,
    ) => { current: CachedSet; savedSeq: number }
  >;
  readonly #transition: Transaction<
    (setId: string, to: readonly AnnotationStatus[], actor: string) => SetRow
  >;
  readonly #submit: Transaction<(setId: string, actor: string) => SubmitOutcome>;

  constructor(db: Database, audit: Audit) {
    this.#db = db;
    this.#consent = new ConsentQueries(db);
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
        // A withdrawn clip's labels were purged; a new set would start collecting them again.
        this.#consent.assertNotWithdrawn(clipId);
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
      (
        setId: string,
        command: Command,
        expectedSeq: number,
        actor: string,
        editId: string | undefined,
      ): { current: CachedSet; savedSeq: number } => {
        const row = s.setById.get(setId);
        if (row === undefined) throw setNotFound(setId);
        if (editId !== undefined) {
          // A retry of an edit that was committed but whose answer never arrived: already saved.
          const savedSeq = s.seqOfEdit.get(setId, editId);
          if (savedSeq !== undefined) return { current: this.#current(row), savedSeq };
        }
        const status = AnnotationStatus.parse(row.status);
        if (!EDITABLE.has(status)) {
          throw new StoreError(
            'SET_NOT_EDITABLE',
            `This clip's labels are ${status.replace('_', ' ')} and can no longer be edited here.`,
          );
        }
        this.#consent.assertEditable(row.clip_id, row.project_id);
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
          editId ?? null,
        );
        s.advanceSet.run(seq, at, setId);
        if (seq % SNAPSHOT_EVERY === 0) {
          s.insertSnapshot.run(setId, seq, JSON.stringify(result.doc), at);
          s.pruneSnapshots.run(setId, seq);
        }
        return { current: { seq, doc: result.doc, context: current.context }, savedSeq: seq };
      },
    );

    const transition = (row: SetRow, to: AnnotationStatus, actor: string, at: string): SetRow => {
      const moved = transitionStatus(toSet(row), to);
      if (!moved.ok) throw new StoreError('STATUS_CHANGE_REFUSED', moved.message);
      s.setStatus.run(moved.set.status, moved.set.revision, at, row.id);
      audit(
        {
          actor,
          action: `labels.${to}`,
          entityType: 'annotation_set',
          entityId: row.id,
          details: { from: row.status, to, revision: moved.set.revision, seq: row.seq },
        },
        at,
      );
      return { ...row, status: moved.set.status, revision: moved.set.revision, updated_at: at };
    };

    this.#transition = db.transaction(
      (setId: string, to: readonly AnnotationStatus[], actor: string): SetRow => {
        let row = s.setById.get(setId);
        if (row === undefined) throw setNotFound(setId);
        const at = new Date().toISOString();
        for (const status of to) row = transition(row, status, actor, at);
        return row;
      },
    );

    this.#submit = db.transaction((setId: string, actor: string): SubmitOutcome => {
      let row = s.setById.get(setId);
      if (row === undefined) throw setNotFound(setId);
      this.#consent.assertEditable(row.clip_id, row.project_id);
      const current = this.#current(row);
      const problems = checkCompleteness(current.doc, current.context);
      if (problems.length > 0) return { submitted: false, problems };
      const at = new Date().toISOString();
      // Sent back for changes, the set returns to the annotator before it is submitted again.
      if (row.status === 'changes_requested') row = transition(row, 'in_progress', actor, at);
      row = transition(row, 'submitted', actor, at);
      // The outbox row commits with the status change (issue #5): a submitted set always has
      // its delivery queued, and a failed submit queues nothing. Its id is the Idempotency-Key.
      const payload = { labels: current.doc, localRevision: row.revision, seq: row.seq };
      s.insertOutbox.run(randomUUID(), 'submit_set', row.id, JSON.stringify(payload), at);
      return { submitted: true, set: toSet(row) };
    });
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

  /** Every project, oldest first: the last is the one new annotation sets use. */
  listProjects(): ProjectInfo[] {
    return this.#s.allProjects.all().map(toProject);
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
    editId?: string,
  ): LabelEditSaved {
    const { current, savedSeq } = this.#applyEdit.immediate(
      setId,
      command,
      expectedSeq,
      actor,
      editId,
    );
    // Only a committed edit reaches the cache: a throw above leaves it as it was.
    this.#cache.set(setId, current);
    return { setId, seq: savedSeq, summary: summarize(current.doc) };
  }

  /** Moves a set through `to`, in order, in one transaction; each step audited. */
  transitionAnnotationSet(
    setId: string,
    to: AnnotationStatus | readonly AnnotationStatus[],
    actor: string,
  ): AnnotationSetInfo {
    const steps = typeof to === 'string' ? [to] : to;
    return toSet(this.#transition.immediate(setId, steps, actor));
  }

  submitAnnotationSet(setId: string, actor: string): SubmitOutcome {
    return this.#submit.immediate(setId, actor);
  }

  /**
   * Drops the cached documents of sets whose rows are gone (a consent purge deletes them on a
   * connection of its own): the labels of a withdrawn clip must not outlive it in memory.
   * Returns how many were dropped.
   */
  forgetDeletedSets(): number {
    let dropped = 0;
    for (const setId of [...this.#cache.keys()]) {
      if (this.#s.setById.get(setId) !== undefined) continue;
      this.#cache.delete(setId);
      dropped++;
    }
    return dropped;
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
    insertOutbox: db.prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO sync_outbox (id, kind, set_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?)`),
    latestSnapshot: db.prepare<[string, number], SnapshotRow>(/* sql */ `
      SELECT seq, doc_json FROM label_snapshots
      WHERE set_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`),
  };
}

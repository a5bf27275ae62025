import { randomUUID } from 'node:crypto';
import type {
  AnnotationSetInfo,
  LabelEditSaved,
  ProjectInfo,
  Workspace,
} from '../../../shared/api/schemas';
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
  type ProjectSchema,
  type CompletenessProblem,
  type EditContext,
} from '../../../shared/domain/labels';
import type { ConsentQueries } from '../governance/consentQueries';
import { LabelsRepository, type ProjectRow, type SetRow } from './labelsRepository';
import { Workspaces } from './workspaces';
import type { AuditLog } from '../audit/auditLog';
import { now, type Db, type ReadTx, type Tx } from '../db/db';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';
import type { SyncOutbox } from '../sync/syncOutbox';
import { StoreError } from '../store/storeError';

/** A new snapshot every this many commands bounds a cold load to one parse plus this many replays. */
export const SNAPSHOT_EVERY = 256;

/** Edits land only while the annotator holds the set; a submitted set is read-only until returned. */
const EDITABLE: ReadonlySet<AnnotationStatus> = new Set(['in_progress', 'changes_requested']);

/** A project to create unless one with its id exists. */
export type NewProject = { id: string; schema: ProjectSchema };

/** What a withdrawal removed from labels' tables. */
export type LabelsPurged = {
  annotationSets: number;
  labelCommands: number;
  labelSnapshots: number;
  workspaces: number;
};

export type SubmitOutcome =
  | { submitted: true; set: AnnotationSetInfo }
  | { submitted: false; problems: readonly CompletenessProblem[] };

/** The last document this connection read or wrote for a set, with what it needs to edit it. */
type CachedSet = { seq: number; doc: LabelsDocument; context: EditContext };

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
export class AnnotationSets implements ClipDataOwner<LabelsPurged> {
  readonly #db: Db;
  readonly #cache = new Map<string, CachedSet>();
  readonly #s: LabelsRepository;
  readonly #consent: ConsentQueries;
  readonly #audit: AuditLog;
  readonly #outbox: SyncOutbox;
  readonly #workspaces: Workspaces;

  constructor(deps: { db: Db; audit: AuditLog; consent: ConsentQueries; outbox: SyncOutbox }) {
    this.#db = deps.db;
    this.#audit = deps.audit;
    this.#consent = deps.consent;
    this.#outbox = deps.outbox;
    this.#s = new LabelsRepository(deps.db.connection);
    this.#workspaces = new Workspaces(deps.db.connection);
  }

  #ensureProject(tx: Tx, input: NewProject, actor: string, at: string): void {
    const s = this.#s;
    if (s.project(input.id) !== undefined) return;
    const schema = ProjectSchemaV1.parse(input.schema);
    s.createProject(
      {
        id: input.id,
        name: schema.name,
        version: schema.version,
        schema_json: JSON.stringify(schema),
      },
      at,
    );
    this.#audit.append(
      tx,
      {
        actor,
        action: 'project.created',
        entityType: 'project',
        entityId: input.id,
        details: { name: schema.name, version: schema.version },
      },
      at,
    );
  }

  #openSet(tx: Tx, clipId: string, annotator: string, projectId: string, at: string): SetRow {
    const s = this.#s;
    {
      const existing = s.setOf(clipId, annotator);
      if (existing !== undefined) return existing;
      if (s.frameCountOfClip(clipId) === undefined) {
        throw new StoreError('CLIP_NOT_FOUND', `No clip ${clipId} in this workstation's database.`);
      }
      if (s.project(projectId) === undefined) {
        throw new StoreError('PROJECT_NOT_FOUND', `No project ${projectId}; import it first.`);
      }
      // A withdrawn clip's labels were purged; a new set would start collecting them again.
      this.#consent.assertNotWithdrawn(clipId);
      const id = randomUUID();
      s.createSet({ id, clip_id: clipId, annotator, project_id: projectId, at });
      s.saveSnapshot(id, 0, JSON.stringify(EMPTY_LABELS), at);
      this.#audit.append(
        tx,
        {
          actor: annotator,
          action: 'labels.set_created',
          entityType: 'annotation_set',
          entityId: id,
          details: { clipId, projectId },
        },
        at,
      );
      const row = s.set(id);
      if (row === undefined) throw new Error(`Set ${id} vanished inside its own transaction`);
      return row;
    }
  }

  #applyEdit(
    setId: string,
    command: Command,
    expectedSeq: number,
    actor: string,
    editId: string | undefined,
  ): { current: CachedSet; savedSeq: number } {
    const s = this.#s;
    {
      const row = s.set(setId);
      if (row === undefined) throw setNotFound(setId);
      if (editId !== undefined) {
        // A retry of an edit that was committed but whose answer never arrived: already saved.
        const savedSeq = s.seqOfEdit(setId, editId);
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
      s.logCommand({
        setId,
        seq,
        actor,
        at,
        commandJson: JSON.stringify(command),
        inverseJson: JSON.stringify(result.inverse),
        editId: editId ?? null,
      });
      s.advanceSet(setId, seq, at);
      if (seq % SNAPSHOT_EVERY === 0) {
        s.saveSnapshot(setId, seq, JSON.stringify(result.doc), at);
        s.pruneSnapshotsBefore(setId, seq);
      }
      return { current: { seq, doc: result.doc, context: current.context }, savedSeq: seq };
    }
  }

  #step(tx: Tx, row: SetRow, to: AnnotationStatus, actor: string, at: string): SetRow {
    const s = this.#s;
    {
      const moved = transitionStatus(toSet(row), to);
      if (!moved.ok) throw new StoreError('STATUS_CHANGE_REFUSED', moved.message);
      s.setStatus(row.id, moved.set.status, moved.set.revision, at);
      this.#audit.append(
        tx,
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
    }
  }

  #transition(tx: Tx, setId: string, to: readonly AnnotationStatus[], actor: string): SetRow {
    const s = this.#s;
    {
      let row = s.set(setId);
      if (row === undefined) throw setNotFound(setId);
      const at = new Date().toISOString();
      for (const status of to) row = this.#step(tx, row, status, actor, at);
      return row;
    }
  }

  #submit(tx: Tx, setId: string, actor: string): SubmitOutcome {
    const s = this.#s;
    let row = s.set(setId);
    if (row === undefined) throw setNotFound(setId);
    this.#consent.assertEditable(row.clip_id, row.project_id);
    const current = this.#current(row);
    const problems = checkCompleteness(current.doc, current.context);
    if (problems.length > 0) return { submitted: false, problems };
    const at = new Date().toISOString();
    // Sent back for changes, the set returns to the annotator before it is submitted again.
    if (row.status === 'changes_requested') row = this.#step(tx, row, 'in_progress', actor, at);
    row = this.#step(tx, row, 'submitted', actor, at);
    // The outbox row commits with the status change (issue #5): a submitted set always has
    // its delivery queued, and a failed submit queues nothing. Its id is the Idempotency-Key.
    const payload = { labels: current.doc, localRevision: row.revision, seq: row.seq };
    this.#outbox.enqueue(tx, { kind: 'submit_set', setId: row.id, payload, at });
    return { submitted: true, set: toSet(row) };
  }

  ensureProject(input: NewProject, actor: string): ProjectInfo {
    this.#db.write((tx) => {
      this.#ensureProject(tx, input, actor, now());
    });
    const project = this.getProject(input.id);
    if (project === undefined) throw new Error(`Project ${input.id} was not stored`);
    return project;
  }

  getProject(projectId: string): ProjectInfo | undefined {
    const row = this.#s.project(projectId);
    return row && toProject(row);
  }

  /** Every project, oldest first: the last is the one new annotation sets use. */
  listProjects(): ProjectInfo[] {
    return this.#s.projects().map(toProject);
  }

  openAnnotationSet(clipId: string, annotator: string, projectId: string): AnnotationSetInfo {
    return toSet(this.#db.write((tx) => this.#openSet(tx, clipId, annotator, projectId, now())));
  }

  /**
   * The first account to sign in on this workstation takes over the sets its person made under
   * the local profile before (drafts, submitted work waiting to be sent), so nothing started
   * before signing in is left behind under a name the server does not know. Audited; returns the
   * number of sets.
   */
  adoptSets(from: string, to: string): number {
    const at = now();
    return this.#db.write((tx) => {
      const ids = this.#s.adoptSets(from, to, at);
      for (const id of ids) this.#cache.delete(id);
      if (ids.length > 0) {
        this.#audit.append(
          tx,
          {
            actor: to,
            action: 'labels.sets_adopted',
            entityType: 'annotator',
            entityId: to,
            details: { from, setIds: ids },
          },
          at,
        );
      }
      return ids.length;
    });
  }

  /** This annotator's set on the clip, if one was opened; never creates one. */
  findAnnotationSet(clipId: string, annotator: string): AnnotationSetInfo | undefined {
    const row = this.#s.setOf(clipId, annotator);
    return row && toSet(row);
  }

  getAnnotationSet(setId: string): AnnotationSetInfo | undefined {
    const row = this.#s.set(setId);
    return row && toSet(row);
  }

  loadLabels(setId: string): { doc: LabelsDocument; seq: number } {
    // A read transaction, so the set's seq and its log are read at one point in time.
    const cached = this.#db.read(() => {
      const row = this.#s.set(setId);
      if (row === undefined) throw setNotFound(setId);
      return this.#current(row);
    });
    return { doc: cached.doc, seq: cached.seq };
  }

  applyLabelEdit(
    setId: string,
    command: Command,
    expectedSeq: number,
    actor: string,
    editId?: string,
  ): LabelEditSaved {
    const { current, savedSeq } = this.#db.write(() =>
      this.#applyEdit(setId, command, expectedSeq, actor, editId),
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
    return toSet(this.#db.write((tx) => this.#transition(tx, setId, steps, actor)));
  }

  submitAnnotationSet(setId: string, actor: string): SubmitOutcome {
    return this.#db.write((tx) => this.#submit(tx, setId, actor));
  }

  /**
   * The lead's consent policy for a project, changed in the stored project file (json_set keeps
   * the rest). Returns the previous value (null when unset), undefined for an unknown project.
   */
  setConsentPolicy(_tx: Tx, projectId: string, policy: string): string | null | undefined {
    const previous = this.#s.consentPolicy(projectId);
    if (previous === undefined) return undefined;
    this.#s.setConsentPolicy(projectId, policy);
    return previous;
  }

  /** Where `annotator` left off; null before the first save. */
  getWorkspace(annotator: string): Workspace | null {
    return this.#workspaces.get(annotator);
  }

  saveWorkspace(annotator: string, workspace: Workspace): void {
    this.#workspaces.save(annotator, workspace);
  }

  /** The set ids of a clip, for owners of rows that point at them (sync, review). */
  setIdsOfClip(_tx: ReadTx, clipId: string): string[] {
    return this.#s.setIdsOfClip(clipId);
  }

  /**
   * Withdrawal: the clip's annotation sets, their label log and snapshots, and the workspace
   * rows that point at it, from memory too. Runs after sync and review purged the rows that
   * refer to these sets (their foreign keys restrict the delete).
   */
  // workspaces names the clip inside its JSON (no clip column); purged here all the same.
  readonly clipTables = [
    'annotation_sets',
    'label_commands',
    'label_snapshots',
    'purge_in_progress',
  ] as const;

  purgeClip(tx: Tx, clip: WithdrawnClip): LabelsPurged {
    if (clip.clipId === null) {
      return { annotationSets: 0, labelCommands: 0, labelSnapshots: 0, workspaces: 0 };
    }
    const purged = this.#s.purgeClip(tx, clip.clipId, clip.setIds, clip.at);
    for (const setId of clip.setIds) this.#cache.delete(setId);
    return { ...purged, workspaces: this.#workspaces.forgetClip(clip.clipId) };
  }

  /**
   * Drops the cached documents of sets whose rows are gone (a consent purge deletes them on a
   * connection of its own): the labels of a withdrawn clip must not outlive it in memory.
   * Returns how many were dropped.
   */
  forgetDeletedSets(): number {
    let dropped = 0;
    for (const setId of [...this.#cache.keys()]) {
      if (this.#s.set(setId) !== undefined) continue;
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
    const frameCount = s.frameCountOfClip(row.clip_id);
    const project = s.project(row.project_id);
    if (frameCount === undefined || project === undefined) {
      throw new Error(`Set ${row.id} refers to a missing clip or project`);
    }
    const context = editContextFor(toProject(project).schema, frameCount);
    const snapshot = s.latestSnapshot(row.id, row.seq);
    if (snapshot === undefined)
      throw new Error(`Set ${row.id} has no snapshot at or before ${row.seq}`);
    let doc: LabelsDocument = LabelsDocument.parse(JSON.parse(snapshot.doc_json));
    let seq = snapshot.seq;
    for (const logged of s.commandsAfter(row.id, snapshot.seq, row.seq)) {
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

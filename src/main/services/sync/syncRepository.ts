import type { Database, Statement } from 'better-sqlite3';
import type { ReadTx, Tx } from '../db/db';
import { statementsOn } from '../db/statementsOn';
import type { WithdrawnClip } from '../governance/withdrawnClip';

/** A queued delivery, with its set's clip (id and sha256 or manifest checksum) beside it. */
export type OutboxRow = {
  seq: number;
  id: string;
  kind: string;
  set_id: string;
  clip_id: string;
  clip_ref: string | null;
  payload_json: string;
  base_revision: number | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
};

export type ConflictRow = {
  id: number;
  outbox_id: string;
  set_id: string;
  clip_id: string;
  code: string;
  message: string;
  local_json: string;
  server_json: string | null;
  server_revision: number | null;
  recorded_at: string;
};

export type NewDelivery = {
  id: string;
  kind: string;
  setId: string;
  payloadJson: string;
  at: string;
};

export type NewConflict = {
  outboxId: string;
  setId: string;
  code: string;
  message: string;
  localJson: string;
  serverJson: string | null;
  serverRevision: number | null;
  at: string;
};

export type ServerSet = {
  setId: string;
  serverSetId: string;
  revision: number;
  status: string;
  at: string;
};

export type ReceivedEvent = {
  eventKey: string;
  kind: string;
  clipRef: string;
  payloadJson: string;
  at: string;
};

/**
 * The sync module's tables: `sync_outbox`, `sync_sets`, `sync_conflicts`, `sync_inbox`,
 * `sync_state`, `sync_team_sets`. Only this class writes them; `SyncQueue` holds the rules and the transactions and
 * `SyncOutbox` is how another module queues a delivery. Methods take the caller's transaction.
 */
export class SyncRepository {
  readonly #on: (tx: ReadTx) => ReturnType<typeof prepareStatements>;

  constructor(db: Database) {
    this.#on = statementsOn('sync', db, prepareStatements(db));
  }

  queueDelivery(tx: Tx, delivery: NewDelivery): void {
    this.#on(tx).insertOutbox.run(
      delivery.id,
      delivery.kind,
      delivery.setId,
      delivery.payloadJson,
      delivery.at,
    );
  }

  pendingDeliveries(tx: ReadTx, limit: number): OutboxRow[] {
    return this.#on(tx).pending.all(limit);
  }

  /** Pending rows whose last attempt failed (no answer, a refused token), oldest first. */
  failedAttempts(tx: ReadTx): (OutboxRow & { created_at: string })[] {
    return this.#on(tx).failedAttempts.all();
  }

  pendingDeliveryCount(tx: ReadTx): number {
    return this.#on(tx).pendingCount.get() ?? 0;
  }

  frozenBaseRevision(tx: ReadTx, outboxId: string): number | null | undefined {
    return this.#on(tx).baseOf.get(outboxId);
  }

  freezeBaseRevision(tx: Tx, outboxId: string, base: number): void {
    this.#on(tx).setBase.run(base, outboxId);
  }

  scheduleRetry(
    tx: Tx,
    outboxId: string,
    attempts: number,
    nextAttemptAt: number,
    error: string,
  ): void {
    this.#on(tx).retry.run(attempts, nextAttemptAt, error, outboxId);
  }

  makePendingDue(tx: Tx): void {
    this.#on(tx).makeDue.run();
  }

  forgetDelivery(tx: Tx, outboxId: string): void {
    this.#on(tx).deleteOutbox.run(outboxId);
  }

  parkDelivery(
    tx: Tx,
    outboxId: string,
    state: 'conflict' | 'failed',
    attempts: number,
    error: string,
  ): void {
    this.#on(tx).park.run(state, attempts, error, outboxId);
  }

  /** What the server last said of a local set (a delivery's answer or a pulled review). */
  rememberServerSet(tx: Tx, set: ServerSet): void {
    this.#on(tx).upsertSyncSet.run(set.setId, set.serverSetId, set.revision, set.status, set.at);
  }

  serverRevision(tx: ReadTx, setId: string): number | undefined {
    return this.#on(tx).serverRevision.get(setId);
  }

  serverSetIdOf(tx: ReadTx, setId: string): string | null | undefined {
    return this.#on(tx).serverSetIdOf.get(setId);
  }

  localSetOfServerSet(tx: ReadTx, serverSetId: string): string | undefined {
    return this.#on(tx).setByServerId.get(serverSetId);
  }

  /** The annotator's oldest set on the clip with this sha256 (or manifest checksum). */
  localSetOfClipRef(tx: ReadTx, clipRef: string, annotator: string): string | undefined {
    return this.#on(tx).setByClipRef.get(clipRef, clipRef, annotator);
  }

  recordConflict(tx: Tx, conflict: NewConflict): void {
    this.#on(tx).insertConflict.run(
      conflict.outboxId,
      conflict.setId,
      conflict.code,
      conflict.message,
      conflict.localJson,
      conflict.serverJson,
      conflict.serverRevision,
      conflict.at,
    );
  }

  openConflicts(tx: ReadTx): ConflictRow[] {
    return this.#on(tx).conflicts.all();
  }

  dismissConflict(tx: Tx, conflictId: number, at: string): boolean {
    return this.#on(tx).resolveConflict.run(at, conflictId).changes > 0;
  }

  state(tx: ReadTx, key: string): string | undefined {
    return this.#on(tx).getState.get(key);
  }

  saveState(tx: Tx, key: string, value: string): void {
    this.#on(tx).setState.run(key, value);
  }

  /** Pulled review events about the clip, newest first (their payload carries the reason). */
  reviewEventsOfClip(tx: ReadTx, clipRef: string): string[] {
    return this.#on(tx).reviewEventsOfClip.all(clipRef);
  }

  /** Keeps a pulled event once; false when its key was already received. */
  receiveEvent(tx: Tx, event: ReceivedEvent): boolean {
    const s = this.#on(tx);
    return (
      s.insertInbox.run(event.eventKey, event.kind, event.clipRef, event.payloadJson, event.at)
        .changes > 0
    );
  }

  /**
   * Withdrawal: queued deliveries, conflict copies and what the server said of the clip's sets,
   * and every pulled event about the clip (a review event carries its comments' text).
   */
  purgeClip(tx: Tx, clip: WithdrawnClip): number {
    const s = this.#on(tx);
    let rows = 0;
    for (const setId of clip.setIds) {
      rows += s.deleteOutboxOfSet.run(setId).changes;
      rows += s.deleteConflictsOfSet.run(setId).changes;
      rows += s.deleteSyncSet.run(setId).changes;
    }
    if (clip.sha256 !== null) {
      rows += s.deleteInboxOfClip.run(clip.sha256).changes;
      rows += s.deleteTeamSetsOfClip.run(clip.sha256).changes;
    }
    return rows;
  }

  /** Stores a pulled team set unless the copy here is as new; true when it wrote. */
  saveTeamSet(tx: Tx, row: TeamSetRow): boolean {
    return this.#on(tx).upsertTeamSet.run(row).changes > 0;
  }

  removeTeamSet(tx: Tx, serverSetId: string): number {
    return this.#on(tx).deleteTeamSet.run(serverSetId).changes;
  }

  /** Every `sync_state` entry whose key starts with `prefix`, by key. */
  statesWithPrefix(tx: ReadTx, prefix: string): { key: string; value: string }[] {
    return this.#on(tx).statesFrom.all(prefix, `${prefix}\uffff`);
  }

  teamSetCount(tx: ReadTx): number {
    return this.#on(tx).teamSetCount.get() ?? 0;
  }
}

/** A set of the lead's projects as pulled (`sync_team_sets`). */
export type TeamSetRow = {
  server_set_id: string;
  server: string;
  clip_ref: string;
  project_id: string;
  annotator: string;
  reviewers_json: string;
  status: string;
  revision: number;
  labels_json: string;
  project_json: string | null;
  change_seq: number;
  updated_at: string;
  pulled_at: string;
};

function prepareStatements(db: Database) {
  const prepare = <P extends unknown[] | object, R = unknown>(sql: string): Statement<P, R> =>
    db.prepare<P, R>(sql);
  // Read-only joins into labels' `annotation_sets` and media's `clips`: the sender needs each
  // queued row with its clip's id and checksum in delivery order, and one join is the only sane
  // way to list them. Nothing here writes those tables.
  const OUTBOX_COLUMNS = /* sql */ `
    o.seq, o.id, o.kind, o.set_id, s.clip_id, coalesce(c.sha256, c.expected_sha256) AS clip_ref,
    o.payload_json, o.base_revision, o.attempts, o.next_attempt_at, o.last_error`;
  return {
    insertOutbox: prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO sync_outbox (id, kind, set_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?)`),
    pending: prepare<[number], OutboxRow>(/* sql */ `
      SELECT ${OUTBOX_COLUMNS} FROM sync_outbox o
      JOIN annotation_sets s ON s.id = o.set_id JOIN clips c ON c.id = s.clip_id
      WHERE o.state = 'pending' ORDER BY o.seq LIMIT ?`),
    failedAttempts: prepare<[], OutboxRow & { created_at: string }>(/* sql */ `
      SELECT ${OUTBOX_COLUMNS}, o.created_at FROM sync_outbox o
      JOIN annotation_sets s ON s.id = o.set_id JOIN clips c ON c.id = s.clip_id
      WHERE o.state = 'pending' AND o.last_error IS NOT NULL ORDER BY o.seq`),
    pendingCount: prepare<[], number>(
      "SELECT count(*) FROM sync_outbox WHERE state = 'pending'",
    ).pluck(),
    baseOf: prepare<[string], number | null>(
      'SELECT base_revision FROM sync_outbox WHERE id = ?',
    ).pluck(),
    setBase: prepare<[number, string]>('UPDATE sync_outbox SET base_revision = ? WHERE id = ?'),
    serverRevision: prepare<[string], number>(
      'SELECT server_revision FROM sync_sets WHERE set_id = ?',
    ).pluck(),
    deleteOutbox: prepare<[string]>('DELETE FROM sync_outbox WHERE id = ?'),
    serverSetIdOf: prepare<[string], string | null>(
      'SELECT server_set_id FROM sync_sets WHERE set_id = ?',
    ).pluck(),
    deleteOutboxOfSet: prepare<[string]>('DELETE FROM sync_outbox WHERE set_id = ?'),
    deleteConflictsOfSet: prepare<[string]>('DELETE FROM sync_conflicts WHERE set_id = ?'),
    deleteSyncSet: prepare<[string]>('DELETE FROM sync_sets WHERE set_id = ?'),
    deleteInboxOfClip: prepare<[string]>('DELETE FROM sync_inbox WHERE clip_ref = ?'),
    upsertSyncSet: prepare<[string, string, number, string, string]>(/* sql */ `
      INSERT INTO sync_sets (set_id, server_set_id, server_revision, server_status, updated_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (set_id) DO UPDATE SET server_set_id = excluded.server_set_id,
        server_revision = excluded.server_revision, server_status = excluded.server_status,
        updated_at = excluded.updated_at`),
    retry: prepare<[number, number, string, string]>(
      'UPDATE sync_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
    ),
    makeDue: prepare<[]>(
      "UPDATE sync_outbox SET next_attempt_at = 0 WHERE state = 'pending' AND next_attempt_at > 0",
    ),
    park: prepare<[string, number, string, string]>(
      'UPDATE sync_outbox SET state = ?, attempts = ?, last_error = ? WHERE id = ?',
    ),
    insertConflict: prepare<
      [string, string, string, string, string, string | null, number | null, string]
    >(/* sql */ `
      INSERT INTO sync_conflicts
        (outbox_id, set_id, code, message, local_json, server_json, server_revision, recorded_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    // Read-only join into labels' `annotation_sets`, for the clip each open conflict is about.
    conflicts: prepare<[], ConflictRow>(/* sql */ `
      SELECT k.id, k.outbox_id, k.set_id, s.clip_id, k.code, k.message, k.local_json,
        k.server_json, k.server_revision, k.recorded_at
      FROM sync_conflicts k JOIN annotation_sets s ON s.id = k.set_id
      WHERE k.resolved_at IS NULL ORDER BY k.id`),
    resolveConflict: prepare<[string, number]>(
      'UPDATE sync_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL',
    ),
    reviewEventsOfClip: prepare<[string], string>(/* sql */ `
      SELECT payload_json FROM sync_inbox WHERE kind = 'review' AND clip_ref = ?
      ORDER BY received_at DESC, rowid DESC`).pluck(),
    upsertTeamSet: prepare<TeamSetRow>(/* sql */ `
      INSERT INTO sync_team_sets (server_set_id, server, clip_ref, project_id, annotator,
        reviewers_json, status, revision, labels_json, project_json, change_seq, updated_at,
        pulled_at)
      VALUES (@server_set_id, @server, @clip_ref, @project_id, @annotator, @reviewers_json,
        @status, @revision, @labels_json, @project_json, @change_seq, @updated_at, @pulled_at)
      ON CONFLICT (server_set_id) DO UPDATE SET server = excluded.server,
        clip_ref = excluded.clip_ref, project_id = excluded.project_id,
        annotator = excluded.annotator, reviewers_json = excluded.reviewers_json,
        status = excluded.status, revision = excluded.revision,
        labels_json = excluded.labels_json, project_json = excluded.project_json,
        change_seq = excluded.change_seq, updated_at = excluded.updated_at,
        pulled_at = excluded.pulled_at
      WHERE excluded.change_seq > sync_team_sets.change_seq`),
    deleteTeamSet: prepare<[string]>('DELETE FROM sync_team_sets WHERE server_set_id = ?'),
    deleteTeamSetsOfClip: prepare<[string]>('DELETE FROM sync_team_sets WHERE clip_ref = ?'),
    teamSetCount: prepare<[], number>('SELECT count(*) FROM sync_team_sets').pluck(),
    getState: prepare<[string], string>('SELECT value FROM sync_state WHERE key = ?').pluck(),
    statesFrom: prepare<[string, string], { key: string; value: string }>(
      'SELECT key, value FROM sync_state WHERE key >= ? AND key < ? ORDER BY key',
    ),
    setState: prepare<[string, string]>(/* sql */ `
      INSERT INTO sync_state (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    insertInbox: prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO sync_inbox (event_key, kind, clip_ref, payload_json, received_at)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING`),
    setByServerId: prepare<[string], string>(
      'SELECT set_id FROM sync_sets WHERE server_set_id = ?',
    ).pluck(),
    // Read-only join into labels' and media's tables: a pulled review names the clip by checksum
    // before this workstation knows the server's set id, and neither owner offers a lookup of
    // "this annotator's oldest set on any clip with this checksum" that one query does not.
    setByClipRef: prepare<[string, string, string], string>(/* sql */ `
      SELECT s.id FROM annotation_sets s JOIN clips c ON c.id = s.clip_id
      WHERE (c.sha256 = ? OR (c.sha256 IS NULL AND c.expected_sha256 = ?)) AND s.annotator = ?
      ORDER BY s.created_at LIMIT 1`).pluck(),
  };
}

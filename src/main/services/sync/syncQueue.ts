import type { Database } from 'better-sqlite3';
import type { SyncEvent } from '../../../shared/api/syncProtocol';
import { AnnotationStatus, LabelsDocument } from '../../../shared/domain/labels';
import type { AnnotationSets } from '../labels/annotationSets';
import type { ServerConsents } from '../governance/serverConsents';
import type { AuditLog } from '../audit/auditLog';
import type { Db, ReadTx, Tx } from '../db/db';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';
import type { WithdrawnClips } from '../governance/consentQueries';

/** What a submit hands the outbox: the document exactly as submitted, with its local version. */
export type SubmitPayload = { labels: LabelsDocument; localRevision: number; seq: number };

export type OutboxItem = {
  seq: number;
  /** The Idempotency-Key. */
  id: string;
  kind: 'submit_set';
  setId: string;
  clipId: string;
  /** The clip's sha256 (computed, or stated by the batch manifest); null while neither is known. */
  clipRef: string | null;
  payload: SubmitPayload;
  baseRevision: number | null;
  attempts: number;
  /** Epoch milliseconds before which the sender leaves the row alone (backoff). */
  nextAttemptAt: number;
  lastError: string | null;
};

export type SyncConflict = {
  id: number;
  outboxId: string;
  setId: string;
  clipId: string;
  code: string;
  message: string;
  /** What this workstation tried to deliver. */
  local: SubmitPayload;
  /** The server's copy at the time, when it sent one. */
  server: unknown;
  serverRevision: number | null;
  recordedAt: string;
};

export type DeliveredSet = { serverSetId: string; revision: number; status: string };

type OutboxRow = {
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

function toItem(row: OutboxRow): OutboxItem {
  if (row.kind !== 'submit_set')
    throw new Error(`Outbox row ${row.id} has unknown kind ${row.kind}`);
  const raw = JSON.parse(row.payload_json) as {
    labels: unknown;
    localRevision: number;
    seq: number;
  };
  return {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    setId: row.set_id,
    clipId: row.clip_id,
    clipRef: row.clip_ref,
    payload: {
      labels: LabelsDocument.parse(raw.labels),
      localRevision: raw.localRevision,
      seq: raw.seq,
    },
    baseRevision: row.base_revision,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
  };
}

/**
 * The workstation's side of sync, over the store's connection: the outbox the submit fills, what
 * the server last said of each set, conflicts, pulled events and the cursor. Every state change
 * that must land together is one transaction, so a crash anywhere leaves a state the sender
 * resumes from: an undelivered row is sent again with the same key, an applied event is not
 * applied twice.
 */
export class SyncQueue implements ClipDataOwner {
  readonly #db: Db;
  readonly #sets: AnnotationSets;
  readonly #audit: AuditLog;
  readonly #s: ReturnType<typeof prepare>;
  /** Governance's: a pulled `consent_recorded` event is handed to it in the event's transaction. */
  readonly #serverConsents: Pick<ServerConsents, 'record'>;

  readonly #withdrawn: WithdrawnClips;

  constructor(deps: {
    db: Db;
    audit: AuditLog;
    labels: AnnotationSets;
    withdrawn: WithdrawnClips;
    serverConsents: Pick<ServerConsents, 'record'>;
  }) {
    this.#db = deps.db;
    this.#sets = deps.labels;
    this.#audit = deps.audit;
    this.#withdrawn = deps.withdrawn;
    this.#s = prepare(deps.db.connection);
    this.#serverConsents = deps.serverConsents;
  }

  /** The server's ids of these local sets, as far as a delivery or a pull told them. */
  serverSetIdsOf(_tx: ReadTx, setIds: readonly string[]): string[] {
    const ids: string[] = [];
    for (const setId of setIds) {
      const id = this.#s.serverSetIdOf.get(setId);
      if (id !== undefined && id !== null) ids.push(id);
    }
    return ids;
  }

  readonly clipTables = ['sync_outbox', 'sync_conflicts', 'sync_sets', 'sync_inbox'] as const;

  /**
   * Withdrawal: queued deliveries, conflict copies and what the server said of the clip's sets,
   * and every pulled event about the clip (a review event carries its comments' text).
   */
  purgeClip(_tx: Tx, clip: WithdrawnClip): number {
    const s = this.#s;
    let rows = 0;
    for (const setId of clip.setIds) {
      rows += s.deleteOutboxOfSet.run(setId).changes;
      rows += s.deleteConflictsOfSet.run(setId).changes;
      rows += s.deleteSyncSet.run(setId).changes;
    }
    if (clip.sha256 !== null) rows += s.deleteInboxOfClip.run(clip.sha256).changes;
    return rows;
  }

  /** Pending rows in delivery order (the sender picks the due ones and keeps each set in order). */
  pending(limit: number): OutboxItem[] {
    return this.#s.pending.all(limit).map(toItem);
  }

  pendingCount(): number {
    return this.#s.pendingCount.get() ?? 0;
  }

  /**
   * The base revision this row is sent with: fixed at its first attempt, so every retry is the
   * same request under the same key even if a later pull moved the set's known revision.
   */
  freezeBaseRevision(outboxId: string, setId: string): number {
    return this.#db.write(() => {
      const frozen = this.#s.baseOf.get(outboxId);
      if (frozen !== undefined && frozen !== null) return frozen;
      const base = this.#s.serverRevision.get(setId) ?? 0;
      this.#s.setBase.run(base, outboxId);
      return base;
    });
  }

  serverRevision(setId: string): number {
    return this.#s.serverRevision.get(setId) ?? 0;
  }

  markDelivered(item: OutboxItem, delivered: DeliveredSet, actor: string): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#s.deleteOutbox.run(item.id);
      this.#s.upsertSyncSet.run(
        item.setId,
        delivered.serverSetId,
        delivered.revision,
        delivered.status,
        at,
      );
      this.#audit.append(
        tx,
        {
          actor,
          action: 'sync.delivered',
          entityType: 'annotation_set',
          entityId: item.setId,
          details: {
            outboxId: item.id,
            serverSetId: delivered.serverSetId,
            revision: delivered.revision,
          },
        },
        at,
      );
    });
  }

  recordRetry(outboxId: string, attempts: number, nextAttemptAt: number, error: string): void {
    this.#s.retry.run(attempts, nextAttemptAt, error, outboxId);
  }

  /**
   * Every pending row due now: the backoff was waiting out a server that did not answer, and a
   * sign-in (possibly to another server) is a reason to try at once. Attempts are kept.
   */
  makePendingDue(): void {
    this.#s.makeDue.run();
  }

  /**
   * Parks a row the server refused for good (409 conflict, or a refusal a retry cannot fix) with
   * both versions; the local set and the payload stay as they are.
   */
  recordConflict(
    item: OutboxItem,
    refusal: {
      state: 'conflict' | 'failed';
      code: string;
      message: string;
      server: unknown;
      serverRevision: number | null;
    },
    actor: string,
  ): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#s.park.run(
        refusal.state,
        item.attempts + 1,
        `${refusal.code}: ${refusal.message}`,
        item.id,
      );
      this.#s.insertConflict.run(
        item.id,
        item.setId,
        refusal.code,
        refusal.message,
        JSON.stringify(item.payload),
        refusal.server === null || refusal.server === undefined
          ? null
          : JSON.stringify(refusal.server),
        refusal.serverRevision,
        at,
      );
      this.#audit.append(
        tx,
        {
          actor,
          action: `sync.${refusal.state}`,
          entityType: 'annotation_set',
          entityId: item.setId,
          details: {
            outboxId: item.id,
            code: refusal.code,
            serverRevision: refusal.serverRevision,
          },
        },
        at,
      );
    });
  }

  listConflicts(): SyncConflict[] {
    return this.#s.conflicts.all().map((row) => ({
      id: row.id,
      outboxId: row.outbox_id,
      setId: row.set_id,
      clipId: row.clip_id,
      code: row.code,
      message: row.message,
      local: JSON.parse(row.local_json) as SubmitPayload,
      server: row.server_json === null ? null : (JSON.parse(row.server_json) as unknown),
      serverRevision: row.server_revision,
      recordedAt: row.recorded_at,
    }));
  }

  /**
   * The user has seen a conflict and dealt with it (compared with the reviewer, resubmitted after
   * changes were requested): it leaves the list. Both versions stay in the table.
   */
  dismissConflict(conflictId: number, actor: string): boolean {
    const at = new Date().toISOString();
    return this.#db.write((tx) => {
      const changed = this.#s.resolveConflict.run(at, conflictId).changes > 0;
      if (changed) {
        this.#audit.append(
          tx,
          {
            actor,
            action: 'sync.conflict_dismissed',
            entityType: 'sync_conflict',
            entityId: String(conflictId),
            details: {},
          },
          at,
        );
      }
      return changed;
    });
  }

  getState(key: string): string | undefined {
    return this.#s.getState.get(key);
  }

  setState(key: string, value: string): void {
    this.#s.setState.run(key, value);
  }

  /**
   * Applies one pulled event and advances the cursor, in one transaction: a crash before the
   * commit pulls it again, after it the inbox key makes a re-pull a no-op. A review outcome moves
   * the local set through the same review cycle the app uses (submitted → in review → verdict).
   * Returns whether the event changed anything here.
   */
  applyEvent(serverKey: string, event: SyncEvent, cursorKey: string, actor: string): boolean {
    const at = new Date().toISOString();
    return this.#db.write((): boolean => {
      this.#s.setState.run(cursorKey, String(event.id));
      // Nothing about a withdrawn clip is stored again (the server may lag behind the
      // withdrawal), the withdrawal event included: sync hands it to governance before this,
      // and consent_withdrawals, not the inbox, is what makes a re-delivery harmless.
      if (this.#withdrawn.isWithdrawn(event.clipRef)) return false;
      const inserted = this.#s.insertInbox.run(
        `${serverKey}#${event.id}`,
        event.kind,
        event.clipRef,
        JSON.stringify(event),
        at,
      );
      if (inserted.changes === 0) return false;
      if (event.kind === 'consent_recorded') {
        return this.#serverConsents.record(event, `${event.recordedBy}@server`, at);
      }
      if (event.kind !== 'review') return true;
      const setId =
        this.#s.setByServerId.get(event.setId) ??
        this.#s.setByClipRef.get(event.clipRef, event.clipRef, actor);
      if (setId === undefined) return false;
      const local = this.#sets.getAnnotationSet(setId);
      if (local === undefined) return false;
      const verdict = AnnotationStatus.parse(event.status);
      const steps: AnnotationStatus[] =
        local.status === 'submitted'
          ? ['in_review', verdict]
          : local.status === 'in_review'
            ? [verdict]
            : [];
      if (steps.length > 0)
        this.#sets.transitionAnnotationSet(setId, steps, `${event.reviewer}@server`);
      this.#s.upsertSyncSet.run(setId, event.setId, event.revision, event.status, at);
      return steps.length > 0;
    });
  }
}

function prepare(db: Database) {
  const OUTBOX_COLUMNS = /* sql */ `
    o.seq, o.id, o.kind, o.set_id, s.clip_id, coalesce(c.sha256, c.expected_sha256) AS clip_ref,
    o.payload_json, o.base_revision, o.attempts, o.next_attempt_at, o.last_error`;
  return {
    pending: db.prepare<[number], OutboxRow>(/* sql */ `
      SELECT ${OUTBOX_COLUMNS} FROM sync_outbox o
      JOIN annotation_sets s ON s.id = o.set_id JOIN clips c ON c.id = s.clip_id
      WHERE o.state = 'pending' ORDER BY o.seq LIMIT ?`),
    pendingCount: db
      .prepare<[], number>("SELECT count(*) FROM sync_outbox WHERE state = 'pending'")
      .pluck(),
    baseOf: db
      .prepare<[string], number | null>('SELECT base_revision FROM sync_outbox WHERE id = ?')
      .pluck(),
    setBase: db.prepare<[number, string]>('UPDATE sync_outbox SET base_revision = ? WHERE id = ?'),
    serverRevision: db
      .prepare<[string], number>('SELECT server_revision FROM sync_sets WHERE set_id = ?')
      .pluck(),
    deleteOutbox: db.prepare<[string]>('DELETE FROM sync_outbox WHERE id = ?'),
    serverSetIdOf: db
      .prepare<[string], string | null>('SELECT server_set_id FROM sync_sets WHERE set_id = ?')
      .pluck(),
    deleteOutboxOfSet: db.prepare<[string]>('DELETE FROM sync_outbox WHERE set_id = ?'),
    deleteConflictsOfSet: db.prepare<[string]>('DELETE FROM sync_conflicts WHERE set_id = ?'),
    deleteSyncSet: db.prepare<[string]>('DELETE FROM sync_sets WHERE set_id = ?'),
    deleteInboxOfClip: db.prepare<[string]>('DELETE FROM sync_inbox WHERE clip_ref = ?'),
    upsertSyncSet: db.prepare<[string, string, number, string, string]>(/* sql */ `
      INSERT INTO sync_sets (set_id, server_set_id, server_revision, server_status, updated_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (set_id) DO UPDATE SET server_set_id = excluded.server_set_id,
        server_revision = excluded.server_revision, server_status = excluded.server_status,
        updated_at = excluded.updated_at`),
    retry: db.prepare<[number, number, string, string]>(
      'UPDATE sync_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?',
    ),
    makeDue: db.prepare(
      "UPDATE sync_outbox SET next_attempt_at = 0 WHERE state = 'pending' AND next_attempt_at > 0",
    ),
    park: db.prepare<[string, number, string, string]>(
      'UPDATE sync_outbox SET state = ?, attempts = ?, last_error = ? WHERE id = ?',
    ),
    insertConflict: db.prepare<
      [string, string, string, string, string, string | null, number | null, string]
    >(/* sql */ `
      INSERT INTO sync_conflicts
        (outbox_id, set_id, code, message, local_json, server_json, server_revision, recorded_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    conflicts: db.prepare<
      [],
      {
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
      }
    >(/* sql */ `
      SELECT k.id, k.outbox_id, k.set_id, s.clip_id, k.code, k.message, k.local_json,
        k.server_json, k.server_revision, k.recorded_at
      FROM sync_conflicts k JOIN annotation_sets s ON s.id = k.set_id
      WHERE k.resolved_at IS NULL ORDER BY k.id`),
    resolveConflict: db.prepare<[string, number]>(
      'UPDATE sync_conflicts SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL',
    ),
    getState: db.prepare<[string], string>('SELECT value FROM sync_state WHERE key = ?').pluck(),
    setState: db.prepare<[string, string]>(/* sql */ `
      INSERT INTO sync_state (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
    insertInbox: db.prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO sync_inbox (event_key, kind, clip_ref, payload_json, received_at)
      VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING`),
    setByServerId: db
      .prepare<[string], string>('SELECT set_id FROM sync_sets WHERE server_set_id = ?')
      .pluck(),
    setByClipRef: db
      .prepare<[string, string, string], string>(
        /* sql */ `
        SELECT s.id FROM annotation_sets s JOIN clips c ON c.id = s.clip_id
        WHERE (c.sha256 = ? OR (c.sha256 IS NULL AND c.expected_sha256 = ?)) AND s.annotator = ?
        ORDER BY s.created_at LIMIT 1`,
      )
      .pluck(),
  };
}

import { randomUUID } from 'node:crypto';
import type { SyncEvent } from '../../../shared/api/syncProtocol';
import { AnnotationStatus, LabelsDocument } from '../../../shared/domain/labels';
import type { AnnotationSets } from '../labels/annotationSets';
import type { ServerConsents } from '../governance/serverConsents';
import type { AuditLog } from '../audit/auditLog';
import type { Db, ReadTx, Tx } from '../db/db';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';
import type { WithdrawnClips } from '../governance/consentQueries';
import type { OutboxRow, SyncRepository } from './syncRepository';
import type { PulledTeamSetsPage } from './teamSetsWire';

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
  readonly #repo: SyncRepository;
  /** Governance's: a pulled `consent_recorded` event is handed to it in the event's transaction. */
  readonly #serverConsents: Pick<ServerConsents, 'record'>;

  readonly #withdrawn: WithdrawnClips;

  constructor(deps: {
    db: Db;
    repository: SyncRepository;
    audit: AuditLog;
    labels: AnnotationSets;
    withdrawn: WithdrawnClips;
    serverConsents: Pick<ServerConsents, 'record'>;
  }) {
    this.#db = deps.db;
    this.#sets = deps.labels;
    this.#audit = deps.audit;
    this.#withdrawn = deps.withdrawn;
    this.#repo = deps.repository;
    this.#serverConsents = deps.serverConsents;
  }

  /** The server's ids of these local sets, as far as a delivery or a pull told them. */
  serverSetIdsOf(tx: ReadTx, setIds: readonly string[]): string[] {
    const ids: string[] = [];
    for (const setId of setIds) {
      const id = this.#repo.serverSetIdOf(tx, setId);
      if (id !== undefined && id !== null) ids.push(id);
    }
    return ids;
  }

  /**
   * The reviewer's word on the clip's latest request for changes (from the pulled review
   * events), or null when none asked for changes.
   */
  latestChangesRequested(clipRef: string): { reason: string; reviewer: string } | null {
    const payloads = this.#db.read((tx) => this.#repo.reviewEventsOfClip(tx, clipRef));
    for (const json of payloads) {
      const event = JSON.parse(json) as { verdict?: string; reason?: string; reviewer?: string };
      if (event.verdict === 'request_changes') {
        return { reason: event.reason ?? '', reviewer: event.reviewer ?? '' };
      }
      if (event.verdict === 'accept') return null;
    }
    return null;
  }

  /** This workstation's set the server knows by `serverSetId`, when a delivery or pull said so. */
  localSetOf(serverSetId: string): string | undefined {
    return this.#db.read((tx) => this.#repo.localSetOfServerSet(tx, serverSetId));
  }

  readonly clipTables = [
    'sync_outbox',
    'sync_conflicts',
    'sync_sets',
    'sync_inbox',
    'sync_team_sets',
  ] as const;

  /**
   * Withdrawal: queued deliveries, conflict copies and what the server said of the clip's sets,
   * and every pulled event about the clip (a review event carries its comments' text).
   */
  purgeClip(tx: Tx, clip: WithdrawnClip): number {
    return this.#repo.purgeClip(tx, clip);
  }

  /** Pending rows in delivery order (the sender picks the due ones and keeps each set in order). */
  pending(limit: number): OutboxItem[] {
    return this.#db.read((tx) => this.#repo.pendingDeliveries(tx, limit)).map(toItem);
  }

  pendingCount(): number {
    return this.#db.read((tx) => this.#repo.pendingDeliveryCount(tx));
  }

  /**
   * The base revision this row is sent with: fixed at its first attempt, so every retry is the
   * same request under the same key even if a later pull moved the set's known revision.
   */
  freezeBaseRevision(outboxId: string, setId: string): number {
    return this.#db.write((tx) => {
      const frozen = this.#repo.frozenBaseRevision(tx, outboxId);
      if (frozen !== undefined && frozen !== null) return frozen;
      const base = this.#repo.serverRevision(tx, setId) ?? 0;
      this.#repo.freezeBaseRevision(tx, outboxId, base);
      return base;
    });
  }

  serverRevision(setId: string): number {
    return this.#db.read((tx) => this.#repo.serverRevision(tx, setId)) ?? 0;
  }

  markDelivered(item: OutboxItem, delivered: DeliveredSet, actor: string): void {
    const at = new Date().toISOString();
    this.#db.write((tx) => {
      this.#repo.forgetDelivery(tx, item.id);
      this.#repo.rememberServerSet(tx, {
        setId: item.setId,
        serverSetId: delivered.serverSetId,
        revision: delivered.revision,
        status: delivered.status,
        at,
      });
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
    this.#db.write((tx) => {
      this.#repo.scheduleRetry(tx, outboxId, attempts, nextAttemptAt, error);
    });
  }

  /**
   * Every pending row due now: the backoff was waiting out a server that did not answer, and a
   * sign-in (possibly to another server) is a reason to try at once. Attempts are kept.
   */
  makePendingDue(): void {
    this.#db.write((tx) => {
      this.#repo.makePendingDue(tx);
    });
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
      this.#repo.parkDelivery(
        tx,
        item.id,
        refusal.state,
        item.attempts + 1,
        `${refusal.code}: ${refusal.message}`,
      );
      this.#repo.recordConflict(tx, {
        outboxId: item.id,
        setId: item.setId,
        code: refusal.code,
        message: refusal.message,
        localJson: JSON.stringify(item.payload),
        serverJson:
          refusal.server === null || refusal.server === undefined
            ? null
            : JSON.stringify(refusal.server),
        serverRevision: refusal.serverRevision,
        at,
      });
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
    return this.#db
      .read((tx) => this.#repo.openConflicts(tx))
      .map((row) => ({
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

  /** Deliveries still queued whose last attempt failed, with why ("CODE: sentence"). */
  failedAttempts(): (OutboxItem & { createdAt: string })[] {
    return this.#db
      .read((tx) => this.#repo.failedAttempts(tx))
      .map((row) => ({ ...toItem(row), createdAt: row.created_at }));
  }

  /**
   * "Retry" on labels the server refused: the refusal leaves the list and the same labels are
   * queued again under a new Idempotency-Key (the server answers a replayed key with its stored
   * refusal). After a revision conflict they go on top of the newest server revision known (the
   * refusal's, or a pulled later one): the person chose to send theirs over it. False when there is no such open refusal.
   */
  retryRefused(conflictId: number, actor: string): boolean {
    const at = new Date().toISOString();
    return this.#db.write((tx) => {
      const conflict = this.#repo.openConflicts(tx).find((c) => c.id === conflictId);
      if (conflict === undefined) return false;
      this.#repo.dismissConflict(tx, conflictId, at);
      this.#repo.forgetDelivery(tx, conflict.outbox_id);
      const id = randomUUID();
      this.#repo.queueDelivery(tx, {
        id,
        kind: 'submit_set',
        setId: conflict.set_id,
        payloadJson: conflict.local_json,
        at,
      });
      // The newest revision known: the refusal's, or a later one a pull brought since.
      const base = Math.max(
        conflict.server_revision ?? 0,
        this.#repo.serverRevision(tx, conflict.set_id) ?? 0,
      );
      if (base > 0) this.#repo.freezeBaseRevision(tx, id, base);
      this.#audit.append(
        tx,
        {
          actor,
          action: 'sync.refusal_retried',
          entityType: 'annotation_set',
          entityId: conflict.set_id,
          details: {
            conflictId,
            refusedOutboxId: conflict.outbox_id,
            outboxId: id,
            code: conflict.code,
            baseRevision: conflict.server_revision,
          },
        },
        at,
      );
      return true;
    });
  }

  /**
   * "Discard" on labels the server refused: nothing is sent; the refusal leaves the list and the
   * parked delivery goes. The local set and both versions in `sync_conflicts` stay.
   */
  discardRefused(conflictId: number, actor: string): boolean {
    const at = new Date().toISOString();
    return this.#db.write((tx) => {
      const conflict = this.#repo.openConflicts(tx).find((c) => c.id === conflictId);
      if (conflict === undefined) return false;
      this.#repo.dismissConflict(tx, conflictId, at);
      this.#repo.forgetDelivery(tx, conflict.outbox_id);
      this.#audit.append(
        tx,
        {
          actor,
          action: 'sync.refusal_discarded',
          entityType: 'annotation_set',
          entityId: conflict.set_id,
          details: { conflictId, outboxId: conflict.outbox_id, code: conflict.code },
        },
        at,
      );
      return true;
    });
  }

  /**
   * The user has seen a conflict and dealt with it (compared with the reviewer, resubmitted after
   * changes were requested): it leaves the list. Both versions stay in the table.
   */
  dismissConflict(conflictId: number, actor: string): boolean {
    const at = new Date().toISOString();
    return this.#db.write((tx) => {
      const changed = this.#repo.dismissConflict(tx, conflictId, at);
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

  /**
   * Stores one page of the lead's pull from `server` and moves its cursor (`cursorKey`) in the same
   * transaction, so a crash repeats the page rather than skipping it. A set with labels replaces an
   * older copy; one without (it left the statuses pulled) drops the copy; a clip whose consent was
   * withdrawn here is never stored again. Returns rows written and removed.
   */
  saveTeamSets(
    server: string,
    page: PulledTeamSetsPage,
    cursorKey: string,
    at = new Date().toISOString(),
  ): { stored: number; removed: number } {
    return this.#db.write((tx) => {
      let stored = 0;
      let removed = 0;
      for (const set of page.sets) {
        if (set.labelsJson === null || set.status === 'in_progress' || set.revision < 1) {
          removed += this.#repo.removeTeamSet(tx, set.setId);
          continue;
        }
        if (this.#withdrawn.isWithdrawn(set.clipRef)) continue;
        const written = this.#repo.saveTeamSet(tx, {
          server_set_id: set.setId,
          server,
          clip_ref: set.clipRef,
          project_id: set.projectId,
          annotator: set.annotator,
          reviewers_json: JSON.stringify(set.reviewers),
          status: set.status,
          revision: set.revision,
          labels_json: set.labelsJson,
          project_json: set.projectJson,
          change_seq: set.changeSeq,
          updated_at: set.updatedAt,
          pulled_at: at,
        });
        if (written) stored += 1;
      }
      this.#repo.saveState(tx, cursorKey, String(page.cursor));
      return { stored, removed };
    });
  }

  /** Every `sync_state` entry under `prefix` (a lead's cached progress per project). */
  statesWithPrefix(prefix: string): { key: string; value: string }[] {
    return this.#db.read((tx) => this.#repo.statesWithPrefix(tx, prefix));
  }

  teamSetCount(): number {
    return this.#db.read((tx) => this.#repo.teamSetCount(tx));
  }

  getState(key: string): string | undefined {
    return this.#db.read((tx) => this.#repo.state(tx, key));
  }

  setState(key: string, value: string): void {
    this.#db.write((tx) => {
      this.#repo.saveState(tx, key, value);
    });
  }

  /**
   * Applies one pulled event and advances the cursor, in one transaction: a crash before the
   * commit pulls it again, after it the inbox key makes a re-pull a no-op. A review outcome moves
   * the local set through the same review cycle the app uses (submitted → in review → verdict).
   * Returns whether the event changed anything here.
   */
  applyEvent(serverKey: string, event: SyncEvent, cursorKey: string, actor: string): boolean {
    const at = new Date().toISOString();
    return this.#db.write((tx): boolean => {
      this.#repo.saveState(tx, cursorKey, String(event.id));
      // Nothing about a withdrawn clip is stored again (the server may lag behind the
      // withdrawal), the withdrawal event included: sync hands it to governance before this,
      // and consent_withdrawals, not the inbox, is what makes a re-delivery harmless.
      if (this.#withdrawn.isWithdrawn(event.clipRef)) return false;
      const received = this.#repo.receiveEvent(tx, {
        eventKey: `${serverKey}#${event.id}`,
        kind: event.kind,
        clipRef: event.clipRef,
        payloadJson: JSON.stringify(event),
        at,
      });
      if (!received) return false;
      if (event.kind === 'consent_recorded') {
        return this.#serverConsents.record(event, `${event.recordedBy}@server`, at);
      }
      if (event.kind !== 'review') return true;
      const setId =
        this.#repo.localSetOfServerSet(tx, event.setId) ??
        this.#repo.localSetOfClipRef(tx, event.clipRef, actor);
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
      // The reviewer's account is the actor, by the name the server knows it (as the signed-in
      // annotator's is): provenance's `reviewers` reads it from here.
      if (steps.length > 0) this.#sets.transitionAnnotationSet(setId, steps, event.reviewer);
      this.#repo.rememberServerSet(tx, {
        setId,
        serverSetId: event.setId,
        revision: event.revision,
        status: event.status,
        at,
      });
      return steps.length > 0;
    });
  }
}

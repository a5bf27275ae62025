import type { AuditVerdict } from '../../../shared/api/governanceSchemas';
import type { ConsentPolicy } from '../../../shared/domain/consentState';
import { type PrivacyReport, privacyReportOf } from '../../../shared/domain/privacyReport';
import { auditTrailOfBatch, type AuditTrailEntry } from '../audit/auditTrail';
import { verifyAuditChain } from '../audit/verifyAuditChain';
import { openDatabase } from '../db/openDatabase';
import type { Store } from '../store/Store';
import { GovernanceError } from './governanceError';
import {
  purgedAnything,
  rewriteWithoutFreedPages,
  withdrawConsent,
  type WithdrawalOutcome,
  type WithdrawalRequest,
} from './withdrawConsent';
import type { EventBus } from '../eventBus';

export type GovernanceDeps = {
  databasePath: string;
  store: Store;
  /** Recorded as the actor when a request names none. */
  actor: string;
  /** Where the proxy service keeps H.264 proxies (purged with their clip). */
  proxyDir: string;
  sqliteNativeBinding?: string;
  /** Where `consentWithdrawn` is pushed to the windows after a purge. */
  events?: EventBus;
  /** How often an unfinished WAL truncate is retried after a purge (default 5 s). */
  checkpointRetryMs?: number;
  /**
   * The copies the team server delivered (#18): a withdrawal deletes the clip's file there too,
   * whichever way it came (pulled from the server or `framewise withdraw`), and says what went.
   */
  deliveredFiles?: {
    purge(clipRef: string): Promise<{ sha256: string | null; sizeBytes: number }[]>;
  };
};

/**
 * Consent withdrawal, the audit chain and privacy reports for one workstation database.
 *
 * Each call opens a connection of its own and closes it: a purge ends with VACUUM and a WAL
 * checkpoint, which must not run inside the store's connection's transactions, and the audit
 * checks read the whole log without holding up the app's writes. Withdrawals run one at a time.
 */
export class GovernanceService {
  readonly #deps: GovernanceDeps;
  #queue: Promise<unknown> = Promise.resolve();
  /** Withdrawals waiting for the next purge run. */
  readonly #pending: {
    request: WithdrawalRequest;
    resolve: (outcome: WithdrawalOutcome) => void;
    reject: (error: unknown) => void;
  }[] = [];
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(deps: GovernanceDeps) {
    this.#deps = deps;
  }

  /**
   * Records a withdrawal and purges the clips it covers (see `withdrawConsent`). This is the call
   * sync makes for a `consent_withdrawn` event pulled from the server:
   * `services.governance.withdrawConsent({ clipRef: event.clipRef, source: 'server', reason:
   * event.reason })` (or `{ consentId }` for a whole consent record, `{ clipId }` for a local
   * clip). A clipRef not imported here yet is remembered and withdraws the clip on import.
   * Re-delivering the same event is harmless (`recorded: false`, nothing changes).
   */
  withdrawConsent(request: WithdrawalRequest): Promise<WithdrawalOutcome> {
    return new Promise<WithdrawalOutcome>((resolve, reject) => {
      this.#pending.push({ request, resolve, reject });
      if (this.#pending.length === 1) this.#queue = this.#queue.then(() => this.#purgePending());
    });
  }

  /**
   * Runs every withdrawal waiting, in arrival order, on one connection, then rewrites the file
   * once: sync may deliver hundreds of events in one pull, and a VACUUM each would rewrite the
   * whole database hundreds of times. Each caller is answered once the rewrite covering its purge
   * is done, so an answer still means "nothing of it is left on disk".
   */
  async #purgePending(): Promise<void> {
    const run = this.#pending.splice(0);
    const done: {
      request: WithdrawalRequest;
      outcome: WithdrawalOutcome;
      resolve: (o: WithdrawalOutcome) => void;
    }[] = [];
    const { store } = this.#deps;
    try {
      for (const item of run) {
        try {
          const outcome = await withdrawConsent(
            store.db,
            store.clipOwners,
            store.audit,
            item.request,
            {
              actor: this.#deps.actor,
              proxyDir: this.#deps.proxyDir,
              vacuum: false,
            },
          );
          done.push({ request: item.request, outcome, resolve: item.resolve });
        } catch (error) {
          item.reject(error);
        }
      }
      const purged = done.flatMap(({ outcome }) => outcome.clips.map((c) => c.clipId));
      if (done.some(({ outcome }) => purgedAnything(outcome))) {
        const rewrite = rewriteWithoutFreedPages(store.db.connection);
        for (const { outcome } of done) {
          if (purgedAnything(outcome)) Object.assign(outcome, rewrite);
        }
        // A reader (a running export, say) kept the -wal from being emptied: its old frames
        // still hold the purged labels, so keep trying until it can be truncated.
        if (!rewrite.walTruncated) this.#scheduleCheckpoint();
        // Labels dropped their in-memory documents in the purge; the renderer holds decoded
        // frames and the open document.
        if (purged.length > 0) {
          const reason = run.map((item) => item.request.reason).find((r) => r !== undefined);
          this.#deps.events?.emit('consentWithdrawn', { clipIds: purged, reason: reason ?? null });
        }
      }
      for (const { outcome, request } of done) await this.#purgeDeliveredFiles(request, outcome);
      for (const { outcome, resolve } of done) resolve(outcome);
    } catch (error) {
      // The rewrite failed: purges may have committed, but none is reported done
      // (a caller already answered with its own failure ignores this second answer).
      for (const item of run) item.reject(error);
    }
  }

  /**
   * Deletes the delivered copies of the clips a withdrawal covers (a clip not imported here yet
   * may still have a partial download), each deletion audited with ids and checksums only.
   */
  async #purgeDeliveredFiles(request: WithdrawalRequest, outcome: WithdrawalOutcome) {
    const files = this.#deps.deliveredFiles;
    if (files === undefined) return;
    const refs = new Set(outcome.clips.map((clip) => clip.sha256));
    if ('clipRef' in request) refs.add(request.clipRef.toLowerCase());
    for (const clipRef of refs) {
      if (clipRef === null) continue;
      const removed = await files.purge(clipRef);
      if (removed.length === 0) continue;
      this.#deps.store.audit.record({
        actor: this.#deps.actor,
        action: 'delivery.file_deleted',
        entityType: 'clip_ref',
        entityId: clipRef,
        details: {
          cause: 'consent_withdrawn',
          consentId: outcome.consentId,
          files: removed.map((file) => ({ sha256: file.sha256, sizeBytes: file.sizeBytes })),
        },
      });
    }
  }

  /**
   * Sets a project's consent policy (the lead's choice): 'lock' refuses edits of clips without
   * valid consent from the next edit on, 'label' allows them (never their export). Audited.
   */
  setConsentPolicy(projectId: string, policy: ConsentPolicy, actor?: string): ConsentPolicy {
    const { store } = this.#deps;
    store.db.write((tx) => {
      const previous = store.labels.setConsentPolicy(tx, projectId, policy);
      if (previous === undefined) {
        throw new GovernanceError(
          'PROJECT_NOT_FOUND',
          `No project ${projectId} on this workstation.`,
        );
      }
      store.audit.append(
        tx,
        {
          actor: actor ?? this.#deps.actor,
          action: 'project.consent_policy',
          entityType: 'project',
          entityId: projectId,
          details: { from: previous, to: policy },
        },
        new Date().toISOString(),
      );
    });
    return policy;
  }

  /**
   * Copies the WAL into the database and truncates it to zero bytes; false while another
   * connection is reading. A purge that could not finish this retries it on a timer by itself.
   */
  finishPurges(): boolean {
    const db = this.#open(false);
    try {
      const rows = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      return rows[0]?.busy === 0;
    } finally {
      db.close();
    }
  }

  /** Stops a pending checkpoint retry; called when the services close. */
  close(): void {
    this.#closed = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
  }

  #scheduleCheckpoint(): void {
    if (this.#closed || this.#retry !== null) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (this.#closed) return;
      let done = false;
      try {
        done = this.finishPurges();
      } catch (error) {
        // Busy past the timeout, or the disk went away: log it and try again, never give up
        // on removing purged bytes.
        console.warn('Finishing a consent purge (WAL truncate) failed; retrying.', error);
      }
      if (!done) this.#scheduleCheckpoint();
    }, this.#deps.checkpointRetryMs ?? 5_000);
    // Never keeps the process alive by itself: the next start's first purge or checkpoint cleans up.
    this.#retry.unref();
  }

  /** Walks the audit log's hash chain; names the first entry that was altered or deleted. */
  verifyAudit(): AuditVerdict {
    const db = this.#open(true);
    try {
      return verifyAuditChain(db);
    } finally {
      db.close();
    }
  }

  /** The audit entries about a batch, its clips and their annotation sets, oldest first. */
  auditTrail(batchId: string): AuditTrailEntry[] {
    this.#batch(batchId);
    const db = this.#open(true);
    try {
      return auditTrailOfBatch(db, batchId);
    } finally {
      db.close();
    }
  }

  privacyReport(batchId: string, at: Date = new Date()): PrivacyReport {
    const batch = this.#batch(batchId);
    return privacyReportOf(batch, this.#deps.store.media.listClips(batchId), at);
  }

  #batch(batchId: string) {
    const batch = this.#deps.store.media.getBatch(batchId);
    if (batch === undefined) {
      throw new GovernanceError(
        'BATCH_NOT_FOUND',
        `No batch ${batchId} in this workstation's database; list batches to find its id.`,
      );
    }
    return batch;
  }

  #open(readonly: boolean) {
    const { sqliteNativeBinding } = this.#deps;
    return openDatabase(this.#deps.databasePath, {
      readonly,
      ...(sqliteNativeBinding ? { nativeBinding: sqliteNativeBinding } : {}),
    });
  }
}

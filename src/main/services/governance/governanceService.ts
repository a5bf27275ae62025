import type { AuditVerdict, PrivacyReport } from '../../../shared/api/governanceSchemas';
import type { ConsentPolicy } from '../../../shared/domain/consentState';
import { appendChainedAudit } from '../audit/appendChainedAudit';
import { privacyReportOf } from '../../../shared/domain/privacyReport';
import { auditTrailOfBatch, type AuditTrailEntry } from '../audit/auditTrail';
import { verifyAuditChain } from '../audit/verifyAuditChain';
import { openDatabase } from '../store/openStore';
import type { Store } from '../store/Store';
import { GovernanceError } from './governanceError';
import { withdrawConsent, type WithdrawalOutcome, type WithdrawalRequest } from './withdrawConsent';

export type GovernanceDeps = {
  databasePath: string;
  store: Store;
  /** Recorded as the actor when a request names none. */
  actor: string;
  /** Where the proxy service keeps H.264 proxies (purged with their clip). */
  proxyDir: string;
  sqliteNativeBinding?: string;
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
    const run = this.#queue.then(async () => {
      const db = this.#open(false);
      try {
        return await withdrawConsent(db, request, {
          actor: this.#deps.actor,
          proxyDir: this.#deps.proxyDir,
        });
      } finally {
        db.close();
      }
    });
    // The queue only orders calls; each caller still receives its own failure.
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Sets a project's consent policy (the lead's choice): 'lock' refuses edits of clips without
   * valid consent from the next edit on, 'label' allows them (never their export). Audited.
   */
  setConsentPolicy(projectId: string, policy: ConsentPolicy, actor?: string): ConsentPolicy {
    const db = this.#open(false);
    try {
      db.transaction(() => {
        const previous = db
          .prepare<[string], string | null>(
            "SELECT json_extract(schema_json, '$.consentPolicy') FROM projects WHERE id = ?",
          )
          .pluck()
          .get(projectId);
        if (previous === undefined) {
          throw new GovernanceError(
            'PROJECT_NOT_FOUND',
            `No project ${projectId} on this workstation.`,
          );
        }
        // The project file as stored, with only this field changed: json_set keeps the rest.
        db.prepare(
          "UPDATE projects SET schema_json = json_set(schema_json, '$.consentPolicy', ?) WHERE id = ?",
        ).run(policy, projectId);
        appendChainedAudit(
          db,
          {
            actor: actor ?? this.#deps.actor,
            action: 'project.consent_policy',
            entityType: 'project',
            entityId: projectId,
            details: { from: previous, to: policy },
          },
          new Date().toISOString(),
        );
      }).immediate();
      return policy;
    } finally {
      db.close();
    }
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
    return privacyReportOf(batch, this.#deps.store.listClips(batchId), at);
  }

  #batch(batchId: string) {
    const batch = this.#deps.store.getBatch(batchId);
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

import type { ConsentRecord } from '../../../shared/domain/consentState';
import type { AuditLog } from '../audit/auditLog';
import type { Db, Tx } from '../db/db';

/** A consent record the lead made on the server for one clip, as a sync event brings it. */
export type ServerConsent = {
  clipRef: string;
  consent: ConsentRecord;
  /** When the lead recorded it (server time, ISO 8601): the later record of a clip counts. */
  recordedAt: string;
  recordedBy: string;
};

/**
 * Consent records from the server, by clip content hash. Each clip keeps the record the lead made
 * last: events may arrive out of order after a restore, and an older record must never replace a
 * newer one (a renewal overwritten by the expired original would lock or, worse, unlock a clip).
 * Read through `CONSENT_COLUMNS`, so the clip list, the edit lock and export all see it.
 */
export class ServerConsents {
  readonly #db: Db;
  readonly #upsert;
  readonly #audit: AuditLog;

  constructor(db: Db, audit: AuditLog) {
    this.#db = db;
    this.#audit = audit;
    this.#upsert = db.connection.prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO server_consents (clip_sha256, consent_json, recorded_at, recorded_by, received_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (clip_sha256) DO UPDATE SET
        consent_json = excluded.consent_json,
        recorded_at = excluded.recorded_at,
        recorded_by = excluded.recorded_by,
        received_at = excluded.received_at
      WHERE excluded.recorded_at > server_consents.recorded_at`);
  }

  /** Stores the record unless a later one is held; true when it changed what the clip reads. */
  record(input: ServerConsent, actor: string, at: string): boolean {
    // Immediate: the audit chain's head must not move between reading it and appending; inside
    // sync's event transaction this is a savepoint of that one.
    return this.#db.write((tx) => this.#record(tx, input, actor, at));
  }

  #record(tx: Tx, input: ServerConsent, actor: string, at: string): boolean {
    const clipRef = input.clipRef.toLowerCase();
    const changed =
      this.#upsert.run(
        clipRef,
        JSON.stringify(input.consent),
        input.recordedAt,
        input.recordedBy,
        at,
      ).changes > 0;
    if (changed) {
      this.#audit.append(
        tx,
        {
          actor,
          action: 'consent.recorded_on_server',
          entityType: 'clip_ref',
          entityId: clipRef,
          details: {
            consentId: input.consent.id,
            scope: input.consent.scope,
            grantedAt: input.consent.grantedAt,
            expiresAt: input.consent.expiresAt,
            recordedBy: input.recordedBy,
            recordedAt: input.recordedAt,
          },
        },
        at,
      );
    }
    return changed;
  }
}

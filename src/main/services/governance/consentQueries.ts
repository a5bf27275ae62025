import type { Database } from 'better-sqlite3';
import { ManifestConsent } from '../../../shared/domain/batchManifest';
import {
  ConsentPolicy,
  consentDay,
  consentStateOf,
  DEFAULT_CONSENT_POLICY,
  mayEditLabels,
  type ClipConsent,
  type ConsentRecord,
  type ConsentWithdrawal,
} from '../../../shared/domain/consentState';
import { StoreError } from '../store/storeError';

type ConsentRow = {
  clip_id: string;
  consent_json: string | null;
  withdrawn_at: string | null;
  withdrawal_source: string | null;
};

/**
 * A clip's consent record and the earliest withdrawal recorded for the clip, its content hash (the
 * server's clipRef) or its consent id, as columns of `clips c JOIN batches b`. The record is the
 * one the lead last recorded on the server for the clip, else its batch manifest's: the server's
 * is the later word (a renewal, or a batch that shipped without one). Export's read-only queries
 * use the same fragment, so the clip list, the lock and export read consent one way.
 */
export const CONSENT_COLUMNS = /* sql */ `
  coalesce(
    (SELECT s.consent_json FROM server_consents s WHERE s.clip_sha256 IN (c.sha256, c.expected_sha256)
      ORDER BY s.recorded_at DESC LIMIT 1),
    json_extract(b.manifest_json, '$.consent')) AS consent_json,
  (SELECT w.withdrawn_at FROM consent_withdrawals w
    WHERE w.clip_id = c.id
       OR (w.consent_id IS NOT NULL AND w.consent_id = json_extract(b.manifest_json, '$.consent.id'))
       OR (w.clip_sha256 IS NOT NULL AND w.clip_sha256 IN (c.sha256, c.expected_sha256))
    ORDER BY w.withdrawn_at LIMIT 1) AS withdrawn_at,
  (SELECT w.source FROM consent_withdrawals w
    WHERE w.clip_id = c.id
       OR (w.consent_id IS NOT NULL AND w.consent_id = json_extract(b.manifest_json, '$.consent.id'))
       OR (w.clip_sha256 IS NOT NULL AND w.clip_sha256 IN (c.sha256, c.expected_sha256))
    ORDER BY w.withdrawn_at LIMIT 1) AS withdrawal_source`;

/**
 * A stored manifest's consent record. The manifest was validated on import, but a record that no
 * longer parses counts as missing: consent must fail closed, never be assumed.
 */
export function consentRecordOf(consentJson: string | null): ConsentRecord | null {
  if (consentJson === null) return null;
  const parsed = ManifestConsent.safeParse(JSON.parse(consentJson));
  return parsed.success ? parsed.data : null;
}

export function withdrawalOf(
  withdrawnAt: string | null,
  source: string | null,
): ConsentWithdrawal | null {
  return withdrawnAt === null ? null : { withdrawnAt, source: source ?? 'local' };
}

/** Reads clips' consent states and enforces a project's consent policy on label edits. */
/**
 * Governance's answer to "was this clip withdrawn here?", by the sha256 the server names clips
 * with. Every module that stores what the server sends about a clip asks it first: a withdrawn
 * clip's data is never stored again after its purge (a server may still list it).
 */
export type WithdrawnClips = { isWithdrawn(clipRef: string): boolean };

export class ConsentQueries implements WithdrawnClips {
  readonly #s: ReturnType<typeof prepare>;
  readonly #today: () => string;

  constructor(db: Database, today: () => string = () => consentDay(new Date())) {
    this.#s = prepare(db);
    this.#today = today;
  }

  /** Undefined for an unknown clip. */
  clipConsent(clipId: string): ClipConsent | undefined {
    const row = this.#s.consentOfClip.get(clipId);
    return row && this.#toConsent(row);
  }

  /** Consent of every clip of a batch, by clip id. */
  batchConsents(batchId: string): Map<string, ClipConsent> {
    const out = new Map<string, ClipConsent>();
    for (const row of this.#s.consentOfBatch.all(batchId)) {
      out.set(row.clip_id, this.#toConsent(row));
    }
    return out;
  }

  /** The project's policy; a project file without the field gets the default. */
  policyOf(projectId: string): ConsentPolicy {
    const value = this.#s.policyOfProject.get(projectId);
    const parsed = ConsentPolicy.safeParse(value);
    return parsed.success ? parsed.data : DEFAULT_CONSENT_POLICY;
  }

  /**
   * Throws `CLIP_LOCKED` when the clip's consent and the project's policy forbid editing its
   * labels; the message says why and what would unlock it.
   */
  assertEditable(clipId: string, projectId: string): void {
    const consent = this.clipConsent(clipId);
    if (consent === undefined) return;
    if (mayEditLabels(consent.state, this.policyOf(projectId))) return;
    throw new StoreError(
      'CLIP_LOCKED',
      consent.state === 'withdrawn'
        ? `This clip is locked: ${consent.message} Its labels are removed from this workstation.`
        : `This clip is locked: ${consent.message} The project allows labeling only clips with ` +
            'valid consent; ask the team lead for a valid consent record.',
    );
  }

  isWithdrawn(clipRef: string): boolean {
    return this.#s.withdrawnHere.get({ ref: clipRef.toLowerCase() }) !== undefined;
  }

  /** Throws `CLIP_LOCKED` for a withdrawn clip: no new labels may be started on it. */
  assertNotWithdrawn(clipId: string): void {
    const consent = this.clipConsent(clipId);
    if (consent?.state !== 'withdrawn') return;
    throw new StoreError(
      'CLIP_LOCKED',
      `This clip is locked: ${consent.message} It can no longer be labeled.`,
    );
  }

  #toConsent(row: ConsentRow): ClipConsent {
    return consentStateOf(
      consentRecordOf(row.consent_json),
      withdrawalOf(row.withdrawn_at, row.withdrawal_source),
      this.#today(),
    );
  }
}

function prepare(db: Database) {
  return {
    consentOfClip: db.prepare<[string], ConsentRow>(/* sql */ `
      SELECT c.id AS clip_id, ${CONSENT_COLUMNS}
      FROM clips c JOIN batches b ON b.id = c.batch_id WHERE c.id = ?`),
    consentOfBatch: db.prepare<[string], ConsentRow>(/* sql */ `
      SELECT c.id AS clip_id, ${CONSENT_COLUMNS}
      FROM clips c JOIN batches b ON b.id = c.batch_id WHERE c.batch_id = ?`),
    withdrawnHere: db.prepare<{ ref: string }, 1>(/* sql */ `
      SELECT 1 FROM consent_withdrawals w
      WHERE w.clip_sha256 = @ref
        OR w.clip_id IN (SELECT id FROM clips WHERE sha256 = @ref OR expected_sha256 = @ref)
        OR w.consent_id IN (
          SELECT json_extract(b.manifest_json, '$.consent.id') FROM clips c
          JOIN batches b ON b.id = c.batch_id WHERE c.sha256 = @ref OR c.expected_sha256 = @ref)
      LIMIT 1`),
    policyOfProject: db
      .prepare<[string]>(
        "SELECT json_extract(schema_json, '$.consentPolicy') FROM projects WHERE id = ?",
      )
      .pluck(),
  };
}

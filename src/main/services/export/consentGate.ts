import type { ExclusionReason } from '../../../shared/api/exportSchemas';
import type { BatchManifest } from '../../../shared/domain/batchManifest';

export type ConsentVerdict =
  | { ok: true; consent: NonNullable<BatchManifest['consent']> }
  | { ok: false; reason: ExclusionReason; message: string };

/**
 * Whether a clip's consent allows exporting it on `exportDate` (YYYY-MM-DD, UTC). Fails closed:
 * no record, a withdrawn one, one not yet granted, or one whose expiry date is before the export
 * date all refuse, whatever status filter the lead chose. Expiry is inclusive: consent expiring
 * on the export date still covers that day.
 */
export function consentVerdict(
  consent: BatchManifest['consent'] | null,
  exportDate: string,
): ConsentVerdict {
  if (consent === null || consent === undefined) {
    return {
      ok: false,
      reason: 'consent_missing',
      message: 'The batch has no consent record (batch.json "consent"); add it and re-import.',
    };
  }
  if (consent.withdrawn) {
    return {
      ok: false,
      reason: 'consent_withdrawn',
      message: `Consent ${consent.id} was withdrawn by the contributor.`,
    };
  }
  if (consent.expiresAt !== null && consent.expiresAt < exportDate) {
    return {
      ok: false,
      reason: 'consent_expired',
      message: `Consent ${consent.id} expired on ${consent.expiresAt}.`,
    };
  }
  if (consent.grantedAt > exportDate) {
    return {
      ok: false,
      reason: 'consent_not_yet_valid',
      message: `Consent ${consent.id} is granted from ${consent.grantedAt} only.`,
    };
  }
  return { ok: true, consent };
}

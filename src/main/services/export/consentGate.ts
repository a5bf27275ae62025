import type { ExclusionReason } from '../../../shared/api/exportSchemas';
import {
  consentStateOf,
  type ConsentRecord,
  type ConsentState,
  type ConsentWithdrawal,
} from '../../../shared/domain/consentState';

export type ConsentVerdict =
  { ok: true; consent: ConsentRecord } | { ok: false; reason: ExclusionReason; message: string };

const REASONS: Record<Exclude<ConsentState, 'valid'>, ExclusionReason> = {
  missing: 'consent_missing',
  not_yet_valid: 'consent_not_yet_valid',
  expired: 'consent_expired',
  withdrawn: 'consent_withdrawn',
};

/**
 * Whether a clip's consent allows exporting it on `exportDate` (YYYY-MM-DD, UTC): the clip list's
 * and the store's `consentStateOf`, so the three never disagree. Fails closed whatever status
 * filter the lead chose; a recorded withdrawal refuses as the manifest's flag does.
 */
export function consentVerdict(
  consent: ConsentRecord | null | undefined,
  exportDate: string,
  withdrawal: ConsentWithdrawal | null = null,
): ConsentVerdict {
  const state = consentStateOf(consent, withdrawal, exportDate);
  if (state.state === 'valid' && consent) return { ok: true, consent };
  const reason = state.state === 'valid' ? 'consent_missing' : REASONS[state.state];
  return { ok: false, reason, message: state.message };
}

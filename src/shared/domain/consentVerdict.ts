import {
  consentStateOf,
  type ConsentRecord,
  type ConsentState,
  type ConsentWithdrawal,
} from './consentState';

/** Why consent keeps a clip out of an export (the consent reasons of the export report). */
export type ConsentExclusion =
  'consent_missing' | 'consent_not_yet_valid' | 'consent_expired' | 'consent_withdrawn';

export type ConsentVerdict =
  { ok: true; consent: ConsentRecord } | { ok: false; reason: ConsentExclusion; message: string };

const REASONS: Record<Exclude<ConsentState, 'valid'>, ConsentExclusion> = {
  missing: 'consent_missing',
  not_yet_valid: 'consent_not_yet_valid',
  expired: 'consent_expired',
  withdrawn: 'consent_withdrawn',
};

/**
 * Whether a clip's consent allows exporting it on `exportDate` (YYYY-MM-DD, UTC): the clip list's
 * and the store's `consentStateOf`, so they never disagree. Fails closed whatever status filter
 * the lead chose; a recorded withdrawal refuses as the manifest's flag does. The workstation's
 * export and `framewise-server export` both gate with this.
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

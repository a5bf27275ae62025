import { z } from 'zod';
import type { BatchManifest } from './batchManifest';

/**
 * A clip's consent, as the clip list shows it, the store enforces it and export gates on it:
 * - `valid`: a record that covers `today`;
 * - `missing`: no record (no manifest, or a manifest without `consent`);
 * - `not_yet_valid`: a record granted from a later date (kept apart from `missing`, since the
 *   fix differs: wait, or correct the date);
 * - `expired`: the expiry date is before `today` (expiry is inclusive: the expiry day still counts);
 * - `withdrawn`: the manifest says so, or a withdrawal was recorded (locally or from the server).
 */
export const ConsentState = z.enum(['valid', 'missing', 'not_yet_valid', 'expired', 'withdrawn']);
export type ConsentState = z.infer<typeof ConsentState>;

export type ConsentRecord = NonNullable<BatchManifest['consent']>;

/** A withdrawal recorded for the clip or its consent id (the manifest's own flag aside). */
export type ConsentWithdrawal = { withdrawnAt: string; source: string };

/** The state with a sentence that says why, and the consent id when there is a record. */
export const ClipConsent = z.object({
  state: ConsentState,
  consentId: z.string().nullable(),
  message: z.string(),
});
export type ClipConsent = z.infer<typeof ClipConsent>;

/** What a project does with clips whose consent is not valid (withdrawn clips are always locked). */
export const ConsentPolicy = z.enum(['label', 'lock']);
export type ConsentPolicy = z.infer<typeof ConsentPolicy>;

/**
 * The default policy. 'label': a batch can reach a workstation before its consent record does
 * (the lead records consent on the server; the manifest may lack it), and labeling locally
 * discloses nothing, because export refuses every clip without valid consent whatever the policy,
 * and a withdrawal locks and purges the clip whatever the policy. A lead who must not process
 * footage without consent at all sets `consentPolicy: "lock"` on the project.
 */
export const DEFAULT_CONSENT_POLICY: ConsentPolicy = 'label';

/**
 * Fails closed: anything but a record that covers `today` (YYYY-MM-DD, UTC) is not valid.
 * Withdrawal wins over every date check.
 */
export function consentStateOf(
  consent: ConsentRecord | null | undefined,
  withdrawal: ConsentWithdrawal | null,
  today: string,
): ClipConsent {
  if (consent === null || consent === undefined) {
    if (withdrawal !== null) {
      return {
        state: 'withdrawn',
        consentId: null,
        message: `Consent for this clip was withdrawn on ${withdrawal.withdrawnAt.slice(0, 10)}.`,
      };
    }
    return {
      state: 'missing',
      consentId: null,
      message: 'The batch has no consent record (batch.json "consent"); add it and re-import.',
    };
  }
  if (consent.withdrawn || withdrawal !== null) {
    const when = withdrawal === null ? '' : ` on ${withdrawal.withdrawnAt.slice(0, 10)}`;
    return {
      state: 'withdrawn',
      consentId: consent.id,
      message: `Consent ${consent.id} was withdrawn by the contributor${when}.`,
    };
  }
  if (consent.expiresAt !== null && consent.expiresAt < today) {
    return {
      state: 'expired',
      consentId: consent.id,
      message: `Consent ${consent.id} expired on ${consent.expiresAt}.`,
    };
  }
  if (consent.grantedAt > today) {
    return {
      state: 'not_yet_valid',
      consentId: consent.id,
      message: `Consent ${consent.id} is granted from ${consent.grantedAt} only.`,
    };
  }
  return { state: 'valid', consentId: consent.id, message: `Consent ${consent.id} is valid.` };
}

/**
 * Whether labels of a clip in this state may be edited under `policy`: a withdrawn clip never
 * (its labels are being or have been purged), a valid one always, the rest as the policy says.
 */
export function mayEditLabels(state: ConsentState, policy: ConsentPolicy): boolean {
  if (state === 'withdrawn') return false;
  if (state === 'valid') return true;
  return policy === 'label';
}

/** Today as consent dates are written: YYYY-MM-DD in UTC. */
export function consentDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

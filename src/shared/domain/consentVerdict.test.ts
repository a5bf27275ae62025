import { describe, expect, it } from 'vitest';
import { consentVerdict } from './consentVerdict';

const granted = {
  id: 'c-1',
  scope: ['training' as const],
  grantedAt: '2026-01-01',
  expiresAt: '2026-12-31',
  withdrawn: false,
};

describe('consent gate', () => {
  it('refuses a missing record', () => {
    expect(consentVerdict(null, '2026-06-01')).toMatchObject({
      ok: false,
      reason: 'consent_missing',
    });
  });
  it('refuses withdrawn consent even when it has not expired', () => {
    expect(consentVerdict({ ...granted, withdrawn: true }, '2026-06-01')).toMatchObject({
      reason: 'consent_withdrawn',
    });
  });
  it('refuses consent that expired before the export date, and keeps the expiry day itself', () => {
    expect(consentVerdict(granted, '2027-01-01')).toMatchObject({ reason: 'consent_expired' });
    expect(consentVerdict(granted, '2026-12-31')).toMatchObject({ ok: true });
  });
  it('refuses consent granted after the export date', () => {
    expect(consentVerdict(granted, '2025-12-31')).toMatchObject({
      reason: 'consent_not_yet_valid',
    });
  });
  it('accepts consent without an expiry date', () => {
    expect(consentVerdict({ ...granted, expiresAt: null }, '2099-01-01')).toMatchObject({
      ok: true,
    });
  });
});

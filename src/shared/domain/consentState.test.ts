import { describe, expect, it } from 'vitest';
import { consentStateOf, mayEditLabels, type ConsentRecord } from './consentState';

const granted: ConsentRecord = {
  id: 'c-1',
  scope: ['training'],
  grantedAt: '2026-01-01',
  expiresAt: '2026-12-31',
  withdrawn: false,
};
const withdrawal = { withdrawnAt: '2026-03-04T10:00:00.000Z', source: 'server' };

describe('consentStateOf', () => {
  it('is missing without a record', () => {
    expect(consentStateOf(null, null, '2026-06-01')).toMatchObject({
      state: 'missing',
      consentId: null,
    });
  });
  it('is valid inside the granted period, the expiry day included', () => {
    expect(consentStateOf(granted, null, '2026-06-01').state).toBe('valid');
    expect(consentStateOf(granted, null, '2026-12-31').state).toBe('valid');
    expect(consentStateOf(granted, null, '2026-01-01').state).toBe('valid');
  });
  it('is expired the day after the expiry date', () => {
    expect(consentStateOf(granted, null, '2027-01-01')).toMatchObject({
      state: 'expired',
      message: 'Consent c-1 expired on 2026-12-31.',
    });
  });
  it('is not yet valid before the granted date', () => {
    expect(consentStateOf(granted, null, '2025-12-31').state).toBe('not_yet_valid');
  });
  it('is withdrawn when the manifest says so, even before expiry', () => {
    expect(consentStateOf({ ...granted, withdrawn: true }, null, '2026-06-01').state).toBe(
      'withdrawn',
    );
  });
  it('is withdrawn once a withdrawal is recorded, whatever the dates say', () => {
    expect(consentStateOf(granted, withdrawal, '2026-06-01')).toMatchObject({
      state: 'withdrawn',
      consentId: 'c-1',
      message: 'Consent c-1 was withdrawn by the contributor on 2026-03-04.',
    });
    expect(consentStateOf(granted, withdrawal, '2027-06-01').state).toBe('withdrawn');
    expect(consentStateOf(null, withdrawal, '2026-06-01').state).toBe('withdrawn');
  });
  it('accepts a record without expiry far in the future', () => {
    expect(consentStateOf({ ...granted, expiresAt: null }, null, '2099-01-01').state).toBe('valid');
  });
});

describe('mayEditLabels', () => {
  it('never allows a withdrawn clip and always a valid one', () => {
    expect(mayEditLabels('withdrawn', 'label')).toBe(false);
    expect(mayEditLabels('valid', 'lock')).toBe(true);
  });
  it('leaves missing, expired and not-yet-valid clips to the project policy', () => {
    for (const state of ['missing', 'expired', 'not_yet_valid'] as const) {
      expect(mayEditLabels(state, 'label')).toBe(true);
      expect(mayEditLabels(state, 'lock')).toBe(false);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { consentSummary, resolveBatchRef } from './batchRef';

const batches = [
  { id: '6f1c0a2e-0000-4000-8000-000000000001', name: 'kitchen-2026-03' },
  { id: '6f1c0a2e-0000-4000-8000-000000000002', name: 'garage' },
  { id: '6f1c0a2e-0000-4000-8000-000000000003', name: 'garage' },
];

describe('a batch named on the command line', () => {
  it('is found by its id or by its unique name', () => {
    expect(resolveBatchRef(batches, batches[0]?.id ?? '')).toBe(batches[0]?.id);
    expect(resolveBatchRef(batches, 'kitchen-2026-03')).toBe(batches[0]?.id);
  });

  it('refuses a name two batches share, listing their ids', () => {
    expect(() => resolveBatchRef(batches, 'garage')).toThrow(
      expect.objectContaining({
        code: 'AMBIGUOUS_BATCH_NAME',
        message: expect.stringContaining(batches[2]?.id ?? '') as string,
      }),
    );
  });

  it('refuses an unknown id or name and says how to list them', () => {
    expect(() => resolveBatchRef(batches, 'attic')).toThrow(
      expect.objectContaining({
        code: 'BATCH_NOT_FOUND',
        message: expect.stringContaining('framewise batches') as string,
      }),
    );
  });
});

describe('the consent summary of a batch', () => {
  it('counts clips per consent state', () => {
    const state = (s: 'valid' | 'withdrawn') => ({ consent: { state: s } }) as never;
    expect(consentSummary([state('valid'), state('withdrawn'), state('valid')])).toEqual({
      valid: 2,
      withdrawn: 1,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const backoff = { baseMs: 100, capMs: 1_000 };

  it('waits nothing before the first failure', () => {
    expect(backoffDelay(0, backoff, () => 0.99)).toBe(0);
  });

  it('doubles the ceiling per failure up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, backoff, () => 0.999999));
    expect(ceilings).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('draws the whole range from zero (full jitter)', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(0);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(200);
  });
});

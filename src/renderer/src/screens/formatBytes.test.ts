import { describe, expect, it } from 'vitest';
import { formatBytes, percentOf } from './formatBytes';

describe('formatBytes', () => {
  it('reads as people read sizes', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500)).toBe('1.5 kB');
    expect(formatBytes(2_600_000)).toBe('2.6 MB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(20e9)).toBe('20 GB');
  });
});

describe('percentOf', () => {
  it('says 100 only when every byte is here', () => {
    expect(percentOf(0, 200)).toBe(0);
    expect(percentOf(199, 200)).toBe(99);
    expect(percentOf(200, 200)).toBe(100);
    expect(percentOf(0, 0)).toBe(100);
  });
});

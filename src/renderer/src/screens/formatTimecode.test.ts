import { describe, expect, it } from 'vitest';
import { formatTimecode } from './formatTimecode';

describe('formatTimecode', () => {
  it('shows minutes, seconds and milliseconds', () => {
    expect(formatTimecode(0)).toBe('00:00.000');
    expect(formatTimecode(10.01)).toBe('00:10.010');
    expect(formatTimecode(83.4567)).toBe('01:23.457');
  });

  it('rounds up into the next second and minute', () => {
    expect(formatTimecode(59.9996)).toBe('01:00.000');
  });

  it('keeps counting minutes past an hour', () => {
    expect(formatTimecode(3725.5)).toBe('62:05.500');
  });

  it('shows a placeholder for a time that is not one', () => {
    expect(formatTimecode(Number.NaN)).toBe('--:--.---');
  });
});

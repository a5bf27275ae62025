import { describe, expect, it } from 'vitest';
import { formatClockTime, roundCoordinate, roundSeconds } from './exportNumbers';

describe('export numbers', () => {
  it('rounds coordinates to 2 decimals and never writes -0', () => {
    expect(roundCoordinate(12.345678)).toBe(12.35);
    expect(roundCoordinate(-0.001)).toBe(0);
    expect(Object.is(roundCoordinate(-0.001), 0)).toBe(true);
  });

  it('rounds seconds to the microsecond', () => {
    expect(roundSeconds(1 / 3)).toBe(0.333333);
  });

  it('formats HH:mm:ss.SSS, rounding to the millisecond and carrying into hours', () => {
    expect(formatClockTime(0)).toBe('00:00:00.000');
    expect(formatClockTime(1001 / 30000)).toBe('00:00:00.033');
    expect(formatClockTime(3723.4567)).toBe('01:02:03.457');
    expect(formatClockTime(59.9996)).toBe('00:01:00.000');
    expect(formatClockTime(100 * 3600)).toBe('100:00:00.000');
  });

  it('refuses negative or non-finite times', () => {
    expect(() => formatClockTime(-1)).toThrow(RangeError);
    expect(() => formatClockTime(Number.NaN)).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import { coordinateText, formatClockTime, roundCoordinate, roundSeconds } from './exportNumbers';

describe('export numbers', () => {
  it('rounds coordinates to 2 decimals and never writes -0', () => {
    expect(roundCoordinate(12.345678)).toBe(12.35);
    expect(roundCoordinate(-0.001)).toBe(0);
    expect(Object.is(roundCoordinate(-0.001), 0)).toBe(true);
  });

  it('writes a coordinate as String(roundCoordinate(x)) does, for every magnitude and sign', () => {
    const edges = [
      0,
      -0,
      0.005,
      -0.005,
      0.004,
      -0.004,
      0.125,
      1.005,
      2.675,
      0.995,
      99.995,
      -1.5,
      10,
      -100,
      1234.5,
      0.1 + 0.2,
      1e13 + 0.37,
      -1e13,
      1e14,
      1e20,
      1e22,
      -1e300,
      5e-7,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ];
    // A fixed sequence of magnitudes from 1e-3 to 1e7 (pixels, with margin) and both signs.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = [...edges];
    for (let i = 0; i < 20000; i++) values.push((random() - 0.3) * 10 ** (i % 11) * 1e-3);
    for (const value of values) {
      expect(coordinateText(value), String(value)).toBe(String(roundCoordinate(value)));
    }
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

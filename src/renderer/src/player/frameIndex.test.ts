import { describe, expect, it } from 'vitest';
import { frameIndexAtTime, nearestFrameIndex } from './frameIndex';

const cfr30 = Array.from({ length: 10 }, (_, i) => i / 30);
const vfr = [0, 0.04, 0.05, 0.2, 0.21];

describe('nearestFrameIndex', () => {
  it('finds the frame whose timestamp the compositor reported', () => {
    expect(cfr30.map((t) => nearestFrameIndex(cfr30, t))).toEqual(cfr30.map((_, i) => i));
  });

  it('picks the nearer neighbour when the reported time falls between two frames', () => {
    expect(nearestFrameIndex(vfr, 0.12)).toBe(2);
    expect(nearestFrameIndex(vfr, 0.13)).toBe(3);
  });

  it('clamps to the first and last frame', () => {
    expect(nearestFrameIndex(vfr, -1)).toBe(0);
    expect(nearestFrameIndex(vfr, 99)).toBe(4);
  });

  it('has no frame for an empty table', () => {
    expect(nearestFrameIndex([], 0)).toBeNull();
  });
});

describe('frameIndexAtTime', () => {
  it('is the frame whose presentation interval holds the time on variable-rate video', () => {
    expect(frameIndexAtTime(vfr, 0.045)).toBe(1);
    expect(frameIndexAtTime(vfr, 0.19)).toBe(2);
    expect(frameIndexAtTime(vfr, 0.2)).toBe(3);
  });

  it('counts a seek landing a hair before a timestamp as that frame', () => {
    expect(frameIndexAtTime(cfr30, 5 / 30 - 1e-6)).toBe(5);
  });

  it('clamps before the first frame', () => {
    expect(frameIndexAtTime(vfr, -0.5)).toBe(0);
  });
});

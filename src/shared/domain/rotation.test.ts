import { describe, expect, it } from 'vitest';
import { normalizeRotation, rotationFromMatrix } from './rotation';

const ONE = 0x10000;
const W = 0x40000000;

describe('rotationFromMatrix', () => {
  it('reads the identity matrix as upright', () => {
    expect(rotationFromMatrix([ONE, 0, 0, 0, ONE, 0, 0, 0, W])).toBe(0);
  });

  it('reads an iPhone portrait matrix (ffprobe rotation -90) as 90 clockwise', () => {
    expect(rotationFromMatrix([0, ONE, 0, -ONE, 0, 0, 1080 * ONE, 0, W])).toBe(90);
  });

  it('reads upside-down (ffprobe 180) as 180', () => {
    expect(rotationFromMatrix([-ONE, 0, 0, 0, -ONE, 0, 1920 * ONE, 1080 * ONE, W])).toBe(180);
  });

  it('reads ffprobe rotation 90 as 270 clockwise', () => {
    expect(rotationFromMatrix([0, -ONE, 0, ONE, 0, 0, 0, 1920 * ONE, W])).toBe(270);
  });

  it('ignores scale, so plain numbers work too', () => {
    expect(rotationFromMatrix(Int32Array.from([0, 2 * ONE, 0, -2 * ONE, 0, 0, 0, 0, W]))).toBe(90);
    expect(rotationFromMatrix([0, 1, 0, -1, 0, 0, 0, 0, 1])).toBe(90);
  });

  it('snaps a slightly-off angle to the nearest right angle', () => {
    const tenDegrees = (10 * Math.PI) / 180;
    const matrix = [Math.cos(tenDegrees), Math.sin(tenDegrees), 0, 0, 0, 0, 0, 0, 1];
    expect(rotationFromMatrix(matrix)).toBe(0);
    const eightyDegrees = (80 * Math.PI) / 180;
    expect(rotationFromMatrix([Math.cos(eightyDegrees), Math.sin(eightyDegrees)])).toBe(90);
  });

  it('treats a degenerate matrix as upright', () => {
    expect(rotationFromMatrix([0, 0, 0, 0, 0, 0, 0, 0, 0])).toBe(0);
    expect(rotationFromMatrix([])).toBe(0);
  });
});

describe('normalizeRotation', () => {
  it('wraps negative and large angles into [0, 360)', () => {
    expect(normalizeRotation(-90)).toBe(270);
    expect(normalizeRotation(450)).toBe(90);
    expect(normalizeRotation(-360)).toBe(0);
  });

  it('breaks a 45 degree tie toward the larger clockwise angle', () => {
    expect(normalizeRotation(45)).toBe(90);
    expect(normalizeRotation(-45)).toBe(0);
  });

  it('reads non-finite angles as upright', () => {
    expect(normalizeRotation(Number.NaN)).toBe(0);
  });
});

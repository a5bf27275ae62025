import { describe, expect, it } from 'vitest';
import { blurYuv420, DEFAULT_BLUR } from './blurFrame';

/** A 64×32 yuv420p picture of noise, the same every run. */
function noise(): Uint8Array {
  const data = new Uint8Array((64 * 32 * 3) / 2);
  let seed = 7;
  for (let i = 0; i < data.length; i += 1) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = seed & 255;
  }
  return data;
}

function lumaVariance(data: Uint8Array, x0: number, y0: number, x1: number, y1: number): number {
  const values: number[] = [];
  for (let y = y0; y < y1; y += 1)
    for (let x = x0; x < x1; x += 1) values.push(data[y * 64 + x] ?? 0);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

describe.each(['pixelate', 'gaussian'] as const)('blurYuv420 (%s)', (method) => {
  it('flattens the region and leaves every other byte alone', () => {
    const before = noise();
    const after = before.slice();
    const rect = { x: 10, y: 6, width: 20, height: 20 };
    blurYuv420({ data: after, width: 64, height: 32 }, [rect], { ...DEFAULT_BLUR, method });
    expect(lumaVariance(after, 10, 6, 30, 26)).toBeLessThan(
      lumaVariance(before, 10, 6, 30, 26) / 4,
    );
    for (let y = 0; y < 32; y += 1) {
      for (let x = 0; x < 64; x += 1) {
        const inside = x >= 10 && x < 30 && y >= 6 && y < 26;
        if (!inside) expect(after[y * 64 + x]).toBe(before[y * 64 + x]);
      }
    }
    // Chroma outside the rectangle's chroma samples (x 5–14, y 3–12 at half size) is kept too.
    const u = 64 * 32;
    expect(after[u + 0]).toBe(before[u + 0]);
    expect(after[u + 31 + 15 * 32]).toBe(before[u + 31 + 15 * 32]);
  });
});

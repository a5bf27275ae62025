import { describe, expect, it } from 'vitest';
import { agreementFromMatrix, boxIoU, categoricalAgreement, confusionMatrix } from './agreement';

/** Expands a 2 × 2 table [[yes-yes, yes-no], [no-yes, no-no]] into two raters' label lists. */
function raters(table: readonly [readonly [number, number], readonly [number, number]]): {
  a: string[];
  b: string[];
} {
  const a: string[] = [];
  const b: string[] = [];
  const labels = ['yes', 'no'] as const;
  table.forEach((row, i) => {
    row.forEach((count, j) => {
      for (let n = 0; n < count; n++) {
        a.push(labels[i] ?? '');
        b.push(labels[j] ?? '');
      }
    });
  });
  return { a, b };
}

describe("Cohen's kappa against published examples", () => {
  it('gives κ = 0.4 for Wikipedia’s worked example (50 grant proposals, p_o = 0.7, p_e = 0.5)', () => {
    // en.wikipedia.org/wiki/Cohen%27s_kappa, "Simple example": A and B both yes 20, A yes B no 5,
    // A no B yes 10, both no 15.
    const { a, b } = raters([
      [20, 5],
      [10, 15],
    ]);
    const result = categoricalAgreement(a, b, ['yes', 'no']);
    expect(result.n).toBe(50);
    expect(result.accuracy).toBeCloseTo(0.7, 12);
    expect(result.expected).toBeCloseTo(0.5, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
    expect(result.confusion.matrix).toEqual([
      [20, 5],
      [10, 15],
    ]);
  });

  it('gives Wikipedia’s κ = 0.1304 and 0.2593 for two tables with the same 60 % agreement', () => {
    // Same article, "Same percentages but different numbers".
    expect(
      agreementFromMatrix([
        [45, 15],
        [25, 15],
      ]).kappa,
    ).toBeCloseTo(0.1304, 4);
    expect(
      agreementFromMatrix([
        [25, 35],
        [5, 35],
      ]).kappa,
    ).toBeCloseTo(0.2593, 4);
  });
});

describe('categoricalAgreement (by hand)', () => {
  it('computes p_e from both raters’ marginals over several classes', () => {
    // A: 0 0 3 3 4 4, B: 0 3 3 3 4 0. p_o = 4/6; marginals A (2, 2, 2), B (2, 3, 1) over classes
    // 0, 3, 4: p_e = (2·2 + 2·3 + 2·1) / 36 = 1/3; κ = (2/3 − 1/3) / (2/3) = 0.5.
    const result = categoricalAgreement([0, 0, 3, 3, 4, 4], [0, 3, 3, 3, 4, 0], [0, 1, 2, 3, 4]);
    expect(result.accuracy).toBeCloseTo(4 / 6, 12);
    expect(result.expected).toBeCloseTo(1 / 3, 12);
    expect(result.kappa).toBeCloseTo(0.5, 12);
    expect(result.confusion.matrix[0]).toEqual([1, 0, 0, 1, 0]);
  });

  it('skips items either rater left unlabeled', () => {
    const result = categoricalAgreement([1, null, 2, 2], [1, 2, null, 2], [1, 2]);
    expect(result.n).toBe(2);
    expect(result.accuracy).toBe(1);
    expect(result.kappa).toBe(1);
  });

  it('is 1 for perfect agreement and negative for systematic disagreement', () => {
    expect(categoricalAgreement(['x', 'y'], ['x', 'y'], ['x', 'y']).kappa).toBe(1);
    expect(categoricalAgreement(['x', 'y'], ['y', 'x'], ['x', 'y']).kappa).toBe(-1);
  });

  it('has no kappa when both raters used one class throughout (p_e = 1) or nothing is compared', () => {
    const same = categoricalAgreement([0, 0, 0], [0, 0, 0], [0, 1]);
    expect(same.accuracy).toBe(1);
    expect(same.kappa).toBeNull();
    const none = categoricalAgreement([null], [0], [0, 1]);
    expect(none).toMatchObject({ n: 0, accuracy: null, expected: null, kappa: null });
  });

  it('refuses a label outside the classes and lists of different lengths', () => {
    expect(() => confusionMatrix([5], [0], [0, 1])).toThrow(RangeError);
    expect(() => confusionMatrix([0], [0, 1], [0, 1])).toThrow(RangeError);
  });
});

describe('boxIoU', () => {
  it('divides the overlap by the union (by hand: 1 / (4 + 4 − 1))', () => {
    expect(boxIoU({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 1, w: 2, h: 2 })).toBeCloseTo(1 / 7, 12);
  });

  it('is 1 for the same box and the area ratio for a box inside another', () => {
    const box = { x: 5, y: 5, w: 10, h: 4 };
    expect(boxIoU(box, box)).toBe(1);
    expect(boxIoU({ x: 0, y: 0, w: 10, h: 10 }, { x: 2, y: 2, w: 5, h: 5 })).toBe(0.25);
  });

  it('is 0 for boxes that only touch or are apart', () => {
    expect(boxIoU({ x: 0, y: 0, w: 2, h: 2 }, { x: 2, y: 0, w: 2, h: 2 })).toBe(0);
    expect(boxIoU({ x: 0, y: 0, w: 2, h: 2 }, { x: 9, y: 9, w: 1, h: 1 })).toBe(0);
  });
});

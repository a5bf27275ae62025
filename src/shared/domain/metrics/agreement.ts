import type { Rect } from './geometry';

/**
 * Counts of paired labels: `matrix[i][j]` is the number of items the first rater put in
 * `classes[i]` and the second in `classes[j]` (rows: first rater, columns: second).
 */
export type ConfusionMatrix<C> = {
  readonly classes: readonly C[];
  readonly matrix: readonly (readonly number[])[];
};

/**
 * The confusion matrix of two raters over the same items. Items either rater left without a
 * label (`null`) are not counted; a label outside `classes` is a programming error and throws.
 */
export function confusionMatrix<C>(
  first: readonly (C | null)[],
  second: readonly (C | null)[],
  classes: readonly C[],
): ConfusionMatrix<C> {
  if (first.length !== second.length) {
    throw new RangeError(
      `Both raters must label the same items: got ${first.length} and ${second.length}.`,
    );
  }
  const index = new Map<C, number>(classes.map((c, i) => [c, i]));
  const matrix = classes.map(() => new Array<number>(classes.length).fill(0));
  first.forEach((a, n) => {
    const b = second[n] ?? null;
    if (a === null || b === null) return;
    const i = index.get(a);
    const j = index.get(b);
    if (i === undefined || j === undefined) {
      throw new RangeError(`Label ${String(i === undefined ? a : b)} is not one of the classes.`);
    }
    const row = matrix[i] as number[];
    row[j] = (row[j] ?? 0) + 1;
  });
  return { classes, matrix };
}

export type Agreement = {
  /** Items both raters labeled. */
  readonly n: number;
  /** Observed agreement p_o (accuracy of one rater against the other), 0–1; `null` for n = 0. */
  readonly accuracy: number | null;
  /** Chance agreement p_e from the two raters' marginals, 0–1; `null` for n = 0. */
  readonly expected: number | null;
  /**
   * Cohen's kappa, (p_o − p_e) / (1 − p_e) (Cohen, "A coefficient of agreement for nominal
   * scales", 1960). `null` when undefined: no items, or p_e = 1 (both raters used one and the same
   * class throughout, so chance explains everything and there is nothing to correct for).
   */
  readonly kappa: number | null;
};

/** Observed agreement and Cohen's kappa from a confusion matrix. */
export function agreementFromMatrix(matrix: readonly (readonly number[])[]): Agreement {
  const k = matrix.length;
  let n = 0;
  let diagonal = 0;
  const rows = new Array<number>(k).fill(0);
  const columns = new Array<number>(k).fill(0);
  matrix.forEach((row, i) => {
    row.forEach((count, j) => {
      n += count;
      rows[i] = (rows[i] ?? 0) + count;
      columns[j] = (columns[j] ?? 0) + count;
      if (i === j) diagonal += count;
    });
  });
  if (n === 0) return { n, accuracy: null, expected: null, kappa: null };
  const observed = diagonal / n;
  const expected = rows.reduce((sum, r, i) => sum + (r / n) * ((columns[i] ?? 0) / n), 0);
  return {
    n,
    accuracy: observed,
    expected,
    kappa: expected === 1 ? null : (observed - expected) / (1 - expected),
  };
}

/** Confusion matrix, accuracy and Cohen's kappa of two raters' labels of the same items. */
export function categoricalAgreement<C>(
  first: readonly (C | null)[],
  second: readonly (C | null)[],
  classes: readonly C[],
): Agreement & { readonly confusion: ConfusionMatrix<C> } {
  const confusion = confusionMatrix(first, second, classes);
  return { ...agreementFromMatrix(confusion.matrix), confusion };
}

/**
 * Intersection over union of two boxes in continuous pixel coordinates (no "+1" on widths, as
 * cocoapi's `maskUtils.iou` for boxes). 0 when they do not overlap or both are empty.
 */
export function boxIoU(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const intersection = w * h;
  return intersection / (a.w * a.h + b.w * b.h - intersection);
}

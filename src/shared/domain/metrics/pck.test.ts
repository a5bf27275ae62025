import { describe, expect, it } from 'vitest';
import type { LabeledPoints } from './geometry';
import { posePck, trackPck } from './pck';

/** Reference box 10 × 5 from its labeled points, so max(w, h) = 10. */
const reference: LabeledPoints = [{ x: 0, y: 0 }, { x: 10, y: 5 }, { x: 4, y: 2 }, null];

describe('posePck', () => {
  it('thresholds at α × max(w, h) of the reference’s keypoint box', () => {
    const result = posePck(
      reference,
      [
        { x: 0, y: 0 },
        { x: 10, y: 6.9 },
        { x: 7, y: 6 },
        { x: 4, y: 2 },
      ],
      { alpha: 0.2 },
    );
    expect(result?.threshold).toBe(2);
    // Distances 0, 1.9, 5 (a 3-4-5 triangle); the fourth point is not labeled by the reference.
    expect(result?.correct).toEqual([true, true, false, null]);
  });

  it('does not count a point exactly at the threshold (distance < threshold, as mmpose)', () => {
    const result = posePck(reference, [{ x: 0, y: 2 }, null, null, null], { alpha: 0.2 });
    expect(result?.correct[0]).toBe(false);
  });

  it('counts a point the other annotator left unlabeled as wrong', () => {
    expect(posePck(reference, [null, null, null, null], { alpha: 0.5 })?.correct).toEqual([
      false,
      false,
      false,
      null,
    ]);
  });

  it('has no scale, so nothing to compare, with fewer than two distinct reference points', () => {
    expect(posePck([{ x: 3, y: 3 }, null], [{ x: 3, y: 3 }, null], { alpha: 0.1 })).toBeUndefined();
    expect(posePck([null, null], [{ x: 3, y: 3 }, null], { alpha: 0.1 })).toBeUndefined();
  });

  it('uses a given person box instead of the keypoint box', () => {
    const result = posePck(reference, [{ x: 0, y: 3 }, null, null, null], {
      alpha: 0.1,
      boxOf: () => ({ x: 0, y: 0, w: 20, h: 40 }),
    });
    expect(result?.threshold).toBe(4);
    expect(result?.correct[0]).toBe(true);
  });
});

describe('trackPck', () => {
  it('pools every scored point for the total and keeps a rate per point', () => {
    const result = trackPck(
      [
        { frame: 0, reference, other: [{ x: 0, y: 0 }, { x: 10, y: 6.9 }, { x: 7, y: 6 }, null] },
        { frame: 1, reference, other: reference },
        { frame: 2, reference: [null, null, null, null], other: reference },
      ],
      4,
      { alpha: 0.2 },
    );
    expect(result.framesCompared).toBe(2);
    expect(result.pointsCompared).toBe(6);
    expect(result.pck).toBeCloseTo(5 / 6, 12);
    expect(result.perPoint).toEqual([1, 1, 0.5, null]);
  });

  it('is null when no frame can be compared', () => {
    expect(trackPck([], 2, { alpha: 0.1 })).toEqual({
      pck: null,
      perPoint: [null, null],
      pointsCompared: 0,
      framesCompared: 0,
    });
  });
});

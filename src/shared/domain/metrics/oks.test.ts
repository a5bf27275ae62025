import { describe, expect, it } from 'vitest';
import type { LabeledPoints, Point } from './geometry';
import {
  COCO_BODY_SIGMAS,
  COCO_WHOLEBODY_HAND_SIGMAS,
  cocoOks,
  poseOks,
  trackOks,
  type CocoKeypoint,
} from './oks';

/**
 * The toy pose of the cross-check: 17 points, 3 and 4 not labeled, 15 occluded; the detection is
 * offset by a few pixels. Values were produced by cocoapi's `computeOks` arithmetic (numpy) on
 * exactly these inputs.
 */
function cocoToy(): { gt: CocoKeypoint[]; dt: Point[] } {
  const gt: CocoKeypoint[] = [];
  const dt: Point[] = [];
  for (let i = 0; i < 17; i++) {
    const x = 100 + 10 * i;
    const y = 200 + 7 * i;
    const v = i === 3 || i === 4 ? 0 : i === 15 ? 1 : 2;
    gt.push(v === 0 ? { x: 0, y: 0, v } : { x, y, v });
    dt.push({ x: x + (i % 5) - 2, y: y + (i % 3) * 2 - 1 });
  }
  return { gt, dt };
}

describe('cocoOks', () => {
  it('uses cocoapi’s sigmas for the 17 COCO keypoints', () => {
    const cocoapi = [
      0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87,
      0.89, 0.89,
    ].map((s) => s / 10);
    expect(COCO_BODY_SIGMAS).toHaveLength(17);
    COCO_BODY_SIGMAS.forEach((s, i) => {
      expect(s).toBeCloseTo(cocoapi[i] ?? NaN, 15);
    });
    expect(COCO_WHOLEBODY_HAND_SIGMAS).toHaveLength(21);
  });

  it('computes e = d² / (2σ)² / s² / 2 per point and averages exp(−e) (by hand)', () => {
    // σ = 0.1 so (2σ)² = 0.04; s² = 50; e = d² / 4: d = 0 gives 1, d = 2 gives e^−1.
    const result = cocoOks(
      {
        keypoints: [
          { x: 10, y: 10, v: 2 },
          { x: 20, y: 20, v: 1 },
        ],
        area: 50,
        bbox: { x: 0, y: 0, w: 30, h: 30 },
      },
      [
        { x: 10, y: 10 },
        { x: 20, y: 22 },
      ],
      [0.1, 0.1],
    );
    expect(result.similarities[0]).toBeCloseTo(1, 12);
    expect(result.similarities[1]).toBeCloseTo(Math.exp(-1), 12);
    expect(result.oks).toBeCloseTo((1 + Math.exp(-1)) / 2, 12);
  });

  it('matches cocoapi’s computeOks on a COCO-17 pose with unlabeled and occluded points', () => {
    const { gt, dt } = cocoToy();
    const result = cocoOks(
      { keypoints: gt, area: 5000, bbox: { x: 100, y: 200, w: 160, h: 112 } },
      dt,
      COCO_BODY_SIGMAS,
    );
    expect(result.oks).toBeCloseTo(0.9455348738279287, 14);
    expect(result.similarities[3]).toBeNull();
    expect(result.similarities[4]).toBeNull();
    expect(result.similarities.filter((s) => s !== null)).toHaveLength(15);
  });

  it('scores against the doubled GT box when the GT labels no point, as cocoapi does', () => {
    const gt = Array.from({ length: 17 }, (): CocoKeypoint => ({ x: 0, y: 0, v: 0 }));
    const dt = Array.from({ length: 17 }, (_, i): Point => ({ x: 50 + 20 * i, y: 180 + 3 * i }));
    const result = cocoOks(
      { keypoints: gt, area: 1200, bbox: { x: 100, y: 200, w: 40, h: 30 } },
      dt,
      COCO_BODY_SIGMAS,
    );
    expect(result.oks).toBeCloseTo(0.36082770216178967, 14);
    expect(result.similarities.every((s) => s !== null)).toBe(true);
  });

  it('gives 1 for a detection identical to the ground truth', () => {
    const { gt } = cocoToy();
    const result = cocoOks(
      { keypoints: gt, area: 5000, bbox: { x: 0, y: 0, w: 1, h: 1 } },
      gt,
      COCO_BODY_SIGMAS,
    );
    expect(result.oks).toBe(1);
  });

  it('refuses keypoint lists that do not match the sigmas', () => {
    expect(() =>
      cocoOks({ keypoints: [], area: 1, bbox: { x: 0, y: 0, w: 1, h: 1 } }, [], [0.1]),
    ).toThrow(RangeError);
  });
});

const sigmas = [0.1, 0.1, 0.1];
/** Reference box 10 × 5, so the default scale s² is 50 and e = d² / 4 as above. */
const reference: LabeledPoints = [{ x: 0, y: 0 }, { x: 10, y: 5 }, null];

describe('poseOks between two annotators', () => {
  it('treats the first annotator as ground truth and scores only the points it labeled', () => {
    const result = poseOks(
      reference,
      [
        { x: 0, y: 0 },
        { x: 10, y: 7 },
        { x: 99, y: 99 },
      ],
      {
        sigmas,
      },
    );
    expect(result?.similarities).toEqual([1, expect.closeTo(Math.exp(-1), 12), null]);
    expect(result?.oks).toBeCloseTo((1 + Math.exp(-1)) / 2, 12);
  });

  it('scores a point the other annotator left unlabeled as exactly 0, even at the origin', () => {
    // cocoapi would read the missing point at (0, 0) and score the reference's (0, 0) point 1.
    const result = poseOks(reference, [null, { x: 10, y: 5 }, null], { sigmas });
    expect(result?.similarities).toEqual([0, 1, null]);
    expect(result?.oks).toBe(0.5);
  });

  it('has nothing to compare when the reference labeled no point', () => {
    expect(poseOks([null, null, null], reference, { sigmas })).toBeUndefined();
  });

  it('averages both directions in symmetric mode', () => {
    const other: LabeledPoints = [{ x: 0, y: 0 }, { x: 10, y: 7 }, null];
    // Backwards the reference box is 10 × 7 (s² = 70): e = 4 / 0.04 / 70 / 2 = 5 / 7.
    const backward = Math.exp(-5 / 7);
    const result = poseOks(reference, other, { sigmas, mode: 'symmetric' });
    expect(result?.similarities[1]).toBeCloseTo((Math.exp(-1) + backward) / 2, 12);
    expect(result?.oks).toBeCloseTo((1 + (Math.exp(-1) + backward) / 2) / 2, 12);
  });

  it('uses the one defined direction in symmetric mode when an annotator labeled nothing', () => {
    const result = poseOks([null, null, null], reference, { sigmas, mode: 'symmetric' });
    expect(result?.oks).toBe(0);
    expect(result?.similarities).toEqual([0, 0, null]);
  });

  it('takes the object scale from areaOf when given', () => {
    const result = poseOks(reference, [{ x: 0, y: 0 }, { x: 10, y: 7 }, null], {
      sigmas,
      areaOf: () => 25,
    });
    expect(result?.similarities[1]).toBeCloseTo(Math.exp(-2), 12);
  });
});

describe('trackOks', () => {
  it('averages per frame and per point over the frames that can be compared', () => {
    const result = trackOks(
      [
        { frame: 3, reference, other: [{ x: 0, y: 0 }, { x: 10, y: 7 }, null] },
        { frame: 4, reference: [null, null, null], other: reference },
        { frame: 5, reference, other: reference },
      ],
      { sigmas },
    );
    expect(result.framesCompared).toBe(2);
    expect(result.perFrame.map((f) => f.frame)).toEqual([3, 5]);
    expect(result.oks).toBeCloseTo(((1 + Math.exp(-1)) / 2 + 1) / 2, 12);
    expect(result.perPoint[0]).toBe(1);
    expect(result.perPoint[1]).toBeCloseTo((Math.exp(-1) + 1) / 2, 12);
    expect(result.perPoint[2]).toBeNull();
  });

  it('is null, not 0, when no frame could be compared', () => {
    const result = trackOks([], { sigmas });
    expect(result.oks).toBeNull();
    expect(result.perPoint).toEqual([null, null, null]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  compareSegmentations,
  editScore,
  f1FromCounts,
  frameAccuracy,
  levenshtein,
  poolSegmentationScores,
  runsFromFrameLabels,
  segmentCounts,
  type FrameLabel,
} from './segmentMetrics';

function seq(spec: readonly (readonly [FrameLabel, number])[]): FrameLabel[] {
  return spec.flatMap(([label, n]) => new Array<FrameLabel>(n).fill(label));
}

/**
 * Toy sequences, `[recognized, groundTruth]`, `null` background. The "MS-TCN" expectations were
 * produced by running yabufarha/ms-tcn `eval.py`'s `f_score`, `edit_score` and the accuracy and
 * pooling of its `main` on the same sequences (with `'background'` for `null`).
 */
const S1 = [
  seq([
    ['a', 3],
    [null, 1],
    ['b', 5],
    ['c', 3],
  ]),
  seq([
    ['a', 4],
    [null, 2],
    ['b', 4],
    ['c', 2],
  ]),
] as const;
/** Two recognized `a` segments whose best match is the same ground-truth segment. */
const S2 = [
  seq([
    ['a', 5],
    [null, 1],
    ['a', 4],
    [null, 3],
  ]),
  seq([
    ['a', 10],
    [null, 1],
    ['a', 2],
  ]),
] as const;
/** Same boundaries, every label wrong. */
const S3 = [
  seq([
    ['b', 4],
    ['a', 4],
    ['b', 4],
  ]),
  seq([
    ['a', 4],
    ['b', 4],
    ['a', 4],
  ]),
] as const;
const S4 = [
  seq([
    ['a', 2],
    ['b', 2],
    ['a', 2],
    ['c', 6],
    [null, 2],
  ]),
  seq([
    ['a', 6],
    ['c', 3],
    ['d', 3],
    [null, 2],
  ]),
] as const;

describe('runsFromFrameLabels', () => {
  it('cuts maximal runs, end exclusive, and drops background', () => {
    expect(runsFromFrameLabels(S1[0])).toEqual([
      { label: 'a', start: 0, end: 3 },
      { label: 'b', start: 4, end: 9 },
      { label: 'c', start: 9, end: 12 },
    ]);
  });

  it('treats extra background labels like null', () => {
    expect(runsFromFrameLabels(['SIL', 'x', 'x', 'SIL'], { background: ['SIL'] })).toEqual([
      { label: 'x', start: 1, end: 3 },
    ]);
  });

  it('has no runs for no frames or only background', () => {
    expect(runsFromFrameLabels([])).toEqual([]);
    expect(runsFromFrameLabels([null, null])).toEqual([]);
  });
});

describe('segment F1 (by hand)', () => {
  it('matches every segment of S1 at IoU 0.5: IoUs are 3/4, 3/6 and 2/3', () => {
    const counts = segmentCounts(runsFromFrameLabels(S1[0]), runsFromFrameLabels(S1[1]), 0.5);
    expect(counts).toEqual({ tp: 3, fp: 0, fn: 0 });
    expect(f1FromCounts(counts)).toBe(100);
  });

  it('uses each ground-truth segment once: a second segment matching it best is a false positive', () => {
    // Recognized [0,5) and [6,10) both overlap ground truth [0,10) best (IoU 0.5 and 0.4); the
    // second is a false positive and ground truth [11,13) is missed: P = R = 1/2, F1 = 50.
    const counts = segmentCounts(runsFromFrameLabels(S2[0]), runsFromFrameLabels(S2[1]), 0.1);
    expect(counts).toEqual({ tp: 1, fp: 1, fn: 1 });
    expect(f1FromCounts(counts)).toBe(50);
  });

  it('needs the same label: no true positive when every label differs', () => {
    const counts = segmentCounts(runsFromFrameLabels(S3[0]), runsFromFrameLabels(S3[1]), 0.1);
    expect(counts).toEqual({ tp: 0, fp: 3, fn: 3 });
    expect(f1FromCounts(counts)).toBe(0);
  });

  it('F1 depends on which annotator is the reference, as in eval.py', () => {
    // X: a [0,8), a [12,13); Y: a [3,5), a [6,14). With Y as ground truth, X's segments match
    // [3,5) (IoU 2/8) and [6,14) (IoU 1/8). With X as ground truth, Y's [6,14) overlaps X's
    // [0,8) best (2/14 > 1/8), which [3,5) already used: a false positive. eval.py agrees.
    const x = runsFromFrameLabels(
      seq([
        ['a', 8],
        [null, 4],
        ['a', 1],
        [null, 1],
      ]),
    );
    const y = runsFromFrameLabels(
      seq([
        [null, 3],
        ['a', 2],
        [null, 1],
        ['a', 8],
      ]),
    );
    expect(segmentCounts(x, y, 0.1)).toEqual({ tp: 2, fp: 0, fn: 0 });
    expect(segmentCounts(y, x, 0.1)).toEqual({ tp: 1, fp: 1, fn: 1 });
  });

  it('counts every recognized segment as a false positive when there is no ground truth', () => {
    expect(segmentCounts([{ label: 'a', start: 0, end: 2 }], [], 0.1)).toEqual({
      tp: 0,
      fp: 1,
      fn: 0,
    });
  });

  it('has no F1 when neither side has a segment', () => {
    expect(f1FromCounts({ tp: 0, fp: 0, fn: 0 })).toBeNull();
  });
});

describe('edit score and accuracy (by hand)', () => {
  it('is the Levenshtein distance of the label sequences over the longer length, × 100', () => {
    expect(levenshtein(['b', 'a', 'b'], ['a', 'b', 'a'])).toBe(2);
    expect(levenshtein(['k', 'i', 't', 't', 'e', 'n'], ['s', 'i', 't', 't', 'i', 'n', 'g'])).toBe(
      3,
    );
    expect(editScore(runsFromFrameLabels(S3[0]), runsFromFrameLabels(S3[1]))).toBeCloseTo(
      100 / 3,
      12,
    );
  });

  it('ignores boundaries: S1 and S2 have the same label order, so edit is 100', () => {
    expect(editScore(runsFromFrameLabels(S1[0]), runsFromFrameLabels(S1[1]))).toBe(100);
    expect(editScore(runsFromFrameLabels(S2[0]), runsFromFrameLabels(S2[1]))).toBe(100);
  });

  it('scores 100 for two labelings without segments', () => {
    expect(editScore([], [])).toBe(100);
  });

  it('counts background frames in frame-wise accuracy', () => {
    // S1: frames 0–2 and 6–8 and 10–11 agree: 8 of 12.
    expect(frameAccuracy(S1[0], S1[1])).toEqual({
      correct: 8,
      total: 12,
      accuracy: (8 / 12) * 100,
    });
    expect(frameAccuracy([], []).accuracy).toBeNull();
  });

  it('refuses labelings of different lengths', () => {
    expect(() => frameAccuracy(['a'], ['a', 'b'])).toThrow(RangeError);
  });
});

describe('against MS-TCN eval.py on the same sequences', () => {
  const cases = [
    {
      name: 'S1',
      pair: S1,
      acc: 66.66666666666667,
      edit: 100,
      counts: [
        [3, 0, 0],
        [3, 0, 0],
        [3, 0, 0],
      ],
    },
    {
      name: 'S2',
      pair: S2,
      acc: 76.92307692307692,
      edit: 100,
      counts: [
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
    },
    {
      name: 'S3',
      pair: S3,
      acc: 0,
      edit: 33.333333333333336,
      counts: [
        [0, 3, 3],
        [0, 3, 3],
        [0, 3, 3],
      ],
    },
    {
      name: 'S4',
      pair: S4,
      acc: 64.28571428571429,
      edit: 25,
      counts: [
        [2, 2, 1],
        [2, 2, 1],
        [1, 3, 2],
      ],
    },
  ] as const;

  for (const c of cases) {
    it(`gives eval.py’s accuracy, edit and tp/fp/fn at 0.1, 0.25, 0.5 for ${c.name}`, () => {
      const scores = compareSegmentations(c.pair[0], c.pair[1]);
      expect(scores.frames.accuracy).toBeCloseTo(c.acc, 12);
      expect(scores.edit).toBeCloseTo(c.edit, 12);
      expect(scores.f1.map((f) => [f.tp, f.fp, f.fn])).toEqual(c.counts);
      expect(scores.f1.map((f) => f.threshold)).toEqual([0.1, 0.25, 0.5]);
    });
  }

  it('pools over videos as eval.py’s main does: Acc, Edit and F1@{0.1, 0.25, 0.5}', () => {
    const pooled = poolSegmentationScores(
      cases.map((c) => compareSegmentations(c.pair[0], c.pair[1])),
    );
    expect(pooled.accuracy).toBeCloseTo(52.94117647058823, 12);
    expect(pooled.edit).toBeCloseTo(64.58333333333334, 12);
    expect(pooled.f1.map((f) => f.f1)).toEqual([
      expect.closeTo(52.17391304347826, 12),
      expect.closeTo(52.17391304347826, 12),
      expect.closeTo(43.47826086956522, 12),
    ]);
  });

  it('gives eval.py’s F1 for S4 alone, where IoU 0.5 drops a match', () => {
    const f1 = compareSegmentations(S4[0], S4[1]).f1.map((f) => f.f1);
    expect(f1).toEqual([
      expect.closeTo(57.14285714285715, 12),
      expect.closeTo(57.14285714285715, 12),
      expect.closeTo(28.571428571428577, 12),
    ]);
  });
});

/**
 * Temporal action segmentation metrics as in Lea et al., "Temporal Convolutional Networks for
 * Action Segmentation and Detection" (CVPR 2017) and the reference evaluation every later paper
 * reuses, yabufarha/ms-tcn `eval.py` (itself adapted from colincsl/TemporalConvolutionalNetworks
 * `metrics.py`). Functions follow that code's behaviour step by step; where it would divide by
 * zero or fail on an empty list, the choice made here is documented on the function.
 *
 * Scores are in percent (0–100), as the literature and `eval.py` report them.
 */

/** A frame's class; `null` is background (never a segment). */
export type FrameLabel = string | number | null;

/** A run of frames with one non-background label: frames [start, end), end exclusive as in `eval.py`. */
export type LabeledRun = {
  readonly label: string | number;
  readonly start: number;
  readonly end: number;
};

export type SegmentationOptions = {
  /** Labels treated as background besides `null` (`eval.py`'s `bg_class`, e.g. `'background'`). */
  readonly background?: readonly (string | number)[];
};

export const DEFAULT_F1_THRESHOLDS: readonly number[] = [0.1, 0.25, 0.5];

/**
 * The segments of a frame-wise labeling: maximal runs of one label, background runs dropped
 * (`get_labels_start_end_time`).
 */
export function runsFromFrameLabels(
  labels: readonly FrameLabel[],
  options: SegmentationOptions = {},
): LabeledRun[] {
  const background = new Set<FrameLabel>([null, ...(options.background ?? [])]);
  const runs: LabeledRun[] = [];
  let start = 0;
  for (let i = 1; i <= labels.length; i++) {
    if (i < labels.length && labels[i] === labels[start]) continue;
    const label = labels[start] ?? null;
    if (label !== null && !background.has(label)) runs.push({ label, start, end: i });
    start = i;
  }
  return runs;
}

export type SegmentCounts = { readonly tp: number; readonly fp: number; readonly fn: number };

/**
 * True positives, false positives and misses at one IoU threshold (`f_score`). Recognized
 * segments are taken in temporal order; each is paired with the ground-truth segment of the same
 * label it overlaps most (the first on a tie) and is a true positive when that IoU is at least
 * `overlap` and that ground-truth segment is not used yet; otherwise it is a false positive, even
 * when another unused ground-truth segment would have passed. Unused ground-truth segments are
 * misses. With no ground-truth segment every recognized one is a false positive (`eval.py` fails
 * on the empty `argmax`). `overlap` must be above 0 (0.1, 0.25, 0.5 in the literature).
 */
export function segmentCounts(
  recognized: readonly LabeledRun[],
  groundTruth: readonly LabeledRun[],
  overlap: number,
): SegmentCounts {
  const used = new Array<boolean>(groundTruth.length).fill(false);
  let tp = 0;
  let fp = 0;
  for (const p of recognized) {
    let best = -1;
    let bestIoU = 0;
    groundTruth.forEach((y, j) => {
      if (y.label !== p.label) return;
      const intersection = Math.min(p.end, y.end) - Math.max(p.start, y.start);
      if (intersection <= 0) return;
      const iou = intersection / (Math.max(p.end, y.end) - Math.min(p.start, y.start));
      if (iou > bestIoU) {
        bestIoU = iou;
        best = j;
      }
    });
    if (best >= 0 && bestIoU >= overlap && used[best] !== true) {
      tp++;
      used[best] = true;
    } else {
      fp++;
    }
  }
  const fn = used.filter((u) => !u).length;
  return { tp, fp, fn };
}

/**
 * F1 in percent from counts, as `eval.py`'s `main` does (precision and recall, then
 * `nan_to_num`, so no true positive gives 0). `null` when there is nothing at all to count (no
 * segment on either side), where `eval.py` would print 0: two empty labelings do not disagree.
 */
export function f1FromCounts(counts: SegmentCounts): number | null {
  const { tp, fp, fn } = counts;
  if (tp + fp + fn === 0) return null;
  if (tp === 0) return 0;
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return ((2 * (precision * recall)) / (precision + recall)) * 100;
}

/** Levenshtein distance between two label sequences (`levenstein` with `norm=False`). */
export function levenshtein(
  a: readonly (string | number)[],
  b: readonly (string | number)[],
): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Segmental edit score in percent: (1 − Levenshtein / max(lengths)) × 100 over the segments'
 * label sequences (`edit_score`). Two labelings without segments score 100 (`eval.py` divides by
 * zero there).
 */
export function editScore(
  recognized: readonly LabeledRun[],
  groundTruth: readonly LabeledRun[],
): number {
  const longest = Math.max(recognized.length, groundTruth.length);
  if (longest === 0) return 100;
  const distance = levenshtein(
    recognized.map((r) => r.label),
    groundTruth.map((r) => r.label),
  );
  return (1 - distance / longest) * 100;
}

export type FrameAccuracy = {
  readonly correct: number;
  readonly total: number;
  /** Percent of frames with the same label, background included; `null` for no frames. */
  readonly accuracy: number | null;
};

/** Frame-wise accuracy (`eval.py`'s `Acc`): background frames count like any other. */
export function frameAccuracy(
  recognized: readonly FrameLabel[],
  groundTruth: readonly FrameLabel[],
): FrameAccuracy {
  assertSameLength(recognized, groundTruth);
  let correct = 0;
  groundTruth.forEach((label, i) => {
    if (recognized[i] === label) correct++;
  });
  const total = groundTruth.length;
  return { correct, total, accuracy: total === 0 ? null : (correct / total) * 100 };
}

function assertSameLength(a: readonly unknown[], b: readonly unknown[]): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `Both labelings must cover the same frames: got ${a.length} and ${b.length} frames.`,
    );
  }
}

export type F1AtThreshold = SegmentCounts & {
  readonly threshold: number;
  readonly f1: number | null;
};

export type SegmentationScores = {
  readonly frames: FrameAccuracy;
  readonly edit: number;
  readonly f1: readonly F1AtThreshold[];
};

/**
 * Accuracy, edit score and F1@{0.1, 0.25, 0.5} of `recognized` against `groundTruth`, two
 * frame-wise labelings of the same frames. Between two annotators, the reference annotator is the
 * ground truth. Accuracy and edit are symmetric in the two; F1 almost always is, but not always,
 * because `eval.py`'s greedy matching walks the recognized segments in time order (see the test
 * "F1 depends on which annotator is the reference").
 */
export function compareSegmentations(
  recognized: readonly FrameLabel[],
  groundTruth: readonly FrameLabel[],
  options: SegmentationOptions & { readonly thresholds?: readonly number[] } = {},
): SegmentationScores {
  const frames = frameAccuracy(recognized, groundTruth);
  const p = runsFromFrameLabels(recognized, options);
  const y = runsFromFrameLabels(groundTruth, options);
  return {
    frames,
    edit: editScore(p, y),
    f1: (options.thresholds ?? DEFAULT_F1_THRESHOLDS).map((threshold) => {
      const counts = segmentCounts(p, y, threshold);
      return { threshold, ...counts, f1: f1FromCounts(counts) };
    }),
  };
}

export type PooledSegmentationScores = {
  /** Frame-pooled accuracy in percent. */
  readonly accuracy: number | null;
  /** Mean edit score over the videos. */
  readonly edit: number | null;
  /** F1 from the counts summed over the videos, per threshold. */
  readonly f1: readonly F1AtThreshold[];
};

/**
 * Pools per-video scores the way `eval.py`'s `main` does over a split: accuracy over all frames,
 * edit as the mean of per-video edit scores, F1 from tp/fp/fn summed over videos. All entries must
 * use the same thresholds.
 */
export function poolSegmentationScores(
  videos: readonly SegmentationScores[],
): PooledSegmentationScores {
  const correct = videos.reduce((s, v) => s + v.frames.correct, 0);
  const total = videos.reduce((s, v) => s + v.frames.total, 0);
  const thresholds = videos[0]?.f1.map((f) => f.threshold) ?? [];
  return {
    accuracy: total === 0 ? null : (correct / total) * 100,
    edit: videos.length === 0 ? null : videos.reduce((s, v) => s + v.edit, 0) / videos.length,
    f1: thresholds.map((threshold, t) => {
      const counts = videos.reduce(
        (c, v) => {
          const f = v.f1[t];
          if (f?.threshold !== threshold) {
            throw new RangeError('Pooled scores must all use the same F1 thresholds.');
          }
          return { tp: c.tp + f.tp, fp: c.fp + f.fp, fn: c.fn + f.fn };
        },
        { tp: 0, fp: 0, fn: 0 },
      );
      return { threshold, ...counts, f1: f1FromCounts(counts) };
    }),
  };
}

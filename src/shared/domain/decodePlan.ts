/**
 * Which coded samples a decoder must be fed to output given frames exactly, and how a clip splits
 * into independently decodable groups (GOPs): the plan a decoded-frame cache follows.
 *
 * Samples are in decode order, as in the MP4 sample table. A frame is a presentation index n; the
 * sample showing it is the one whose frameIndex is n (samples an edit list hides have -1: they are
 * decoded as references but never shown).
 *
 * Decoding starts at a sync sample. ISO/IEC 14496-12 promises that every later sample in decode
 * order decodes correctly from there, but open-GOP encoders (and muxers that mark recovery-point
 * I frames as sync) produce leading pictures: decoded after the sync sample, shown before it, and
 * predicted from the previous GOP. So a sample belongs to the GOP of the latest sync sample before
 * it in decode order that it is not shown before; a leading picture belongs to the GOP before,
 * whose decode then runs past the next sync sample up to it. Closed GOPs (libx264 and phone
 * encoders by default) have no leading pictures and the rule changes nothing.
 *
 * Feeding samples from the GOP's sync sample through the last wanted one in decode order, then
 * flushing, outputs every wanted frame: a frame's references precede it in decode order, and the
 * flush releases whatever reordering still holds back.
 */

export type DecodeColumns = {
  /** Composition time of each decode-order sample, any fixed timescale. */
  readonly cts: readonly number[];
  readonly isSync: readonly boolean[];
  /** Presentation index of each decode-order sample, or -1 if it is never shown. */
  readonly frameIndex: readonly number[];
};

/** One independently decodable group of samples. */
export type Gop = {
  /** Position in the clip's GOP list. */
  index: number;
  /** Decode index of the sync sample decoding starts from. */
  start: number;
  /** Decode index of the last sample any of its frames needs (inclusive). */
  end: number;
  /** Presentation indices of the frames it outputs, ascending (contiguous for ordinary GOPs). */
  frames: readonly number[];
};

export type DecodeIndex = {
  frameCount: number;
  gops: readonly Gop[];
  /** Decode index of the sample that shows frame n. */
  sampleOfFrame: readonly number[];
  /** GOP index of frame n. */
  gopOfFrame: readonly number[];
};

/** Samples to feed, in decode order, to output some frames of one GOP: start..end inclusive. */
export type DecodeRange = { gop: number; start: number; end: number };

export class DecodePlanError extends Error {
  override name = 'DecodePlanError';
}

/** Checks the columns and groups the samples into GOPs; O(samples) for ordinary streams. */
export function buildDecodeIndex(columns: DecodeColumns): DecodeIndex {
  const { cts, isSync, frameIndex } = columns;
  const count = cts.length;
  if (isSync.length !== count || frameIndex.length !== count) {
    throw new DecodePlanError(
      `Sample table columns differ in length (cts ${count}, isSync ${isSync.length}, ` +
        `frameIndex ${frameIndex.length}).`,
    );
  }
  const frameCount = frameIndex.reduce((max, f) => Math.max(max, f + 1), 0);
  const sampleOfFrame = new Array<number>(frameCount).fill(-1);
  for (let i = 0; i < count; i++) {
    const f = frameIndex[i] ?? -1;
    if (f < 0) continue;
    if (!Number.isInteger(f)) throw new DecodePlanError(`Sample ${i} has frame index ${f}.`);
    if (sampleOfFrame[f] !== -1) {
      throw new DecodePlanError(`Frame ${f} is shown by two samples (${sampleOfFrame[f]}, ${i}).`);
    }
    sampleOfFrame[f] = i;
  }
  const missing = sampleOfFrame.indexOf(-1);
  if (missing !== -1) throw new DecodePlanError(`No sample shows frame ${missing}.`);

  const syncs: number[] = [];
  for (let i = 0; i < count; i++) if (isSync[i]) syncs.push(i);
  const gopStartOf = (sample: number): number => {
    // The latest sync sample at or before `sample` that it is not shown before.
    let k = upperBound(syncs, sample) - 1;
    const shownAt = cts[sample] ?? 0;
    while (k >= 0 && (cts[syncs[k] ?? 0] ?? 0) > shownAt) k--;
    return k;
  };

  const gopFrames: number[][] = syncs.map(() => []);
  const gopEnd: number[] = syncs.slice();
  const gopOfFrame = new Array<number>(frameCount).fill(-1);
  for (let i = 0; i < count; i++) {
    const k = gopStartOf(i);
    const f = frameIndex[i] ?? -1;
    if (k < 0) {
      if (f >= 0) {
        throw new DecodePlanError(
          `Frame ${f} (sample ${i}) cannot be decoded: no sync sample precedes it.`,
        );
      }
      continue;
    }
    gopEnd[k] = Math.max(gopEnd[k] ?? i, i);
    if (f < 0) continue;
    gopFrames[k]?.push(f);
    gopOfFrame[f] = k;
  }
  const gops: Gop[] = syncs.map((start, index) => ({
    index,
    start,
    end: gopEnd[index] ?? start,
    frames: (gopFrames[index] ?? []).sort((a, b) => a - b),
  }));
  return { frameCount, gops, sampleOfFrame, gopOfFrame };
}

/** The GOP that outputs frame n. */
export function gopOfFrame(index: DecodeIndex, n: number): Gop {
  const gop = index.gops[index.gopOfFrame[n] ?? -1];
  if (!Number.isInteger(n) || gop === undefined) {
    throw new RangeError(`Frame ${n} is outside this clip's ${index.frameCount} frames.`);
  }
  return gop;
}

/**
 * Samples to feed (then flush) so the decoder outputs every frame in `frames`, which must all
 * belong to one GOP: from its sync sample through the last of them in decode order.
 */
export function decodeRangeFor(index: DecodeIndex, frames: readonly number[]): DecodeRange {
  const first = frames[0];
  if (first === undefined) throw new RangeError('No frames to decode.');
  const gop = gopOfFrame(index, first);
  let end = gop.start;
  for (const f of frames) {
    if (index.gopOfFrame[f] !== gop.index) {
      throw new RangeError(`Frames ${first} and ${f} belong to different GOPs.`);
    }
    end = Math.max(end, index.sampleOfFrame[f] ?? end);
  }
  return { gop: gop.index, start: gop.start, end };
}

/**
 * Every frame of frame n's GOP at or before n in presentation order, with the samples that output
 * them: what stepping backward from n will want next.
 */
export function decodeRangeThrough(index: DecodeIndex, n: number): DecodeRange {
  const gop = gopOfFrame(index, n);
  return decodeRangeFor(
    index,
    gop.frames.filter((f) => f <= n),
  );
}

/**
 * Frames a cache should hold around the playhead at n: up to `ahead` frames in the stepping
 * direction and `behind` frames against it, clipped to the clip, nearest first.
 */
export function framesAround(
  frameCount: number,
  n: number,
  direction: 1 | -1,
  ahead: number,
  behind: number,
): number[] {
  const result: number[] = [];
  if (n >= 0 && n < frameCount) result.push(n);
  const far = Math.max(ahead, behind);
  for (let d = 1; d <= far; d++) {
    const forward = n + d * direction;
    const backward = n - d * direction;
    if (d <= ahead && forward >= 0 && forward < frameCount) result.push(forward);
    if (d <= behind && backward >= 0 && backward < frameCount) result.push(backward);
  }
  return result;
}

/** Splits frames by GOP, GOPs in the order their first frame appears in `frames`. */
export function groupByGop(index: DecodeIndex, frames: readonly number[]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const f of frames) {
    const k = gopOfFrame(index, f).index;
    const group = groups.get(k);
    if (group) group.push(f);
    else groups.set(k, [f]);
  }
  return groups;
}

/** A byte range of the file, end inclusive, and the decode-order samples inside it. */
export type ByteRun = {
  start: number;
  endInclusive: number;
  firstSample: number;
  lastSample: number;
};

/**
 * The byte ranges holding samples first..last (decode order), one per contiguous run in the file.
 * Runs separated by at most `maxGap` bytes (interleaved audio, usually) merge: one request for a
 * few wasted kilobytes beats two round trips.
 */
export function byteRuns(
  offsets: readonly number[],
  sizes: readonly number[],
  first: number,
  last: number,
  maxGap = 0,
): ByteRun[] {
  const runs: ByteRun[] = [];
  let current: ByteRun | undefined;
  for (let i = first; i <= last; i++) {
    const start = offsets[i];
    const size = sizes[i];
    if (start === undefined || size === undefined) {
      throw new RangeError(`Sample ${i} is outside the sample table.`);
    }
    const endInclusive = start + size - 1;
    if (
      current !== undefined &&
      start > current.endInclusive &&
      start - current.endInclusive - 1 <= maxGap
    ) {
      current.endInclusive = Math.max(current.endInclusive, endInclusive);
      current.lastSample = i;
      continue;
    }
    current = { start, endInclusive, firstSample: i, lastSample: i };
    runs.push(current);
  }
  return runs;
}

/** Index of the first element greater than x in an ascending array. */
function upperBound(sorted: readonly number[], x: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] ?? Infinity) <= x) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Which frame of a clip is on screen, from the clip's frame table (presentation timestamps in
 * seconds, ascending). Frame numbers come from the table, never from time × frame rate, so they
 * stay exact on variable-frame-rate video.
 */

/** The frame whose timestamp is nearest `mediaTime`, as `requestVideoFrameCallback` reports it. */
export function nearestFrameIndex(frameTimes: readonly number[], mediaTime: number): number | null {
  if (frameTimes.length === 0 || !Number.isFinite(mediaTime)) return null;
  const after = countBelow(frameTimes, mediaTime);
  if (after === 0) return 0;
  if (after === frameTimes.length) return frameTimes.length - 1;
  const before = after - 1;
  const gapBefore = mediaTime - (frameTimes[before] ?? -Infinity);
  const gapAfter = (frameTimes[after] ?? Infinity) - mediaTime;
  return gapAfter < gapBefore ? after : before;
}

/**
 * The frame whose presentation interval holds `time` (the last frame starting at or before it),
 * for when the element's `currentTime` is all there is. `toleranceSeconds` absorbs the rounding
 * of a seek that lands a hair before the frame's own timestamp.
 */
export function frameIndexAtTime(
  frameTimes: readonly number[],
  time: number,
  toleranceSeconds = 1e-4,
): number | null {
  if (frameTimes.length === 0 || !Number.isFinite(time)) return null;
  const startedAtOrBefore = countAtOrBelow(frameTimes, time + toleranceSeconds);
  return Math.max(0, startedAtOrBefore - 1);
}

/** How many of the ascending `sorted` values are below `value` (binary search). */
function countBelow(sorted: readonly number[], value: number): number {
  return partitionPoint(sorted, (item) => item < value);
}

function countAtOrBelow(sorted: readonly number[], value: number): number {
  return partitionPoint(sorted, (item) => item <= value);
}

function partitionPoint(sorted: readonly number[], isBefore: (item: number) => boolean): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isBefore(sorted[middle] ?? Infinity)) low = middle + 1;
    else high = middle;
  }
  return low;
}

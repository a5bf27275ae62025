/**
 * Frame tables: the presentation time of every frame of a clip, in presentation order, and the
 * lookups a frame-exact player needs on top of them.
 */

/** One coded frame as the sample table lists it: composition time and duration, media units. */
export type SampleTiming = { cts: number; duration: number };

/** One ISO/IEC 14496-12 §8.6.6 edit list entry (elst). */
export type EditListEntry = {
  /** Movie timescale units. */
  segmentDuration: number;
  /** Media timescale units; -1 marks an empty edit (a gap before the media starts). */
  mediaTime: number;
  mediaRateInteger: number;
};

export type PresentationTimes = {
  /** Seconds, presentation order. */
  frameTimes: number[];
  lastFrameDurationSeconds: number;
};

/**
 * Presentation times of the frames a player shows, matching FFmpeg's mov demuxer (what ffprobe
 * reports and what Chromium, which demuxes MP4 with FFmpeg, plays), checked against ffprobe 5.1:
 *
 * - No edit list: pts = cts.
 * - Otherwise only the first non-empty edit counts (phones and encoders write one; multi-segment
 *   edits are editing-suite output we do not promise to match), and empty edits before it delay
 *   the start. Media rate is ignored, as FFmpeg does.
 * - Frames whose cts lies before the edit's media_time, or at or after its end, are dropped:
 *   FFmpeg keeps them for decoding but flags them discard, so they are never shown
 *   (tests/fixtures probe/editcut.mp4: 90 samples, ffprobe shows 57 frames).
 * - The first shown frame lands exactly at the empty-edit offset: FFmpeg shifts a video track back
 *   when its earliest kept frame starts after media_time ("Offset DTS ... to make first pts zero"
 *   in mov_fix_index). With an edit that starts mid-frame this differs from the spec's
 *   pts = cts - media_time, and we follow FFmpeg because that is what the player shows.
 *
 * Arithmetic stays in integer media units (the empty-edit sum rescaled with rounding, like
 * av_rescale) and divides once, so times equal ffprobe's pts * time_base exactly.
 */
export function presentationTimes(
  samples: readonly SampleTiming[],
  timescale: number,
  edits: readonly EditListEntry[],
  movieTimescale: number,
): PresentationTimes {
  if (!(timescale > 0)) throw new RangeError(`Media timescale must be positive, got ${timescale}.`);
  const window = editWindow(edits, timescale, movieTimescale);
  const shown = samples
    .filter((sample) => sample.cts >= window.start && sample.cts < window.end)
    .sort((a, b) => a.cts - b.cts);
  const first = shown[0];
  const last = shown[shown.length - 1];
  if (first === undefined || last === undefined) {
    return { frameTimes: [], lastFrameDurationSeconds: 0 };
  }
  // Without an edit list FFmpeg leaves cts alone; with one, the first shown frame starts the edit.
  const origin = window.fromEditList ? first.cts - window.offset : 0;
  const frameTimes = shown.map((sample) => (sample.cts - origin) / timescale);
  return {
    frameTimes,
    lastFrameDurationSeconds: lastFrameDuration(shown, window.end) / timescale,
  };
}

type EditWindow = { start: number; end: number; offset: number; fromEditList: boolean };

function editWindow(
  edits: readonly EditListEntry[],
  timescale: number,
  movieTimescale: number,
): EditWindow {
  const toMedia = (movieUnits: number): number =>
    movieTimescale > 0 ? Math.round((movieUnits * timescale) / movieTimescale) : 0;
  let emptyUnits = 0;
  for (const edit of edits) {
    if (edit.mediaTime === -1) {
      emptyUnits += edit.segmentDuration;
      continue;
    }
    // A zero segment duration means "to the end of the media" in fragmented files.
    const bounded = edit.segmentDuration > 0 && movieTimescale > 0;
    const end = bounded ? edit.mediaTime + toMedia(edit.segmentDuration) : Infinity;
    return { start: edit.mediaTime, end, offset: toMedia(emptyUnits), fromEditList: true };
  }
  // No edits, or only empty ones: nothing anchors the media, so cts stand as they are.
  return { start: -Infinity, end: Infinity, offset: 0, fromEditList: false };
}

/**
 * The last shown frame lasts its own sample duration, cut short by the edit's end. Some muxers
 * write 0 for the final sample; the gap before it is the best estimate then.
 */
function lastFrameDuration(shown: readonly SampleTiming[], editEnd: number): number {
  const last = shown[shown.length - 1];
  if (last === undefined) return 0;
  const own = Math.min(last.duration, editEnd - last.cts);
  if (own > 0) return own;
  const previous = shown[shown.length - 2];
  return previous === undefined ? 0 : last.cts - previous.cts;
}

/**
 * The time to seek to for frame n: the middle of its presentation interval, so rounding in the
 * player (float seconds, 1/90000 clocks) can never land on a neighbour.
 */
export function seekTimeForFrame(
  frameTimes: readonly number[],
  lastFrameDurationSeconds: number,
  n: number,
): number {
  const start = frameTimes[n];
  if (!Number.isInteger(n) || start === undefined) {
    throw new RangeError(`Frame ${n} is outside this clip's ${frameTimes.length} frames.`);
  }
  const next = frameTimes[n + 1];
  const length = next === undefined ? lastFrameDurationSeconds : next - start;
  return start + length / 2;
}

/**
 * The frame shown at time t: the last frame starting at or before t. Times before the first frame
 * give frame 0 and times past the end give the last frame, the frames a player shows there.
 */
export function frameIndexAtTime(frameTimes: readonly number[], t: number): number {
  if (frameTimes.length === 0)
    throw new RangeError('A clip without frames has no frame at any time.');
  let low = 0;
  let high = frameTimes.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if ((frameTimes[mid] ?? Infinity) <= t) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The frame whose timestamp is nearest `mediaTime`, as `requestVideoFrameCallback` reports the
 * presented frame's pts (to under a microsecond); null for an empty table or a non-finite time.
 */
export function nearestFrameIndex(frameTimes: readonly number[], mediaTime: number): number | null {
  if (frameTimes.length === 0 || !Number.isFinite(mediaTime)) return null;
  const before = frameIndexAtTime(frameTimes, mediaTime);
  const after = Math.min(before + 1, frameTimes.length - 1);
  const gapBefore = Math.abs(mediaTime - (frameTimes[before] ?? Infinity));
  const gapAfter = Math.abs((frameTimes[after] ?? Infinity) - mediaTime);
  return gapAfter < gapBefore ? after : before;
}

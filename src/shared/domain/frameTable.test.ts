import { describe, expect, it } from 'vitest';
import {
  frameIndexAtTime,
  nearestFrameIndex,
  presentationTimes,
  seekTimeForFrame,
} from './frameTable';
import type { SampleTiming } from './frameTable';

/** Decode-order samples of an IBBP-style GOP: cts = dts + ctts, 512 units per frame at 1/15360. */
const reordered: SampleTiming[] = [
  { cts: 1024, duration: 512 }, // I, dts 0
  { cts: 2560, duration: 512 }, // P, dts 512
  { cts: 1536, duration: 512 }, // B, dts 1024
  { cts: 2048, duration: 512 }, // B, dts 1536
];

describe('presentationTimes', () => {
  it('puts B-frames back into presentation order and subtracts the edit media_time', () => {
    const result = presentationTimes(
      reordered,
      15360,
      [{ segmentDuration: 200, mediaTime: 1024, mediaRateInteger: 1 }],
      1000,
    );
    expect(result.frameTimes).toEqual([0, 512 / 15360, 1024 / 15360, 1536 / 15360]);
    expect(result.lastFrameDurationSeconds).toBe(512 / 15360);
  });

  it('keeps cts as they are when there is no edit list', () => {
    const result = presentationTimes(reordered, 15360, [], 1000);
    expect(result.frameTimes).toEqual([1024 / 15360, 1536 / 15360, 2048 / 15360, 2560 / 15360]);
  });

  it('delays the media by the empty edits before the first real one', () => {
    // 500 ms of nothing at movie timescale 1000, then the media from cts 1024.
    const result = presentationTimes(
      reordered,
      15360,
      [
        { segmentDuration: 500, mediaTime: -1, mediaRateInteger: 1 },
        { segmentDuration: 200, mediaTime: 1024, mediaRateInteger: 1 },
      ],
      1000,
    );
    expect(result.frameTimes).toEqual([7680 / 15360, 8192 / 15360, 8704 / 15360, 9216 / 15360]);
  });

  it('rounds the empty edit to media units like av_rescale does', () => {
    // 1/7 s of nothing is 142.857 units at 1/1000: FFmpeg rounds to 143.
    const result = presentationTimes(
      [{ cts: 0, duration: 40 }],
      1000,
      [
        { segmentDuration: 1, mediaTime: -1, mediaRateInteger: 1 },
        { segmentDuration: 7, mediaTime: 0, mediaRateInteger: 1 },
      ],
      7,
    );
    expect(result.frameTimes).toEqual([143 / 1000]);
  });

  it('drops frames before the edit start, which players decode but never show', () => {
    // An edit starting at cts 2048 (a stream-copy cut after the keyframe).
    const result = presentationTimes(
      reordered,
      15360,
      [{ segmentDuration: 1000, mediaTime: 2048, mediaRateInteger: 1 }],
      1000,
    );
    expect(result.frameTimes).toEqual([0, 512 / 15360]);
  });

  it('shifts an edit that starts mid-frame so the first shown frame starts it, as FFmpeg does', () => {
    // media_time 1124 falls inside the frame at cts 1024: that frame is dropped and the frame at
    // 1536 is shown at 0, not at 412 units.
    const result = presentationTimes(
      reordered,
      15360,
      [{ segmentDuration: 1000, mediaTime: 1124, mediaRateInteger: 1 }],
      1000,
    );
    expect(result.frameTimes).toEqual([0, 512 / 15360, 1024 / 15360]);
  });

  it('drops frames at or after the end of the edit and cuts the last duration to it', () => {
    // 80 ms of media from cts 1024 ends at 1024 + 1228.8 → 2253 units: the frame at 2560 is out
    // and the frame at 2048 lasts 205 units.
    const result = presentationTimes(
      reordered,
      15360,
      [{ segmentDuration: 80, mediaTime: 1024, mediaRateInteger: 1 }],
      1000,
    );
    expect(result.frameTimes).toEqual([0, 512 / 15360, 1024 / 15360]);
    expect(result.lastFrameDurationSeconds).toBe(205 / 15360);
  });

  it('gives irregular frame times for variable-frame-rate samples', () => {
    const vfr: SampleTiming[] = [
      { cts: 0, duration: 3000 },
      { cts: 3000, duration: 4500 },
      { cts: 7500, duration: 1500 },
      { cts: 9000, duration: 6000 },
    ];
    const result = presentationTimes(vfr, 90000, [], 1000);
    expect(result.frameTimes).toEqual([0, 3000 / 90000, 7500 / 90000, 9000 / 90000]);
    expect(result.lastFrameDurationSeconds).toBe(6000 / 90000);
  });

  it('falls back to the previous gap when the last sample has no duration', () => {
    const result = presentationTimes(
      [
        { cts: 0, duration: 100 },
        { cts: 100, duration: 0 },
      ],
      1000,
      [],
      1000,
    );
    expect(result.lastFrameDurationSeconds).toBe(0.1);
  });

  it('returns no frames when the edit shows none', () => {
    const result = presentationTimes(
      reordered,
      15360,
      [{ segmentDuration: 10, mediaTime: 99999, mediaRateInteger: 1 }],
      1000,
    );
    expect(result).toEqual({ frameTimes: [], lastFrameDurationSeconds: 0 });
  });
});

describe('seekTimeForFrame', () => {
  const times = [0, 0.1, 0.3];

  it('seeks to the middle of a frame interval', () => {
    expect(seekTimeForFrame(times, 0.05, 0)).toBeCloseTo(0.05, 12);
    expect(seekTimeForFrame(times, 0.05, 1)).toBeCloseTo(0.2, 12);
  });

  it('uses the last frame duration for the last frame', () => {
    expect(seekTimeForFrame(times, 0.05, 2)).toBeCloseTo(0.325, 12);
  });

  it('refuses frames outside the clip', () => {
    expect(() => seekTimeForFrame(times, 0.05, -1)).toThrow(RangeError);
    expect(() => seekTimeForFrame(times, 0.05, 3)).toThrow(RangeError);
    expect(() => seekTimeForFrame(times, 0.05, 0.5)).toThrow(RangeError);
  });
});

describe('frameIndexAtTime', () => {
  const times = [0.5, 0.6, 0.75, 0.8];

  it('finds the frame whose interval holds the time, boundaries included at the start', () => {
    expect(frameIndexAtTime(times, 0.5)).toBe(0);
    expect(frameIndexAtTime(times, 0.599)).toBe(0);
    expect(frameIndexAtTime(times, 0.6)).toBe(1);
    expect(frameIndexAtTime(times, 0.76)).toBe(2);
    expect(frameIndexAtTime(times, 0.8)).toBe(3);
  });

  it('clamps times before the first and after the last frame', () => {
    expect(frameIndexAtTime(times, 0)).toBe(0);
    expect(frameIndexAtTime(times, 99)).toBe(3);
  });

  it('round-trips with seekTimeForFrame for every frame', () => {
    times.forEach((_, n) => {
      expect(frameIndexAtTime(times, seekTimeForFrame(times, 0.04, n))).toBe(n);
    });
  });

  it('refuses an empty table', () => {
    expect(() => frameIndexAtTime([], 0)).toThrow(RangeError);
  });
});

describe('nearestFrameIndex', () => {
  const cfr30 = Array.from({ length: 10 }, (_, i) => i / 30);
  const vfr = [0, 0.04, 0.05, 0.2, 0.21];

  it('finds the frame whose timestamp the compositor reported', () => {
    expect(cfr30.map((t) => nearestFrameIndex(cfr30, t))).toEqual(cfr30.map((_, i) => i));
  });

  it('picks the nearer neighbour when the reported time falls between two frames', () => {
    expect(nearestFrameIndex(vfr, 0.12)).toBe(2);
    expect(nearestFrameIndex(vfr, 0.13)).toBe(3);
    expect(nearestFrameIndex(vfr, 0.0399999)).toBe(1);
  });

  it('clamps to the first and last frame', () => {
    expect(nearestFrameIndex(vfr, -1)).toBe(0);
    expect(nearestFrameIndex(vfr, 99)).toBe(4);
  });

  it('has no frame for an empty table or a time that is not a number', () => {
    expect(nearestFrameIndex([], 0)).toBeNull();
    expect(nearestFrameIndex(vfr, Number.NaN)).toBeNull();
  });
});

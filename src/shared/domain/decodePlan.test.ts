import { describe, expect, it } from 'vitest';
import {
  buildDecodeIndex,
  byteRuns,
  decodeRangeFor,
  decodeRangeThrough,
  DecodePlanError,
  framesAround,
  gopOfFrame,
  groupByGop,
} from './decodePlan';
import type { DecodeColumns } from './decodePlan';

type Coded = { type: 'I' | 'P' | 'B'; frame: number };

/** Decode-order columns from coded pictures: cts = frame, -1 frames hidden by an edit. */
function table(pictures: readonly Coded[], hidden = 0): DecodeColumns {
  return {
    cts: pictures.map((p) => p.frame),
    isSync: pictures.map((p) => p.type === 'I'),
    frameIndex: pictures.map((p) => (p.frame < hidden ? -1 : p.frame - hidden)),
  };
}

const pic = (spec: string): Coded[] =>
  spec.split(' ').map((token) => ({
    type: token.charAt(0) as Coded['type'],
    frame: Number(token.slice(1)),
  }));

// Two closed GOPs, libx264-style: I P B B (b-pyramid off), decode order.
const closed = table(pic('I0 P3 B1 B2 P6 B4 B5 I7 P10 B8 B9'));
// Open GOP: B4 and B5 are decoded after I6 but shown before it, predicted from P3 and I6.
const open = table(pic('I0 P3 B1 B2 I6 B4 B5 P9 B7 B8'));

describe('buildDecodeIndex', () => {
  it('groups closed GOPs at their sync samples and maps frames to decode-order samples', () => {
    const index = buildDecodeIndex(closed);
    expect(index.frameCount).toBe(11);
    expect(index.gops).toEqual([
      { index: 0, start: 0, end: 6, frames: [0, 1, 2, 3, 4, 5, 6] },
      { index: 1, start: 7, end: 10, frames: [7, 8, 9, 10] },
    ]);
    expect(index.sampleOfFrame).toEqual([0, 2, 3, 1, 5, 6, 4, 7, 9, 10, 8]);
    expect(index.gopOfFrame).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('gives leading pictures of an open GOP to the GOP before, whose decode runs past the next sync sample', () => {
    const index = buildDecodeIndex(open);
    expect(index.gops).toEqual([
      { index: 0, start: 0, end: 6, frames: [0, 1, 2, 3, 4, 5] },
      { index: 1, start: 4, end: 9, frames: [6, 7, 8, 9] },
    ]);
    expect(gopOfFrame(index, 5).index).toBe(0);
    expect(gopOfFrame(index, 6).index).toBe(1);
  });

  it('decodes samples an edit hides but never assigns them a frame', () => {
    // The edit starts at cts 2: frames 0 and 1 of the coding are references only.
    const index = buildDecodeIndex(table(pic('I0 P3 B1 B2 P6 B4 B5'), 2));
    expect(index.frameCount).toBe(5);
    expect(index.gops).toEqual([{ index: 0, start: 0, end: 6, frames: [0, 1, 2, 3, 4] }]);
    expect(decodeRangeFor(index, [0])).toEqual({ gop: 0, start: 0, end: 3 });
  });

  it('rejects a frame shown by two samples, a frame no sample shows and columns of different lengths', () => {
    expect(() =>
      buildDecodeIndex({ cts: [0, 1], isSync: [true, false], frameIndex: [0, 0] }),
    ).toThrow(DecodePlanError);
    expect(() =>
      buildDecodeIndex({ cts: [0, 1], isSync: [true, false], frameIndex: [0, 2] }),
    ).toThrow(/No sample shows frame 1/);
    expect(() => buildDecodeIndex({ cts: [0, 1], isSync: [true], frameIndex: [0, 1] })).toThrow(
      /differ in length/,
    );
  });

  it('rejects a shown frame that no sync sample precedes', () => {
    expect(() =>
      buildDecodeIndex({ cts: [0, 1], isSync: [false, true], frameIndex: [0, 1] }),
    ).toThrow(/no sync sample precedes/);
  });

  it('treats every sample as a GOP of its own in an intra-only stream', () => {
    const index = buildDecodeIndex(table(pic('I0 I1 I2')));
    expect(index.gops.map((g) => [g.start, g.end])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });
});

describe('decodeRangeFor', () => {
  const index = buildDecodeIndex(closed);

  it('feeds a reordered B-frame its later-shown reference first', () => {
    // Frame 1 is B1 at decode index 2, after P3: feed I0 P3 B1, then flush.
    expect(decodeRangeFor(index, [1])).toEqual({ gop: 0, start: 0, end: 2 });
  });

  it('feeds a P-frame only what precedes it in decode order, although it is shown later', () => {
    expect(decodeRangeFor(index, [3])).toEqual({ gop: 0, start: 0, end: 1 });
    expect(decodeRangeFor(index, [6])).toEqual({ gop: 0, start: 0, end: 4 });
  });

  it('feeds through the last wanted sample in decode order', () => {
    expect(decodeRangeFor(index, [4, 3, 0])).toEqual({ gop: 0, start: 0, end: 5 });
  });

  it('starts at the sync sample of the later GOP', () => {
    expect(decodeRangeFor(index, [8])).toEqual({ gop: 1, start: 7, end: 9 });
  });

  it('decodes a leading picture from the previous sync sample through the next one', () => {
    const openIndex = buildDecodeIndex(open);
    expect(decodeRangeFor(openIndex, [4])).toEqual({ gop: 0, start: 0, end: 5 });
    expect(decodeRangeFor(openIndex, [6])).toEqual({ gop: 1, start: 4, end: 4 });
  });

  it('refuses frames from two GOPs and no frames at all', () => {
    expect(() => decodeRangeFor(index, [6, 7])).toThrow(/different GOPs/);
    expect(() => decodeRangeFor(index, [])).toThrow(RangeError);
    expect(() => decodeRangeFor(index, [11])).toThrow(/outside this clip's 11 frames/);
  });
});

describe('decodeRangeThrough', () => {
  it('covers every frame of the GOP shown up to n, including B-frames decoded after n', () => {
    const index = buildDecodeIndex(closed);
    // Frames 0..4 of the GOP: B4 (decode index 5) is the last of them in decode order.
    expect(decodeRangeThrough(index, 4)).toEqual({ gop: 0, start: 0, end: 5 });
    expect(decodeRangeThrough(index, 3)).toEqual({ gop: 0, start: 0, end: 3 });
  });
});

describe('framesAround', () => {
  it('lists the playhead, then frames nearest first, more ahead than behind', () => {
    expect(framesAround(100, 50, 1, 3, 1)).toEqual([50, 51, 49, 52, 53]);
    expect(framesAround(100, 50, -1, 3, 1)).toEqual([50, 49, 51, 48, 47]);
  });

  it('clips to the clip', () => {
    expect(framesAround(3, 1, 1, 5, 5)).toEqual([1, 2, 0]);
  });
});

describe('groupByGop', () => {
  it('splits frames by GOP in first-seen order', () => {
    const index = buildDecodeIndex(closed);
    expect([...groupByGop(index, [7, 6, 8, 5])]).toEqual([
      [1, [7, 8]],
      [0, [6, 5]],
    ]);
  });
});

describe('byteRuns', () => {
  const offsets = [100, 110, 130, 200, 210];
  const sizes = [10, 20, 5, 10, 10];

  it('makes one range per contiguous run of samples', () => {
    expect(byteRuns(offsets, sizes, 0, 4)).toEqual([
      { start: 100, endInclusive: 134, firstSample: 0, lastSample: 2 },
      { start: 200, endInclusive: 219, firstSample: 3, lastSample: 4 },
    ]);
  });

  it('merges runs separated by small gaps', () => {
    expect(byteRuns(offsets, sizes, 1, 4, 100)).toEqual([
      { start: 110, endInclusive: 219, firstSample: 1, lastSample: 4 },
    ]);
  });

  it('rejects samples outside the table', () => {
    expect(() => byteRuns(offsets, sizes, 4, 5)).toThrow(RangeError);
  });
});

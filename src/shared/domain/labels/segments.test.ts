import { describe, expect, it } from 'vitest';
import {
  createSegment,
  mergeSegments,
  removeSegment,
  resizeSegment,
  segmentsAt,
  splitSegment,
  updateSegment,
  type Segment,
  type SegmentResult,
  type SegmentRules,
} from './segments';

const rules: SegmentRules = { frameCount: 1000, allowOverlap: false };

function seg(id: string, startFrame: number, endFrame: number, actor = 'wearer'): Segment {
  return { id, startFrame, endFrame, verbId: 1, nounId: 2, actor, note: '' };
}

function ok(result: SegmentResult): readonly Segment[] {
  if (!result.ok) throw new Error(result.error.message);
  return result.segments;
}

const base = [seg('a', 0, 9), seg('b', 20, 29)];

describe('createSegment', () => {
  it('adds a segment, keeping segments ordered by start frame', () => {
    expect(ok(createSegment(base, seg('c', 10, 19), rules)).map((s) => s.id)).toEqual([
      'a',
      'c',
      'b',
    ]);
  });

  it('refuses an overlap in the same actor row, naming both ranges', () => {
    const result = createSegment(base, seg('c', 5, 12), rules);
    expect(result).toMatchObject({ ok: false, error: { code: 'overlap' } });
    expect(!result.ok && result.error.message).toMatch(
      /frames 5–12 overlaps the segment at frames 0–9/,
    );
  });

  it('treats the inclusive end frame as part of the segment', () => {
    expect(createSegment(base, seg('c', 9, 12), rules).ok).toBe(false);
  });

  it('allows overlap in another row, or when the project allows it', () => {
    expect(createSegment(base, seg('c', 5, 12, 'helper'), rules).ok).toBe(true);
    expect(createSegment(base, seg('c', 5, 12), { ...rules, allowOverlap: true }).ok).toBe(true);
  });

  it('refuses ranges outside the clip and duplicate ids', () => {
    expect(createSegment(base, seg('c', 990, 1000), rules)).toMatchObject({
      error: { code: 'out_of_range' },
    });
    expect(createSegment(base, seg('c', 40, 39), rules)).toMatchObject({
      error: { code: 'out_of_range' },
    });
    expect(createSegment(base, seg('a', 40, 49), rules)).toMatchObject({
      error: { code: 'duplicate_id' },
    });
  });
});

describe('resizeSegment', () => {
  it('snaps edges to whole frames', () => {
    expect(ok(resizeSegment(base, 'b', { endFrame: 33.6 }, rules))[1]).toMatchObject({
      startFrame: 20,
      endFrame: 34,
    });
  });

  it('clamps into the clip', () => {
    expect(ok(resizeSegment(base, 'b', { endFrame: 5000 }, rules))[1]?.endFrame).toBe(999);
    expect(ok(resizeSegment(base, 'a', { startFrame: -3 }, rules))[0]?.startFrame).toBe(0);
  });

  it('stops an edge dragged past the other at one frame long', () => {
    expect(ok(resizeSegment(base, 'b', { startFrame: 50 }, rules))[1]).toMatchObject({
      startFrame: 29,
      endFrame: 29,
    });
    expect(ok(resizeSegment(base, 'b', { endFrame: 3 }, rules))[1]).toMatchObject({
      startFrame: 20,
      endFrame: 20,
    });
  });

  it('refuses a resize into a neighbour', () => {
    expect(resizeSegment(base, 'b', { startFrame: 9 }, rules)).toMatchObject({
      error: { code: 'overlap' },
    });
  });
});

describe('splitSegment and mergeSegments', () => {
  it('splits before the given frame, both parts keeping the labels', () => {
    const labeled = [{ ...seg('a', 0, 9), note: 'pour water' }];
    const parts = ok(splitSegment(labeled, 'a', 4, 'a2'));
    expect(parts).toEqual([
      { ...seg('a', 0, 3), note: 'pour water' },
      { ...seg('a2', 4, 9), note: 'pour water' },
    ]);
  });

  it('refuses a split at the first frame or outside', () => {
    expect(splitSegment(base, 'a', 0, 'x')).toMatchObject({ error: { code: 'split_outside' } });
    expect(splitSegment(base, 'a', 10, 'x')).toMatchObject({ error: { code: 'split_outside' } });
  });

  it('merging the two parts of a split gives back the original', () => {
    const parts = ok(splitSegment(base, 'a', 4, 'a2'));
    expect(ok(mergeSegments(parts, 'a2', 'a'))).toEqual(base);
  });

  it('merges neighbours across a gap into the earlier one', () => {
    expect(ok(mergeSegments(base, 'a', 'b'))).toEqual([{ ...seg('a', 0, 29) }]);
  });

  it('refuses to merge across rows or over a segment in between', () => {
    const rows = [...base, seg('h', 12, 14, 'helper')];
    expect(mergeSegments(rows, 'a', 'h')).toMatchObject({ error: { code: 'not_adjacent' } });
    const three = ok(createSegment(base, seg('m', 12, 14), rules));
    const result = mergeSegments(three, 'a', 'b');
    expect(!result.ok && result.error.message).toMatch(/frames 12–14 lies between them/);
  });
});

describe('updateSegment and removeSegment', () => {
  it('changes labels and reports unknown ids', () => {
    expect(ok(updateSegment(base, 'a', { verbId: 7, note: 'x' }, rules))[0]).toMatchObject({
      verbId: 7,
      note: 'x',
    });
    expect(updateSegment(base, 'zz', {}, rules)).toMatchObject({ error: { code: 'not_found' } });
    expect(ok(removeSegment(base, 'a'))).toEqual([seg('b', 20, 29)]);
  });

  it('finds the segments covering a frame', () => {
    expect(segmentsAt(base, 9).map((s) => s.id)).toEqual(['a']);
    expect(segmentsAt(base, 15)).toEqual([]);
  });
});

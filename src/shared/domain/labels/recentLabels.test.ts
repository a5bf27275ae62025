import { describe, expect, it } from 'vitest';
import {
  labelText,
  parseRecentLabels,
  QUICK_LABEL_SLOTS,
  quickLabels,
  rememberLabel,
  type SegmentLabel,
} from './recentLabels';
import type { Segment } from './segments';

const taxonomy = {
  verbs: [
    { id: 0, key: 'take' },
    { id: 1, key: 'put' },
    { id: 2, key: 'open' },
  ],
  nouns: [
    { id: 0, key: 'cup' },
    { id: 1, key: 'plate' },
    { id: 5, key: 'cupboard' },
  ],
};

function seg(startFrame: number, verbId: number | null, nounId: number | null): Segment {
  return {
    id: `s${startFrame}`,
    startFrame,
    endFrame: startFrame + 5,
    verbId,
    nounId,
    actor: 'a',
    note: '',
  };
}

describe('rememberLabel', () => {
  it('puts the label used last on key 1 without repeating it', () => {
    let recent: readonly SegmentLabel[] = [];
    recent = rememberLabel(recent, { verbId: 2, nounId: 5 });
    recent = rememberLabel(recent, { verbId: 0, nounId: 0 });
    recent = rememberLabel(recent, { verbId: 2, nounId: 5 });
    expect(recent).toEqual([
      { verbId: 2, nounId: 5 },
      { verbId: 0, nounId: 0 },
    ]);
  });

  it('keeps nine pairs, forgetting the oldest', () => {
    let recent: readonly SegmentLabel[] = [];
    for (let n = 0; n < 12; n++) recent = rememberLabel(recent, { verbId: n, nounId: 0 });
    expect(recent).toHaveLength(QUICK_LABEL_SLOTS);
    expect(recent[0]).toEqual({ verbId: 11, nounId: 0 });
    expect(recent.at(-1)).toEqual({ verbId: 3, nounId: 0 });
  });
});

describe('quickLabels', () => {
  it('offers remembered pairs first, then the pairs the clip uses, most used first', () => {
    const segments = [seg(0, 1, 1), seg(10, 0, 0), seg(20, 0, 0), seg(30, null, 1)];
    expect(quickLabels([{ verbId: 2, nounId: 5 }], taxonomy, segments)).toEqual([
      { verbId: 2, nounId: 5 },
      { verbId: 0, nounId: 0 },
      { verbId: 1, nounId: 1 },
    ]);
  });

  it('drops pairs naming classes the project no longer has', () => {
    expect(
      quickLabels(
        [
          { verbId: 9, nounId: 0 },
          { verbId: 0, nounId: 7 },
          { verbId: 1, nounId: 0 },
        ],
        taxonomy,
        [],
      ),
    ).toEqual([{ verbId: 1, nounId: 0 }]);
  });

  it('offers nothing before anything was labeled', () => {
    expect(quickLabels([], taxonomy, [seg(0, null, null)])).toEqual([]);
  });
});

describe('parseRecentLabels', () => {
  it('reads what was stored and forgets what it cannot read', () => {
    const stored = { p1: [{ verbId: 2, nounId: 5 }] };
    expect(parseRecentLabels(JSON.stringify(stored))).toEqual(stored);
    expect(parseRecentLabels(null)).toEqual({});
    expect(parseRecentLabels('{not json')).toEqual({});
    expect(parseRecentLabels(JSON.stringify({ p1: [{ verbId: -1, nounId: 0 }] }))).toEqual({});
  });
});

it('labelText names a pair by its classes', () => {
  expect(labelText({ verbId: 2, nounId: 5 }, taxonomy)).toBe('open cupboard');
});

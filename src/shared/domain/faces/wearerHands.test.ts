import { describe, expect, it } from 'vitest';
import type { LabelsDocument, Track } from '../labels';
import type { FaceTrack } from './faceTracks';
import {
  blurRegionsAt,
  ExclusionRuns,
  subtract,
  wearerHandsAt,
  type WearerHand,
} from './wearerHands';

const size = { width: 200, height: 100 };
const face = (id: string, x: number, y: number, w = 20, h = 20): FaceTrack => ({
  id,
  boxes: [{ frame: 0, x, y, width: w, height: h, score: 0.9 }],
});
const hand = (trackId: string, x: number, y: number, w: number, h: number): WearerHand => ({
  trackId,
  rect: { x, y, width: w, height: h },
});
const area = (rects: readonly { width: number; height: number }[]) =>
  rects.reduce((sum, r) => sum + r.width * r.height, 0);

describe('blurRegionsAt', () => {
  it('blurs faces away from the wearer’s hands as they are', () => {
    const out = blurRegionsAt([face('a', 10, 10)], 0, size, 0, [hand('h', 100, 50, 30, 30)]);
    expect(out).toEqual({ rects: [{ x: 10, y: 10, width: 20, height: 20 }], exclusions: [] });
  });

  it('drops a region the wearer’s hand covers whole: the detector took the hand for a face', () => {
    const out = blurRegionsAt([face('a', 10, 10)], 0, size, 0, [hand('h', 5, 5, 30, 30)]);
    expect(out.rects).toEqual([]);
    expect(out.exclusions).toEqual([{ trackId: 'a', handTrackId: 'h', action: 'excluded' }]);
  });

  it('keeps blurring what the hand leaves of a face, however little', () => {
    const out = blurRegionsAt([face('a', 10, 10)], 0, size, 0, [hand('h', 5, 5, 30, 20)]);
    expect(out.rects).toEqual([{ x: 10, y: 25, width: 20, height: 5 }]);
    expect(out.exclusions).toEqual([{ trackId: 'a', handTrackId: 'h', action: 'clipped' }]);
  });

  it('cuts a partly covered region around the hand, never blurring a hand pixel', () => {
    const h = hand('h', 25, 0, 40, 40);
    const out = blurRegionsAt([face('a', 10, 10)], 0, size, 0, [h]);
    expect(out.exclusions).toEqual([{ trackId: 'a', handTrackId: 'h', action: 'clipped' }]);
    expect(out.rects).toEqual([{ x: 10, y: 10, width: 15, height: 20 }]);
    for (const r of out.rects) expect(subtract(r, h.rect)).toEqual([r]);
  });

  it('subtracts into disjoint pieces that cover exactly the rest', () => {
    const a = { x: 0, y: 0, width: 10, height: 10 };
    const pieces = subtract(a, { x: 3, y: 3, width: 4, height: 4 });
    expect(pieces).toHaveLength(4);
    expect(area(pieces)).toBe(100 - 16);
  });
});

describe('wearerHandsAt', () => {
  const wearerHand: Track = {
    id: 'left',
    kind: 'left_hand',
    templateId: 'hand21',
    label: '',
    color: '#112233',
    link: { kind: 'camera_wearer' },
    keyframes: [
      {
        frame: 0,
        points: [
          { x: 50, y: 50, visibility: 'visible', source: 'manual' },
          { x: 70, y: 60, visibility: 'visible', source: 'manual' },
        ],
      },
    ],
  };
  const othersHand = {
    ...wearerHand,
    id: 'other',
    link: { kind: 'person', trackId: 'p' },
  } as Track;
  const doc: LabelsDocument = {
    tracks: [wearerHand, othersHand],
    segments: [],
    contacts: [],
    boxTracks: [
      {
        id: 'hb',
        kind: 'hand',
        label: '',
        color: '#445566',
        subjectId: 'left',
        keyframes: [{ frame: 0, box: { x: 40, y: 40, w: 40, h: 30 } }],
      },
      {
        id: 'ob',
        kind: 'hand',
        label: '',
        color: '#445566',
        subjectId: 'other',
        keyframes: [{ frame: 0, box: { x: 0, y: 0, w: 40, h: 30 } }],
      },
    ],
  };

  it('takes the wearer’s hand box and keypoints, and nobody else’s hands', () => {
    const hands = wearerHandsAt(doc, 0, size);
    expect(hands.every((h) => h.trackId === 'left')).toBe(true);
    expect(hands[0]?.rect).toEqual({ x: 40, y: 40, width: 40, height: 30 });
    expect(hands[1]?.rect).toEqual({ x: 47, y: 48, width: 26, height: 14 });
  });
});

describe('ExclusionRuns', () => {
  it('joins consecutive frames of one exclusion into a run', () => {
    const runs = new ExclusionRuns();
    const e = { trackId: 'a', handTrackId: 'h', action: 'excluded' as const };
    runs.add(0, [e]);
    runs.add(1, [e]);
    runs.add(3, [e]);
    expect(runs.runs.map((r) => [r.firstFrame, r.lastFrame])).toEqual([
      [0, 1],
      [3, 3],
    ]);
  });
});

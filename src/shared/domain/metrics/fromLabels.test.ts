import { describe, expect, it } from 'vitest';
import type { ContactLabel, Keypoint, Segment, Track } from '../labels';
import {
  actionLabelOf,
  contactAgreement,
  contactStatesByFrame,
  frameLabelsFromSegments,
  trackPosePairs,
} from './fromLabels';
import { trackOks } from './oks';
import { compareSegmentations } from './segmentMetrics';

function at(x: number, y: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function track(id: string, keyframes: Track['keyframes']): Track {
  return { id, kind: 'person', templateId: 'tpl', label: id, color: '#00ff00', keyframes };
}

describe('trackPosePairs', () => {
  const a = track('a', [
    { frame: 0, points: [at(0, 0), at(10, 0, 'occluded'), null] },
    { frame: 4, points: [at(4, 0), at(10, 4), at(1, 1, 'unlabeled')] },
  ]);
  const b = track('b', [
    { frame: 2, points: [at(2, 0), at(10, 2), at(5, 5)] },
    { frame: 6, points: [at(6, 0), at(10, 6), at(5, 5)] },
  ]);

  it('pairs the frames inside both tracks’ spans, interpolating between keyframes', () => {
    const pairs = trackPosePairs(a, b, 3);
    expect(pairs.map((p) => p.frame)).toEqual([2, 3, 4]);
    expect(pairs[0]?.reference).toEqual([{ x: 2, y: 0 }, { x: 10, y: 2 }, null]);
    expect(pairs[2]?.reference).toEqual([{ x: 4, y: 0 }, { x: 10, y: 4 }, null]);
    expect(pairs[2]?.other).toEqual([
      { x: 4, y: 0 },
      { x: 10, y: 4 },
      { x: 5, y: 5 },
    ]);
  });

  it('compares only the frames asked for, skipping those outside a span', () => {
    expect(trackPosePairs(a, b, 3, [0, 4, 6]).map((p) => p.frame)).toEqual([4]);
  });

  it('feeds OKS: the same motion labeled by both gives 1 on every frame', () => {
    const result = trackOks(trackPosePairs(a, b, 3), { sigmas: [0.1, 0.1, 0.1] });
    expect(result.framesCompared).toBe(3);
    expect(result.oks).toBe(1);
    expect(result.perPoint).toEqual([1, 1, null]);
  });

  it('has no pairs when a track has no keyframes', () => {
    expect(trackPosePairs(a, track('c', []), 3)).toEqual([]);
  });
});

function segment(id: string, startFrame: number, endFrame: number, verbId: number | null): Segment {
  return { id, startFrame, endFrame, verbId, nounId: 7, actor: 'p1', note: '' };
}

describe('frameLabelsFromSegments', () => {
  it('writes inclusive segments frame by frame, background elsewhere', () => {
    const labels = frameLabelsFromSegments([segment('s1', 1, 2, 3), segment('s2', 4, 4, null)], 6);
    expect(labels).toEqual([null, '3:7', '3:7', null, '?:7', null]);
  });

  it('keeps one actor row and lets the later segment win where segments overlap', () => {
    const other: Segment = { ...segment('s3', 0, 5, 9), actor: 'p2' };
    const labels = frameLabelsFromSegments(
      [segment('s2', 2, 3, 2), segment('s1', 0, 2, 1), other],
      5,
      { actor: 'p1', labelOf: (s) => s.verbId },
    );
    expect(labels).toEqual([1, 1, 2, 2, null]);
  });

  it('gives the same scores as the frame-wise labels they stand for', () => {
    const a = frameLabelsFromSegments([segment('s1', 0, 2, 1), segment('s2', 4, 8, 2)], 12);
    const b = frameLabelsFromSegments([segment('t1', 0, 3, 1), segment('t2', 6, 9, 2)], 12);
    const scores = compareSegmentations(a, b);
    // IoU 3/4 for verb 1 and [6, 9) ∩ [4, 9) over [4, 10): 3/6 for verb 2.
    expect(scores.f1.map((f) => f.tp)).toEqual([2, 2, 2]);
    expect(scores.edit).toBe(100);
    expect(actionLabelOf(segment('x', 0, 0, 1))).toBe('1:7');
  });
});

function contact(
  id: string,
  startFrame: number,
  endFrame: number,
  state: ContactLabel['state'],
  box?: { x: number; y: number; w: number; h: number },
): ContactLabel {
  return {
    id,
    trackId: 'rh',
    startFrame,
    endFrame,
    state,
    object: box ? { box, classId: 0 } : null,
    segmentId: null,
  };
}

describe('contactAgreement', () => {
  it('lists the state per frame of one hand, null where unlabeled', () => {
    const states = contactStatesByFrame(
      [
        contact('c1', 1, 2, 3, { x: 0, y: 0, w: 1, h: 1 }),
        { ...contact('c2', 0, 4, 1), trackId: 'lh' },
      ],
      'rh',
      4,
    );
    expect(states).toEqual([null, 3, 3, null]);
  });

  it('compares the frames both labeled and the boxes where both drew one', () => {
    const a = [contact('a1', 0, 3, 0), contact('a2', 4, 7, 3, { x: 0, y: 0, w: 2, h: 2 })];
    const b = [contact('b1', 0, 4, 0), contact('b2', 5, 6, 3, { x: 1, y: 1, w: 2, h: 2 })];
    const result = contactAgreement(a, b, 'rh', 8);
    // Frames 0–6 are labeled by both; frame 4 is 3 vs 0, the rest agree: p_o = 6/7.
    expect(result.n).toBe(7);
    expect(result.accuracy).toBeCloseTo(6 / 7, 12);
    expect(result.confusion.matrix[3]).toEqual([1, 0, 0, 2, 0]);
    // Marginals: A 4 × state 0, 3 × state 3; B 5 × 0, 2 × 3. p_e = (4·5 + 3·2) / 49 = 26/49.
    expect(result.kappa).toBeCloseTo((6 / 7 - 26 / 49) / (1 - 26 / 49), 12);
    expect(result.framesWithBothBoxes).toBe(2);
    expect(result.objectBoxIoU).toBeCloseTo(1 / 7, 12);
  });
});

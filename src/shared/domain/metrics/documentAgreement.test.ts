import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_TEMPLATE_ID,
  EMPTY_LABELS,
  LEFT_HAND_TEMPLATE_ID,
  type ContactLabel,
  type LabelsDocument,
  type Track,
} from '../labels';
import { documentAgreement } from './documentAgreement';

function person(id: string, x0: number, shift = 0): Track {
  const keyframe = (frame: number) => ({
    frame,
    points: Array.from({ length: 17 }, (_, i) => ({
      x: x0 + (i % 4) * 20 + shift,
      y: 100 + i * 12,
      visibility: 'visible' as const,
      source: 'manual' as const,
    })),
  });
  return {
    id,
    kind: 'person',
    templateId: COCO_BODY_TEMPLATE_ID,
    label: id,
    color: '#000000',
    keyframes: [keyframe(0), keyframe(9)],
  };
}

function hand(id: string): Track {
  return {
    id,
    kind: 'left_hand',
    templateId: LEFT_HAND_TEMPLATE_ID,
    label: id,
    color: '#000000',
    keyframes: [],
  };
}

function contact(trackId: string, start: number, end: number, state: 0 | 1 | 2): ContactLabel {
  return {
    id: `${trackId}-${start}`,
    trackId,
    startFrame: start,
    endFrame: end,
    state,
    object: null,
    segmentId: null,
  };
}

const reference: LabelsDocument = {
  ...EMPTY_LABELS,
  tracks: [person('a-left', 100), person('a-right', 500), hand('a-hand')],
  segments: [
    { id: 's1', startFrame: 0, endFrame: 4, verbId: 1, nounId: 2, actor: 'a-left', note: '' },
  ],
  contacts: [contact('a-hand', 0, 9, 0)],
};

describe('agreement between two annotators of one clip', () => {
  it('pairs independently made tracks by pose, whatever their ids and order', () => {
    const other: LabelsDocument = {
      ...EMPTY_LABELS,
      // The other annotator listed the people the other way round, under their own ids.
      tracks: [person('b-right', 500), person('b-left', 100), hand('b-hand')],
      segments: [
        { id: 'x', startFrame: 0, endFrame: 4, verbId: 1, nounId: 2, actor: 'b-left', note: '' },
      ],
      contacts: [contact('b-hand', 0, 9, 0)],
    };
    const result = documentAgreement(reference, other, BUILT_IN_TEMPLATES, 10);
    expect(result.tracks.map((t) => [t.referenceTrackId, t.otherTrackId])).toEqual(
      expect.arrayContaining([
        ['a-left', 'b-left'],
        ['a-right', 'b-right'],
      ]),
    );
    expect(result.oks).toBe(1);
    expect(result.pck).toBe(1);
    // The segment is in the row of the matched person, so it agrees.
    expect(result.segments?.f1.map((f) => f.f1)).toEqual([100, 100, 100]);
    // Hands with no keyframes cannot be paired by pose and are reported, not scored.
    expect(result.unmatchedReference).toEqual(['a-hand']);
  });

  it('scores a shifted pose below 1 and leaves a person only one annotator labeled unmatched', () => {
    const other: LabelsDocument = { ...EMPTY_LABELS, tracks: [person('b-left', 100, 6)] };
    const result = documentAgreement(reference, other, BUILT_IN_TEMPLATES, 10);
    expect(result.tracks).toHaveLength(1);
    expect(result.tracks[0]?.framesCompared).toBe(10);
    expect(result.oks).toBeGreaterThan(0.5);
    expect(result.oks).toBeLessThan(1);
    expect(result.unmatchedReference).toEqual(['a-right', 'a-hand']);
    // Segments only in the reference: nothing found, F1 0.
    expect(result.segments?.f1[0]?.f1).toBe(0);
  });

  it('counts contact states of matched hands frame by frame', () => {
    const withPose = (t: Track): Track => ({
      ...t,
      keyframes: [
        {
          frame: 0,
          points: Array.from({ length: 21 }, (_, i) => ({
            x: 50 + i,
            y: 60,
            visibility: 'visible' as const,
            source: 'manual' as const,
          })),
        },
      ],
    });
    const a: LabelsDocument = {
      ...EMPTY_LABELS,
      tracks: [withPose(hand('a-hand'))],
      contacts: [contact('a-hand', 0, 9, 0)],
    };
    const b: LabelsDocument = {
      ...EMPTY_LABELS,
      tracks: [withPose(hand('b-hand'))],
      contacts: [contact('b-hand', 0, 5, 0), contact('b-hand', 6, 9, 1)],
    };
    const result = documentAgreement(a, b, BUILT_IN_TEMPLATES, 10);
    expect(result.contacts.confusion[0]).toEqual([6, 4, 0, 0, 0]);
    expect(result.contacts.accuracy).toBe(0.6);
    // All of the reference's frames are one state: chance agreement is 0.6, kappa 0.
    expect(result.contacts.kappa).toBe(0);
  });
});

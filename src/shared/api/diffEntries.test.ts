import { describe, expect, it } from 'vitest';
import { diffEntries } from './reviewSchemas';
import type { LabelsDocument } from '../domain/labels/labelsDocument';
import type { Track } from '../domain/labels/tracks';
import { isEmptyDiff, labelsDiff } from '../domain/review/labelsDiff';

const hand: Track = {
  id: 'lh',
  kind: 'left_hand',
  templateId: 'mediapipe21-left-hand',
  label: 'Left hand',
  color: '#00ff00',
  keyframes: [],
};

const before: LabelsDocument = {
  tracks: [hand],
  segments: [],
  contacts: [],
  boxTracks: [
    {
      id: 'hb',
      kind: 'hand',
      label: 'Left hand box',
      color: '#00ff00',
      subjectId: 'lh',
      keyframes: [
        { frame: 3, box: { x: 0, y: 0, w: 5, h: 5 } },
        { frame: 9, box: { x: 5, y: 0, w: 5, h: 5 } },
      ],
    },
  ],
};

describe('labelsDiff of boxes and hand links', () => {
  it("lists a moved, an added and a removed box keyframe, and a hand's new owner", () => {
    const after: LabelsDocument = {
      ...before,
      tracks: [{ ...hand, link: { kind: 'camera_wearer' } }],
      boxTracks: [
        {
          ...(before.boxTracks?.[0] as NonNullable<LabelsDocument['boxTracks']>[number]),
          keyframes: [
            { frame: 3, box: { x: 1, y: 0, w: 5, h: 5 } },
            { frame: 12, absent: true },
          ],
        },
      ],
    };
    const diff = labelsDiff(before, after);
    expect(diff.tracks).toMatchObject([
      { kind: 'changed', after: { link: { kind: 'camera_wearer' } } },
    ]);
    expect(diffEntries(diff, after).filter((e) => e.what === 'box')).toEqual([
      { what: 'box', kind: 'changed', id: 'hb@3', frame: 3, summary: 'Left hand box, frame 3' },
      { what: 'box', kind: 'removed', id: 'hb@9', frame: 9, summary: 'Left hand box, frame 9' },
      { what: 'box', kind: 'added', id: 'hb@12', frame: 12, summary: 'Left hand box, frame 12' },
    ]);
  });

  it('finds nothing between a version 1 document and itself', () => {
    const v1: LabelsDocument = { tracks: [hand], segments: [], contacts: [] };
    expect(isEmptyDiff(labelsDiff(v1, v1))).toBe(true);
  });
});

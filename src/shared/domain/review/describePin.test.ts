import { describe, expect, it } from 'vitest';
import { COCO_BODY_TEMPLATE_ID, LEFT_HAND_TEMPLATE_ID, type LabelsDocument } from '../labels';
import { describePin } from './describePin';

const labels: LabelsDocument = {
  tracks: [
    {
      id: '9343e6a9-5d1c-4c2b-9a39-0c1d2e3f4a5b',
      kind: 'person',
      templateId: COCO_BODY_TEMPLATE_ID,
      label: 'Person 1',
      color: '#112233',
      keyframes: [],
    },
    {
      id: 'c1b2',
      kind: 'left_hand',
      templateId: LEFT_HAND_TEMPLATE_ID,
      label: '',
      color: '#445566',
      keyframes: [],
    },
  ],
  segments: [
    {
      id: 's1',
      startFrame: 40,
      endFrame: 60,
      verbId: null,
      nounId: null,
      actor: 'camera_wearer',
      note: '',
    },
  ],
  contacts: [
    {
      id: 'k1',
      trackId: 'c1b2',
      startFrame: 5,
      endFrame: 9,
      state: 1,
      object: null,
      segmentId: null,
    },
  ],
};

describe('describePin', () => {
  it('names points, tracks, rows and hands as people read them, never by id', () => {
    const trackId = labels.tracks[0]?.id ?? '';
    expect(describePin({ kind: 'point', trackId, index: 9, frame: 400 }, labels)).toBe(
      'left_wrist of Person 1, frame 400',
    );
    expect(describePin({ kind: 'segment', segmentId: 's1' }, labels)).toBe(
      'Camera wearer segment, frames 40–60',
    );
    expect(describePin({ kind: 'contact', contactId: 'k1' }, labels)).toBe(
      'Left hand 1 contact, frames 5–9',
    );
    expect(describePin({ kind: 'frame', frame: 3 }, labels)).toBe('frame 3');
  });

  it('says a pinned record was deleted instead of showing its id', () => {
    expect(describePin({ kind: 'point', trackId: 'gone-uuid', index: 0, frame: 2 }, labels)).toBe(
      'point 1 of a deleted track, frame 2',
    );
    expect(describePin({ kind: 'segment', segmentId: 'gone' }, labels)).toBe('a deleted segment');
  });
});

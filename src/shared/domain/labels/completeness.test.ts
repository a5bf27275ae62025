import { describe, expect, it } from 'vitest';
import { checkCompleteness } from './completeness';
import type { EditContext, LabelsDocument } from './labelsDocument';
import { BUILT_IN_TEMPLATES, COCO_BODY_TEMPLATE_ID } from './projectSchema';
import type { Keypoint } from './tracks';

const context: EditContext = {
  frameCount: 500,
  allowSegmentOverlap: false,
  templates: BUILT_IN_TEMPLATES,
};
const placed: Keypoint = { x: 1, y: 2, visibility: 'visible', source: 'manual' };
const notLabeled: Keypoint = { x: 0, y: 0, visibility: 'unlabeled', source: 'manual' };

function body(points: (Keypoint | null)[]): LabelsDocument {
  return {
    tracks: [
      {
        id: 'p1',
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person 1',
        color: '#ff0000',
        keyframes: [{ frame: 120, points }],
      },
    ],
    segments: [],
    contacts: [],
  };
}

describe('checkCompleteness', () => {
  it('accepts keyframes whose points are all placed or explicitly not labeled', () => {
    const points = Array.from({ length: 17 }, (_, i) => (i % 2 ? placed : notLabeled));
    expect(checkCompleteness(body(points), context)).toEqual([]);
  });

  it('lists undecided points by name with the keyframe frame', () => {
    const points: (Keypoint | null)[] = Array.from({ length: 17 }, () => placed);
    points[13] = null;
    points[14] = null;
    expect(checkCompleteness(body(points), context)).toEqual([
      {
        kind: 'undecided_points',
        frames: [120],
        recordId: 'p1',
        message:
          'Track "Person 1", keyframe at frame 120: 2 points left_knee, right_knee are neither placed nor marked not labeled.',
      },
    ]);
  });

  it('flags a keyframe with the wrong number of points', () => {
    expect(checkCompleteness(body([placed]), context)[0]?.kind).toBe('wrong_point_count');
  });

  it('lists segments missing a verb or a noun, with their frames and row names', () => {
    const doc: LabelsDocument = {
      tracks: [],
      segments: [
        {
          id: 's1',
          startFrame: 10,
          endFrame: 20,
          verbId: null,
          nounId: 3,
          actor: 'camera_wearer',
          note: '',
        },
        {
          id: 's2',
          startFrame: 30,
          endFrame: 40,
          verbId: null,
          nounId: null,
          actor: 'camera_wearer',
          note: '',
        },
        {
          id: 's3',
          startFrame: 50,
          endFrame: 60,
          verbId: 1,
          nounId: 2,
          actor: 'camera_wearer',
          note: '',
        },
      ],
      contacts: [],
    };
    expect(checkCompleteness(doc, context).map((p) => [p.frames, p.message])).toEqual([
      [[10, 20], 'Segment at frames 10–20 (Camera wearer row) has no verb.'],
      [[30, 40], 'Segment at frames 30–40 (Camera wearer row) has no verb and no noun.'],
    ]);
  });

  it('reports contact labels that break the 100DOH rules', () => {
    const doc: LabelsDocument = {
      tracks: [
        {
          id: 'rh',
          kind: 'right_hand',
          templateId: 'mediapipe21-right-hand',
          label: 'RH',
          color: '#00ff00',
          keyframes: [],
        },
      ],
      segments: [],
      contacts: [
        {
          id: 'c',
          trackId: 'rh',
          startFrame: 0,
          endFrame: 9,
          state: 4,
          object: null,
          segmentId: null,
        },
      ],
    };
    expect(checkCompleteness(doc, context)).toMatchObject([
      { kind: 'invalid_contact', frames: [0, 9], recordId: 'c' },
    ]);
  });

  it('refuses more unaccepted model points than the project allows, with counts and frames', () => {
    const model: Keypoint = {
      x: 5,
      y: 6,
      visibility: 'visible',
      source: 'model',
      model: 'blazepose',
      score: 0.8,
    };
    const points = Array.from({ length: 17 }, (_, i) => (i < 4 ? model : placed));
    const single = body(points);
    const twoFrames: LabelsDocument = {
      ...single,
      tracks: single.tracks.map((t) => ({
        ...t,
        keyframes: [
          { frame: 120, points },
          { frame: 130, points },
        ],
      })),
    };
    // 8 of 34 points (23.5 %) are proposals: refused at the default limit (0) and at 20 %.
    const refused = checkCompleteness(twoFrames, context);
    expect(refused).toEqual([
      {
        kind: 'unaccepted_proposals',
        frames: [120, 130],
        recordId: 'p1',
        message:
          'Track "Person 1": 8 unaccepted model points on 2 keyframes (8 of the clip\'s 34 points (23.5 %) are model proposals nobody accepted; this project allows 0 %). Check them and accept (A on a frame, Shift+A for the track).',
      },
    ]);
    expect(checkCompleteness(twoFrames, { ...context, maxUnacceptedShare: 0.2 })).toHaveLength(1);
    expect(checkCompleteness(twoFrames, { ...context, maxUnacceptedShare: 0.25 })).toEqual([]);
    // Accepted points (manual) are not counted.
    expect(checkCompleteness(body(Array.from({ length: 17 }, () => placed)), context)).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  COCO_BODY_TEMPLATE_ID,
  emptyKeyframe,
  LEFT_HAND_TEMPLATE_ID,
  type ContactLabel,
  type LabelsDocument,
  type Track,
} from '../../../../shared/domain/labels';
import { buildOverlayScene, faceOverlayBoxes, NO_SELECTION } from './overlayScene';

function withPoint(frame: number, count: number, x: number) {
  const keyframe = emptyKeyframe(frame, count);
  return {
    frame,
    points: keyframe.points.map((_, i) =>
      i === 0 ? { x, y: 10, visibility: 'visible' as const, source: 'manual' as const } : null,
    ),
  };
}

const person: Track = {
  id: 'p1',
  kind: 'person',
  templateId: COCO_BODY_TEMPLATE_ID,
  label: 'Person 1',
  color: '#ff0000',
  keyframes: [withPoint(0, 17, 0), withPoint(10, 17, 100)],
};
const leftHand: Track = {
  id: 'lh',
  kind: 'left_hand',
  templateId: LEFT_HAND_TEMPLATE_ID,
  label: 'Left hand',
  color: '#00ff00',
  keyframes: [withPoint(0, 21, 5)],
};
const stranger: Track = { ...person, id: 'x', templateId: 'not-in-project' };
const holdsCup: ContactLabel = {
  id: 'c1',
  trackId: 'lh',
  startFrame: 2,
  endFrame: 6,
  state: 3,
  object: { box: { x: 1, y: 2, w: 3, h: 4 }, classId: 7 },
  segmentId: null,
};
const touchesSelf: ContactLabel = {
  id: 'c2',
  trackId: 'lh',
  startFrame: 7,
  endFrame: 9,
  state: 1,
  object: null,
  segmentId: null,
};
const doc: LabelsDocument = {
  tracks: [person, leftHand, stranger],
  segments: [],
  contacts: [holdsCup, touchesSelf],
};

describe('buildOverlayScene', () => {
  it('gives each track its interpolated pose between keyframes, in document order', () => {
    const scene = buildOverlayScene(doc, 5, BUILT_IN_TEMPLATES, NO_SELECTION);
    expect(scene.tracks.map((t) => t.id)).toEqual(['p1', 'lh']);
    const pose = scene.tracks[0]?.pose;
    expect(pose?.isKeyframe).toBe(false);
    expect(pose?.points[0]).toEqual({
      x: 50,
      y: 10,
      visibility: 'visible',
      source: 'interpolated',
    });
    expect(scene.tracks[0]?.template.keypoints).toHaveLength(17);
  });

  it('a track outside its keyframe span has no pose', () => {
    const scene = buildOverlayScene(doc, 11, BUILT_IN_TEMPLATES, NO_SELECTION);
    expect(scene.tracks[0]?.pose).toBeUndefined();
  });

  it('shows the object box of the contact covering the frame, captioned with the class name', () => {
    const names = new Map([[7, 'cup']]);
    const inside = buildOverlayScene(doc, 6, BUILT_IN_TEMPLATES, NO_SELECTION, names);
    expect(inside.boxes).toEqual([
      {
        boxId: 'contact:c1',
        kind: 'object',
        contactId: 'c1',
        trackId: 'lh',
        box: { x: 1, y: 2, w: 3, h: 4 },
        isKeyframe: false,
        label: 'Left hand: cup',
        color: '#00ff00',
      },
    ]);
    expect(buildOverlayScene(doc, 7, BUILT_IN_TEMPLATES, NO_SELECTION).boxes).toEqual([]);
    expect(buildOverlayScene(doc, 1, BUILT_IN_TEMPLATES, NO_SELECTION).boxes).toEqual([]);
  });

  it("shows a hand's box track where it is in the picture, fainter between keyframes", () => {
    const withBox = {
      ...doc,
      boxTracks: [
        {
          id: 'hb',
          kind: 'hand' as const,
          label: 'Left hand box',
          color: '#00ff00',
          subjectId: 'lh',
          keyframes: [
            { frame: 2, box: { x: 0, y: 0, w: 10, h: 10 } },
            { frame: 4, box: { x: 20, y: 0, w: 10, h: 10 } },
            { frame: 6, absent: true as const },
          ],
        },
      ],
    };
    const at = (frame: number) =>
      buildOverlayScene(withBox, frame, BUILT_IN_TEMPLATES, NO_SELECTION);
    expect(at(3).boxes.find((b) => b.boxId === 'hb')).toMatchObject({
      kind: 'hand',
      trackId: 'lh',
      box: { x: 10, y: 0, w: 10, h: 10 },
      isKeyframe: false,
    });
    expect(at(4).boxes.find((b) => b.boxId === 'hb')?.isKeyframe).toBe(true);
    expect(at(6).boxes.find((b) => b.boxId === 'hb')).toBeUndefined();
    expect(at(1).boxes).toEqual([]);
  });

  it('carries the selection through', () => {
    const scene = buildOverlayScene(doc, 0, BUILT_IN_TEMPLATES, {
      trackId: 'lh',
      point: 4,
      contactId: 'c1',
    });
    expect(scene).toMatchObject({
      frame: 0,
      selectedTrackId: 'lh',
      selectedPoint: 4,
      selectedContactId: 'c1',
    });
  });
});

describe('faceOverlayBoxes', () => {
  const track = {
    id: 'face-1',
    boxes: [
      { frame: 0, x: 0, y: 0, width: 10, height: 10, score: 0.9 },
      { frame: 4, x: 40, y: 0, width: 10, height: 10, score: 0.9 },
    ],
  };

  it('draws a face as a box labeled face, keyed on its boxes and interpolated between', () => {
    const [onKey] = faceOverlayBoxes([track], 0, (id) => `face:${id}`);
    expect(onKey).toMatchObject({ boxId: 'face:face-1', kind: 'face', label: 'face' });
    expect(onKey?.isKeyframe).toBe(true);
    const [between] = faceOverlayBoxes([track], 2, (id) => `face:${id}`);
    expect(between).toMatchObject({ box: { x: 20, y: 0, w: 10, h: 10 }, isKeyframe: false });
    expect(faceOverlayBoxes([track], 5, (id) => id)).toEqual([]);
  });

  it('leaves out a face a person removed', () => {
    expect(faceOverlayBoxes([{ ...track, removed: true }], 0, (id) => id)).toEqual([]);
  });
});

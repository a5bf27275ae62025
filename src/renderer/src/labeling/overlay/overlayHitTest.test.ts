import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_TEMPLATES,
  type Keypoint,
  type Pose,
  type SkeletonTemplate,
  type ViewTransform,
} from '../../../../shared/domain/labels';
import { hitBox, hitPoint, hitSkeletonHandle } from './overlayHitTest';
import { EMPTY_SCENE, type OverlayScene, type OverlayTrack } from './overlayScene';

/** Screen = 10 + video / 2, so a screen radius is twice as many video pixels. */
const TRANSFORM: ViewTransform = { scale: 0.5, offsetX: 10, offsetY: 10 };
const TEMPLATE = BUILT_IN_TEMPLATES[0] as SkeletonTemplate;

function at(x: number, y: number, visibility: Keypoint['visibility'] = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function track(id: string, points: (Keypoint | null)[]): OverlayTrack {
  const pose: Pose = { frame: 0, isKeyframe: true, points };
  return { id, label: id, color: '#ffffff', template: TEMPLATE, pose };
}

function scene(patch: Partial<OverlayScene>): OverlayScene {
  return { ...EMPTY_SCENE, ...patch };
}

describe('hitPoint', () => {
  it('finds the nearest drawn point within 6 screen px (its handle), whatever the zoom', () => {
    const s = scene({ tracks: [track('a', [at(100, 100), at(110, 100)])] });
    // (100, 100) is at screen (60, 60); (110, 100) at (65, 60).
    expect(hitPoint(s, TRANSFORM, { x: 64, y: 61 })).toEqual({
      kind: 'point',
      trackId: 'a',
      index: 1,
    });
    expect(hitPoint(s, TRANSFORM, { x: 54, y: 60 })).toEqual({
      kind: 'point',
      trackId: 'a',
      index: 0,
    });
    // Seven pixels off the nose is off its handle: such a click places a point instead.
    expect(hitPoint(s, TRANSFORM, { x: 53, y: 60 })).toEqual({ kind: 'empty' });
  });

  it('ignores unlabeled and undecided points and tracks without a pose', () => {
    const s = scene({
      tracks: [
        track('a', [null, at(100, 100, 'unlabeled')]),
        { ...track('b', []), pose: undefined },
      ],
    });
    expect(hitPoint(s, TRANSFORM, { x: 60, y: 60 })).toEqual({ kind: 'empty' });
  });

  it('on points at the same spot the selected track wins, else the one drawn on top', () => {
    const tracks = [track('a', [at(100, 100)]), track('b', [at(100, 100)])];
    expect(hitPoint(scene({ tracks }), TRANSFORM, { x: 60, y: 60 })).toMatchObject({
      trackId: 'b',
    });
    expect(
      hitPoint(scene({ tracks, selectedTrackId: 'a' }), TRANSFORM, { x: 60, y: 60 }),
    ).toMatchObject({ trackId: 'a' });
  });
});

describe('hitBox', () => {
  const boxes = [
    {
      boxId: 'c1',
      kind: 'object' as const,
      contactId: null,
      isKeyframe: true,
      trackId: 'h',
      box: { x: 100, y: 100, w: 200, h: 100 },
      label: '',
      color: '',
    },
    {
      boxId: 'c2',
      kind: 'object' as const,
      contactId: null,
      isKeyframe: true,
      trackId: 'h',
      box: { x: 200, y: 150, w: 200, h: 100 },
      label: '',
      color: '',
    },
  ];
  // c1 spans screen (60, 60)–(160, 110); c2 spans (110, 85)–(210, 135).

  it('a corner handle before a body, and the top box first', () => {
    expect(hitBox(scene({ boxes }), TRANSFORM, { x: 158, y: 112 })).toEqual({
      kind: 'box',
      boxId: 'c1',
      handle: 'se',
    });
    expect(hitBox(scene({ boxes }), TRANSFORM, { x: 130, y: 100 })).toEqual({
      kind: 'box',
      boxId: 'c2',
    });
    expect(hitBox(scene({ boxes }), TRANSFORM, { x: 300, y: 300 })).toEqual({
      kind: 'empty',
    });
  });

  it('the selected box is grabbed before the one drawn over it', () => {
    const s = scene({ boxes, selectedBoxId: 'c1' });
    expect(hitBox(s, TRANSFORM, { x: 130, y: 100 })).toEqual({ kind: 'box', boxId: 'c1' });
  });
});

describe('hitSkeletonHandle', () => {
  // Points (100, 100) and (200, 300) are at screen (60, 60) and (110, 160); the box is 12 px out.
  const tracks = [track('a', [at(100, 100), at(200, 300), null])];

  it('finds the selected skeleton’s corner and rotation handles, in screen px', () => {
    const s = scene({ tracks, selectedTrackId: 'a', selectedPoint: null });
    expect(hitSkeletonHandle(s, TRANSFORM, { x: 48, y: 48 })).toEqual({
      kind: 'skeletonHandle',
      trackId: 'a',
      handle: 'nw',
    });
    expect(hitSkeletonHandle(s, TRANSFORM, { x: 124, y: 170 })).toMatchObject({ handle: 'se' });
    // The rotation handle: above the top edge's middle, 26 px up.
    expect(hitSkeletonHandle(s, TRANSFORM, { x: 85, y: 22 })).toMatchObject({
      handle: 'rotate',
    });
    expect(hitSkeletonHandle(s, TRANSFORM, { x: 85, y: 100 })).toEqual({ kind: 'empty' });
  });

  it('offers no handles while a single point is selected, or with no track selected', () => {
    expect(
      hitSkeletonHandle(scene({ tracks, selectedTrackId: 'a', selectedPoint: 0 }), TRANSFORM, {
        x: 48,
        y: 48,
      }),
    ).toEqual({ kind: 'empty' });
    expect(hitSkeletonHandle(scene({ tracks }), TRANSFORM, { x: 48, y: 48 })).toEqual({
      kind: 'empty',
    });
  });
});

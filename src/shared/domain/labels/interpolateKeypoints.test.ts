import { describe, expect, it } from 'vitest';
import { isPlaced, keyframeFromPose, poseAt } from './interpolateKeypoints';
import { type Keyframe, type Keypoint, type Track, type Visibility } from './tracks';

function manual(x: number, y: number, visibility: Visibility = 'visible'): Keypoint {
  return { x, y, visibility, source: 'manual' };
}

function track(keyframes: Keyframe[]): Track {
  return {
    id: 't1',
    kind: 'person',
    templateId: 'tpl',
    label: 'Person 1',
    color: '#ff0000',
    keyframes,
  };
}

describe('poseAt', () => {
  const t = track([
    {
      frame: 10,
      points: [
        manual(0, 0),
        manual(10, 10, 'occluded'),
        manual(5, 5),
        null,
        manual(1, 1, 'unlabeled'),
      ],
    },
    {
      frame: 20,
      points: [
        manual(100, 50),
        manual(20, 30),
        manual(9, 9, 'unlabeled'),
        manual(3, 3),
        manual(2, 2),
      ],
    },
  ]);

  it('returns the stored keyframe on a keyframe', () => {
    const pose = poseAt(t, 10);
    expect(pose?.isKeyframe).toBe(true);
    expect(pose?.points[0]).toEqual(manual(0, 0));
    expect(pose?.points[3]).toBeNull();
  });

  it('interpolates linearly per point between two labeled states', () => {
    const pose = poseAt(t, 15);
    expect(pose?.isKeyframe).toBe(false);
    expect(pose?.points[0]).toEqual({
      x: 50,
      y: 25,
      visibility: 'visible',
      source: 'interpolated',
    });
  });

  it('makes a point occluded between keyframes when either end is occluded', () => {
    expect(poseAt(t, 12)?.points[1]).toMatchObject({ x: 12, y: 14, visibility: 'occluded' });
  });

  it('does not invent a point that is unlabeled or undecided at either end', () => {
    const pose = poseAt(t, 15);
    expect(pose?.points[2]).toBeNull();
    expect(pose?.points[3]).toBeNull();
    expect(pose?.points[4]).toBeNull();
    expect(isPlaced(pose?.points[4])).toBe(false);
    expect(isPlaced(pose?.points[0])).toBe(true);
  });

  it('has no pose outside the first and last keyframe', () => {
    expect(poseAt(t, 9)).toBeUndefined();
    expect(poseAt(t, 21)).toBeUndefined();
    expect(poseAt(track([]), 0)).toBeUndefined();
  });

  it('turns a shown pose into a keyframe of manual points (K)', () => {
    const pose = poseAt(t, 15);
    if (!pose) throw new Error('expected a pose');
    const keyframe = keyframeFromPose(pose, 5);
    expect(keyframe.frame).toBe(15);
    expect(keyframe.points[0]).toEqual(manual(50, 25));
    expect(keyframe.points[2]).toBeNull();
  });

  it('keeps model proposals as model output on their keyframe', () => {
    const proposal: Keypoint = {
      x: 4,
      y: 4,
      visibility: 'visible',
      source: 'model',
      model: 'blazepose',
      score: 0.8,
    };
    const withModel = track([{ frame: 0, points: [proposal] }]);
    expect(poseAt(withModel, 0)?.points[0]).toEqual(proposal);
  });
});

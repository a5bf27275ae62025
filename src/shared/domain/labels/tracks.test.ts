import { describe, expect, it } from 'vitest';
import { poseAt } from './interpolateKeypoints';
import {
  emptyKeyframe,
  nextKeyframe,
  previousKeyframe,
  searchKeyframes,
  Track as TrackSchema,
  trackSpan,
  withKeyframe,
  withoutKeyframe,
  type Keyframe,
  type Keypoint,
  type Track,
} from './tracks';

function manual(x: number, y: number): Keypoint {
  return { x, y, visibility: 'visible', source: 'manual' };
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

describe('keyframe search', () => {
  const frames = [2, 5, 9, 40];
  const t = track(frames.map((f) => emptyKeyframe(f, 1)));

  it('finds keyframes and insertion points by binary search', () => {
    expect(searchKeyframes(t.keyframes, 9)).toBe(2);
    expect(searchKeyframes(t.keyframes, 0)).toBe(-1);
    expect(searchKeyframes(t.keyframes, 6)).toBe(-3);
    expect(searchKeyframes(t.keyframes, 41)).toBe(-5);
  });

  it('gives previous and next keyframes strictly before and after a frame', () => {
    expect(previousKeyframe(t, 9)?.frame).toBe(5);
    expect(previousKeyframe(t, 10)?.frame).toBe(9);
    expect(previousKeyframe(t, 2)).toBeUndefined();
    expect(nextKeyframe(t, 9)?.frame).toBe(40);
    expect(nextKeyframe(t, 40)).toBeUndefined();
    expect(trackSpan(t)).toEqual({ first: 2, last: 40 });
  });

  it('keeps keyframes sorted when inserting, replacing and removing', () => {
    const inserted = withKeyframe(t, emptyKeyframe(7, 1));
    expect(inserted.keyframes.map((k) => k.frame)).toEqual([2, 5, 7, 9, 40]);
    const replaced = withKeyframe(inserted, { frame: 7, points: [manual(1, 1)] });
    expect(replaced.keyframes).toHaveLength(5);
    expect(withoutKeyframe(replaced, 7).keyframes.map((k) => k.frame)).toEqual(frames);
    expect(withoutKeyframe(t, 8)).toBe(t);
  });

  it('finds the pose among thousands of keyframes', () => {
    const many = track(
      Array.from({ length: 5000 }, (_, i) => ({ frame: i * 20, points: [manual(i, 0)] })),
    );
    expect(poseAt(many, 50_010)?.points[0]).toMatchObject({ x: 2500.5, source: 'interpolated' });
  });
});

describe('Track record', () => {
  it('refuses keyframes out of order or twice on one frame', () => {
    const t = track([emptyKeyframe(5, 1), emptyKeyframe(5, 1)]);
    const result = TrackSchema.safeParse(t);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/increasing frame order/);
  });

  it('refuses a stored point claiming to be interpolated', () => {
    const point = { x: 1, y: 1, visibility: 'visible', source: 'interpolated' };
    expect(
      TrackSchema.safeParse({ ...track([]), keyframes: [{ frame: 0, points: [point] }] }).success,
    ).toBe(false);
  });
});

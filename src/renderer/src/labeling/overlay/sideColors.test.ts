import { describe, expect, it } from 'vitest';
import { COCO_BODY_KEYPOINTS } from '../../../../shared/domain/labels';
import { edgeSide, sideColor, sideOf } from './sideColors';

describe('side colours', () => {
  it('tells left from right by the keypoint names, the nose in the middle', () => {
    const sides = COCO_BODY_KEYPOINTS.map(sideOf);
    expect(sides[0]).toBe('middle');
    expect(sides.filter((s) => s === 'left')).toHaveLength(8);
    expect(sides.filter((s) => s === 'right')).toHaveLength(8);
    expect(sideOf('wrist')).toBe('middle');
  });

  it('keeps the track hue: lighter on the left, darker on the right, three different colours', () => {
    const colour = '#4e79a7';
    expect(sideColor(colour, 'middle')).toBe(colour);
    expect(sideColor(colour, 'left')).toBe('#a7bcd3');
    expect(sideColor(colour, 'right')).toBe('#2f4964');
    expect(edgeSide('left', 'left')).toBe('left');
    expect(edgeSide('left', 'right')).toBe('middle');
  });
});

import { describe, expect, it } from 'vitest';
import { boundingBoxOf, meanOf } from './geometry';

describe('boundingBoxOf', () => {
  it('spans the labeled points only', () => {
    expect(boundingBoxOf([{ x: 4, y: 9 }, null, { x: -2, y: 3 }])).toEqual({
      x: -2,
      y: 3,
      w: 6,
      h: 6,
    });
  });

  it('is undefined without a labeled point and empty for one point', () => {
    expect(boundingBoxOf([null])).toBeUndefined();
    expect(boundingBoxOf([{ x: 1, y: 2 }])).toEqual({ x: 1, y: 2, w: 0, h: 0 });
  });
});

describe('meanOf', () => {
  it('averages the defined values and is null without any', () => {
    expect(meanOf([1, null, 2])).toBe(1.5);
    expect(meanOf([null])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { keypointBox } from './keypointBox';

describe('keypointBox', () => {
  it('boxes visible and occluded points and ignores unlabeled and undecided ones', () => {
    expect(
      keypointBox([
        { x: 10, y: 50, visibility: 'visible', source: 'manual' },
        { x: 999, y: 999, visibility: 'unlabeled', source: 'manual' },
        null,
        { x: 30.004, y: 20, visibility: 'occluded', source: 'interpolated' },
      ]),
    ).toEqual([10, 20, 20, 30]);
  });

  it('is undefined without a placed point', () => {
    expect(keypointBox([null, undefined])).toBeUndefined();
  });
});

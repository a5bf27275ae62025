import { describe, expect, it } from 'vitest';
import {
  fromRoi,
  handRoiFromLandmarks,
  handRoiFromPose,
  POSE_ROI_SCALE,
  roiTransform,
} from './handRoi';

describe('a hand’s region from the pose', () => {
  it('points from the wrist to the knuckles, 2.7× twice their distance, shifted towards the fingers', () => {
    // A hand pointing straight up: knuckles 30 px above the wrist.
    const roi = handRoiFromPose({ x: 100, y: 100 }, { x: 100, y: 70 }, { x: 100, y: 70 });
    expect(roi?.up.x).toBeCloseTo(0);
    expect(roi?.up.y).toBeCloseTo(-1);
    expect(roi?.size).toBeCloseTo(60 * POSE_ROI_SCALE);
    // Centre 6 px (a tenth of the unscaled 60 px side) beyond the knuckles.
    expect(roi?.cx).toBeCloseTo(100);
    expect(roi?.cy).toBeCloseTo(64);
  });

  it('weights the index knuckle twice the pinky’s, and turns with the hand', () => {
    // Pointing right (+x): index above, pinky below the line.
    const roi = handRoiFromPose({ x: 0, y: 0 }, { x: 30, y: -3 }, { x: 30, y: 6 });
    expect(roi?.up.x).toBeCloseTo(1);
    expect(roi?.up.y).toBeCloseTo(0);
  });

  it('gives nothing for a hand seen end-on (wrist on the knuckles)', () => {
    expect(handRoiFromPose({ x: 5, y: 5 }, { x: 5, y: 5 }, { x: 5.2, y: 5 })).toBeNull();
  });
});

describe('the crop’s map to picture pixels', () => {
  it('puts the crop’s top edge towards the fingers and its centre on the region’s centre', () => {
    const roi = { cx: 200, cy: 150, size: 112, up: { x: 1, y: 0 } }; // fingers point right
    const centre = fromRoi(roi, 224, { x: 112, y: 112 });
    expect(centre.x).toBeCloseTo(200);
    expect(centre.y).toBeCloseTo(150);
    // Top middle of the crop: half a side (56 px) towards the fingers.
    const top = fromRoi(roi, 224, { x: 112, y: 0 });
    expect(top.x).toBeCloseTo(256);
    expect(top.y).toBeCloseTo(150);
    // The crop's right is the picture's down when the fingers point right: a rotation, no mirror.
    const right = fromRoi(roi, 224, { x: 224, y: 112 });
    expect(right.x).toBeCloseTo(200);
    expect(right.y).toBeCloseTo(206);
  });

  it('is the transform tf.image.transform is given (no projective part)', () => {
    const roi = { cx: 10, cy: 20, size: 224, up: { x: 0, y: -1 } };
    expect(roiTransform(roi, 224).map((v) => v + 0)).toEqual([1, 0, -102, 0, 1, -92, 0, 0]);
  });
});

describe('the next region from the hand’s own landmarks', () => {
  it('squares the palm’s box, doubles it, and turns it from the wrist to the middle knuckle', () => {
    // An upright hand: wrist at (100, 200), middle knuckle 60 px above it; the palm's other
    // points within x 80–120, y 140–200; fingertips far above, which the region leaves out.
    const points = Array.from({ length: 21 }, () => ({ x: 100, y: 170 }));
    points[0] = { x: 100, y: 200 };
    points[9] = { x: 100, y: 140 };
    points[5] = { x: 80, y: 145 };
    points[17] = { x: 120, y: 150 };
    for (const tip of [4, 8, 12, 16, 20]) points[tip] = { x: 100, y: 40 };
    const roi = handRoiFromLandmarks(points);
    expect(roi?.up.x).toBeCloseTo(0);
    expect(roi?.up.y).toBeCloseTo(-1);
    // The palm box is 40 wide, 60 tall: squared to 60, doubled to 120.
    expect(roi?.size).toBeCloseTo(120);
    // Centred on the box (y 170), shifted a tenth of its height (6 px) towards the fingers.
    expect(roi?.cx).toBeCloseTo(100);
    expect(roi?.cy).toBeCloseTo(164);
  });

  it('gives nothing without 21 points', () => {
    expect(handRoiFromLandmarks([{ x: 0, y: 0 }])).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { resolveHandSide } from '../domain/labels/handProposals';
import { palmAnchors, palmToHandRoi, PALM_ROI_SCALE } from './handDetector';
import { dedupeHands, mergeDetectedHands, sameHand, sideFromHandedness } from './handMerge';
import type { ModelHand, ModelPose } from '../domain/modelPose';

/** A 21-point hand filling the square (x, y)–(x + size, y + size), wrist at its bottom centre. */
function hand(
  side: 'left' | 'right',
  x: number,
  y: number,
  size: number,
  score: number,
): ModelHand {
  const keypoints = Array.from({ length: 21 }, (_, i) => ({
    name: `point_${i}`,
    x: i === 0 ? x + size / 2 : x + ((i % 5) * size) / 4,
    y: i === 0 ? y + size : y + (Math.floor(i / 5) * size) / 4,
    score,
  }));
  return { side, score, keypoints };
}

function body(wrists: { left?: [number, number]; right?: [number, number] }): ModelPose {
  const keypoints = [
    { name: 'nose', x: 200, y: 50, score: 0.9 },
    { name: 'left_ankle', x: 260, y: 400, score: 0.9 },
    { name: 'right_ankle', x: 140, y: 400, score: 0.9 },
  ];
  for (const side of ['left', 'right'] as const) {
    const at = wrists[side];
    if (at) keypoints.push({ name: `${side}_wrist`, x: at[0], y: at[1], score: 0.9 });
  }
  return { score: 0.9, keypoints, hands: [] };
}

describe('palm detector decoding', () => {
  it('has the 2944 anchors of the 256 px palm model: strides 8, 16, 32 with 2, 2, 6 per cell', () => {
    const anchors = palmAnchors();
    expect(anchors).toHaveLength(32 * 32 * 2 + 16 * 16 * 2 + 8 * 8 * 6);
    // human's handposeanchors.ts starts (0.015625, 0.015625) twice, then x moves first.
    expect(anchors.slice(0, 3)).toEqual([
      [0.015625, 0.015625],
      [0.015625, 0.015625],
      [0.046875, 0.015625],
    ]);
    expect(anchors[2048]).toEqual([1 / 32, 1 / 32]);
    expect(anchors.at(-1)).toEqual([15 / 16, 15 / 16]);
  });

  it('turns a palm into a hand region: up from wrist to middle knuckle, half a box towards the fingers, 2.6×', () => {
    // A palm pointing right: wrist at x 90, middle knuckle at x 110.
    const roi = palmToHandRoi({
      cx: 100,
      cy: 50,
      width: 20,
      height: 16,
      score: 0.9,
      keypoints: [
        { x: 90, y: 50 },
        { x: 108, y: 44 },
        { x: 110, y: 50 },
      ],
    });
    expect(roi?.up.x).toBeCloseTo(1);
    expect(roi?.up.y).toBeCloseTo(0);
    expect(roi?.cx).toBeCloseTo(108);
    expect(roi?.cy).toBeCloseTo(50);
    expect(roi?.size).toBeCloseTo(20 * PALM_ROI_SCALE);
  });
});

describe('hands found by the detector and by the pose, together', () => {
  it('reads MediaPipe’s mirrored-picture handedness the other way round for a non-mirrored picture; a mirrored project swaps it back', () => {
    expect(sideFromHandedness(0.97)).toBe('right');
    expect(sideFromHandedness(0.1)).toBe('left');
    // The service's mirrored-video swap then gives MediaPipe's own label.
    expect(resolveHandSide(sideFromHandedness(0.97), true)).toBe('left');
  });

  it('one hand found twice is one hand; two hands side by side are two', () => {
    const a = hand('left', 100, 100, 40, 0.9);
    const again = hand('left', 104, 98, 40, 0.7);
    const beside = hand('left', 130, 100, 40, 0.9); // 30 px (0.53 of the diagonal) to the right
    expect(sameHand(a.keypoints, again.keypoints)).toBe(true);
    expect(sameHand(a.keypoints, beside.keypoints)).toBe(false);
    expect(dedupeHands([again, a, beside])).toEqual([a, beside]);
  });

  it('a detected hand at a person’s wrist is that person’s, on the side the body gives', () => {
    const person = body({ left: [280, 240], right: [120, 240] });
    // MediaPipe's handedness said "right"; it sits at the body's left wrist.
    const detected = hand('right', 260, 200, 40, 0.9);
    const [merged, ...rest] = mergeDetectedHands([person], [detected]);
    expect(rest).toHaveLength(0);
    expect(merged?.hands).toEqual([{ ...detected, side: 'left' }]);
  });

  it('keeps a person’s confident hand over the detector’s, and replaces an unsure one', () => {
    const person = {
      ...body({ left: [280, 240], right: [120, 240] }),
      hands: [hand('left', 260, 200, 40, 0.85), hand('right', 100, 200, 40, 0.1)],
    };
    const detectedLeft = hand('left', 261, 201, 40, 0.99);
    const detectedRight = hand('left', 102, 199, 40, 0.7);
    const [merged, ...rest] = mergeDetectedHands([person], [detectedLeft, detectedRight]);
    expect(rest).toHaveLength(0);
    expect(merged?.hands?.[0]).toEqual(person.hands[0]);
    expect(merged?.hands?.[1]).toEqual({ ...detectedRight, side: 'right' });
  });

  it('hands nobody holds go on one pose with no body points; a doubtful one on a body is dropped', () => {
    const person = body({ left: [280, 240], right: [120, 240] });
    const far = hand('left', 500, 300, 60, 0.9); // outside the person: the wearer's own hand
    const knee = hand('left', 190, 300, 40, 0.6); // on the body, far from both wrists
    const held = hand('right', 190, 150, 40, 0.95); // on the body, but seen plainly
    const merged = mergeDetectedHands([person], [far, knee, held]);
    expect(merged).toHaveLength(2);
    expect(merged[1]).toEqual({ score: null, keypoints: [], hands: [held, far] });
  });

  it('with no body at all, every detected hand is proposed', () => {
    const left = hand('left', 100, 300, 80, 0.9);
    const right = hand('right', 400, 300, 80, 0.8);
    expect(mergeDetectedHands([], [left, right])).toEqual([
      { score: null, keypoints: [], hands: [left, right] },
    ]);
    expect(mergeDetectedHands([], [])).toEqual([]);
  });
});

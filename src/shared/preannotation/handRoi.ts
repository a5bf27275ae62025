/**
 * Where to look for a hand, from points we already have. Pure geometry, no tfjs.
 *
 * A hand's region comes from the palm detector (handDetector.ts palmToHandRoi) or, as MediaPipe
 * Holistic does, from the body pose: BlazePose's wrist, index and pinky knuckles — which places
 * small, far hands better than a palm box found on the whole frame. A second region is then
 * taken from the hand model's own landmarks, as MediaPipe Hands does from one video frame to the
 * next.
 */

export type Point2 = { readonly x: number; readonly y: number };

/**
 * A square region in picture pixels, rotated so that `up` (a unit vector, picture coordinates,
 * y down) points from the wrist towards the fingers. The hand model wants the fingers at the top of
 * its input, whichever way the hand points in the picture.
 */
export type HandRoi = {
  readonly cx: number;
  readonly cy: number;
  readonly size: number;
  readonly up: Point2;
};

/**
 * MediaPipe Holistic's `HandDetectionsFromPoseToRectsCalculator` + `RectTransformationCalculator`
 * in `hand_landmarks_from_pose_to_recrop_roi`: the centre is two-thirds of the way from the pinky
 * to the index knuckle, the box side twice the wrist-to-centre distance, then scaled 2.7× and
 * shifted a tenth of its (unscaled) side towards the fingers. 2.7× covers the fingers of an open
 * hand (fingertip to wrist ≈ 2× wrist-to-knuckle) with room for BlazePose's knuckle error.
 */
export const POSE_ROI_SCALE = 2.7;
const ROI_SHIFT_UP = 0.1;

/** Null when the wrist and knuckles coincide (a hand seen end-on, or a degenerate pose). */
export function handRoiFromPose(wrist: Point2, index: Point2, pinky: Point2): HandRoi | null {
  const middle = { x: (2 * index.x + pinky.x) / 3, y: (2 * index.y + pinky.y) / 3 };
  const dx = middle.x - wrist.x;
  const dy = middle.y - wrist.y;
  const length = Math.hypot(dx, dy);
  if (!(length >= 1)) return null;
  const up = { x: dx / length, y: dy / length };
  const side = 2 * length;
  return {
    cx: middle.x + ROI_SHIFT_UP * side * up.x,
    cy: middle.y + ROI_SHIFT_UP * side * up.y,
    size: side * POSE_ROI_SCALE,
    up,
  };
}

/** MediaPipe's palm landmarks for the next region: wrist, thumb base and each finger's two lowest joints. */
const PALM_LANDMARKS = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18] as const;
export const LANDMARK_ROI_SCALE = 2;

/**
 * MediaPipe Hands' `hand_landmark_landmarks_to_roi`: rotation from the wrist (0) to the middle
 * finger's knuckle (9), the palm points' box in that rotated frame, made square on its long side,
 * scaled 2×, shifted a tenth towards the fingers. Null for fewer than 21 points or a zero-size box.
 */
export function handRoiFromLandmarks(points: readonly Point2[]): HandRoi | null {
  const wrist = points[0];
  const knuckle = points[9];
  if (points.length < 21 || !wrist || !knuckle) return null;
  const dx = knuckle.x - wrist.x;
  const dy = knuckle.y - wrist.y;
  const length = Math.hypot(dx, dy);
  if (!(length > 0)) return null;
  const up = { x: dx / length, y: dy / length };
  // Picture → region frame: u along "right" (−up.y, up.x), v along "down" (−up).
  let u0 = Infinity;
  let u1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  for (const index of PALM_LANDMARKS) {
    const p = points[index] as Point2;
    const u = -up.y * p.x + up.x * p.y;
    const v = -(up.x * p.x + up.y * p.y);
    u0 = Math.min(u0, u);
    u1 = Math.max(u1, u);
    v0 = Math.min(v0, v);
    v1 = Math.max(v1, v);
  }
  const side = Math.max(u1 - u0, v1 - v0);
  if (!(side > 0)) return null;
  const uc = (u0 + u1) / 2;
  const vc = (v0 + v1) / 2 - ROI_SHIFT_UP * (v1 - v0);
  // Back to the picture: p = u·right + v·down, right = (−up.y, up.x), down = (−up.x, −up.y).
  return {
    cx: -up.y * uc - up.x * vc,
    cy: up.x * uc - up.y * vc,
    size: side * LANDMARK_ROI_SCALE,
    up,
  };
}

/**
 * The affine map from the model input's pixels (`inputSize` square, fingers up) to picture pixels,
 * as the 8 numbers of `tf.image.transform` (output point → input point, no projective part).
 * A rotation, never a reflection: a left hand stays a left hand in the crop.
 */
export function roiTransform(roi: HandRoi, inputSize: number): number[] {
  const k = roi.size / inputSize;
  const right = { x: -roi.up.y, y: roi.up.x };
  const half = roi.size / 2;
  return [
    k * right.x,
    -k * roi.up.x,
    roi.cx - half * right.x + half * roi.up.x,
    k * right.y,
    -k * roi.up.y,
    roi.cy - half * right.y + half * roi.up.y,
    0,
    0,
  ];
}

/** A point of the model input (pixels) in picture pixels, by `roiTransform`'s map. */
export function fromRoi(roi: HandRoi, inputSize: number, point: Point2): Point2 {
  const [a0, a1, a2, b0, b1, b2] = roiTransform(roi, inputSize) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { x: a0 * point.x + a1 * point.y + a2, y: b0 * point.x + b1 * point.y + b2 };
}

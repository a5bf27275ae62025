import type * as tf from '@tensorflow/tfjs-core';
import { MEDIAPIPE_HAND_KEYPOINTS } from '../domain/labels/projectSchema';
import { palmToHandRoi, type HandDetector } from './handDetector';
import { mergeDetectedHands, sideFromHandedness } from './handMerge';
import type { HandLandmarker, HandLandmarks } from './handModel';
import { handsModelId } from './handModelIds';
import { handRoiFromLandmarks, handRoiFromPose, type HandRoi } from './handRoi';
import type { HandSide, ModelHand, ModelPose } from '../domain/modelPose';

/**
 * The hand pipeline of pre-annotation, one copy for both places it runs — the worker thread
 * (main/services/preannotation/poseModel.ts, tfjs wasm) and the GPU window's page
 * (renderer/poseRunner, tfjs WebGL) — so both propose the same hands: MediaPipe's palm detector
 * (handDetector.ts) finds hands anywhere in the picture, body or no body; with BlazePose, each
 * person's two hands are also looked for on regions placed from the pose (handRoi.ts); each region
 * gets the hand landmark model's two passes (handModel.ts); a hand found both ways is kept once
 * (handMerge.ts). Pure tfjs: the models and the backend are the caller's.
 */

/** The picture's size in pixels (the tensor's width and height). */
export type PictureSize = { readonly width: number; readonly height: number };

export { handsModelId };

/**
 * `poses` (found on `input`) with their hands: with `fromPose` (BlazePose: it alone gives the
 * wrist and knuckles), each person's own two; then, with a `detector`, the palm detector's, merged
 * in (mergeDetectedHands: hands no person holds come on a pose with no body points).
 */
export async function withHands(
  landmarker: HandLandmarker,
  detector: HandDetector | null,
  fromPose: boolean,
  input: tf.Tensor3D,
  image: PictureSize,
  poses: readonly ModelPose[],
): Promise<ModelPose[]> {
  const found: ModelPose[] = [];
  for (const pose of poses) {
    const hands: ModelHand[] = [];
    if (fromPose) {
      for (const side of ['left', 'right'] as const) {
        const hand = await findHand(landmarker, input, pose, side, image);
        if (hand) hands.push(hand);
      }
    }
    found.push({ ...pose, hands });
  }
  if (!detector) return found;
  const confident = found.flatMap((pose) =>
    (pose.hands ?? []).filter((hand) => hand.score >= CONFIDENT_HAND),
  );
  const detected = await detectHands(detector, landmarker, input, image, confident);
  return mergeDetectedHands(found, detected);
}

/**
 * One hand of `pose`: the hand model on the region BlazePose's wrist and knuckles give, then once
 * more on the region its own first landmarks give, as MediaPipe does (Holistic's pose-to-hand
 * region is only a first guess that it refines with a "recrop" model we do not have). On
 * messi5.jpg the second pass raised the raised hand's presence from 0.25 to 0.89 and moved its
 * wrist 6 px towards the wrist crease; a third pass moved it under 4 px for half as much time again
 * (each pass is one hand-model run, ~50 ms here; bench: ~200 ms per frame for two hands).
 * Null when the pose gives no usable region (a hand seen end-on, or far off the picture).
 */
async function findHand(
  model: HandLandmarker,
  input: tf.Tensor3D,
  pose: ModelPose,
  side: HandSide,
  image: PictureSize,
): Promise<ModelHand | null> {
  const at = (name: string) => pose.keypoints.find((k) => k.name === `${side}_${name}`);
  const wrist = at('wrist');
  const index = at('index');
  const pinky = at('pinky');
  if (!wrist || !index || !pinky) return null;
  const first = handRoiFromPose(wrist, index, pinky);
  if (!first || !overlapsPicture(first, image)) return null;
  const found = await twoPasses(model, input, first, image);
  return toModelHand(side, found, image);
}

/** The landmark model on `first`, then once more on the region its own landmarks give. */
async function twoPasses(
  model: HandLandmarker,
  input: tf.Tensor3D,
  first: HandRoi,
  image: PictureSize,
): Promise<HandLandmarks> {
  const guess = await model.landmarks(input, first);
  const second = handRoiFromLandmarks(guess.points);
  return second && overlapsPicture(second, image) ? await model.landmarks(input, second) : guess;
}

function toModelHand(side: HandSide, found: HandLandmarks, image: PictureSize): ModelHand {
  return {
    side,
    score: found.presence,
    keypoints: found.points.map((p, i) => ({
      name: MEDIAPIPE_HAND_KEYPOINTS[i] ?? `point_${i}`,
      x: p.x,
      y: p.y,
      // The model scores the hand, not its points; a point off the picture cannot be placed.
      score: onPicture(p, image) ? found.presence : 0,
    })),
  };
}

/**
 * Every hand the palm detector finds, with no body needed: each palm's region (palmToHandRoi, as
 * MediaPipe Hands places it), the landmark model's two passes on it, the side from the model's
 * handedness (sideFromHandedness: a non-mirrored picture's convention, like the pose's sides). A
 * palm inside a hand already found with confidence — one of `known` (the pose's, which the merge
 * keeps over the detector's: handMerge.ts) or one found from an earlier palm (the detector often
 * leaves two boxes on one small hand) — is that hand again and costs no landmark run.
 */
export async function detectHands(
  detector: HandDetector,
  model: HandLandmarker,
  input: tf.Tensor3D,
  image: PictureSize,
  known: readonly ModelHand[] = [],
): Promise<ModelHand[]> {
  const palms = await detector.detect(input);
  const hands: ModelHand[] = [];
  for (const palm of palms) {
    const covered = [...known, ...hands].some((hand) => {
      if (hand.score < CONFIDENT_HAND) return false;
      const xs = hand.keypoints.map((k) => k.x);
      const ys = hand.keypoints.map((k) => k.y);
      return (
        palm.cx >= Math.min(...xs) &&
        palm.cx <= Math.max(...xs) &&
        palm.cy >= Math.min(...ys) &&
        palm.cy <= Math.max(...ys)
      );
    });
    const roi = palmToHandRoi(palm);
    if (covered || !roi) continue;
    const found = await twoPasses(model, input, roi, image);
    hands.push(toModelHand(sideFromHandedness(found.mirroredLeft), found, image));
  }
  return hands;
}

/** MediaPipe's own cut-off for a hand it keeps tracking (`min_tracking_confidence`). */
const CONFIDENT_HAND = 0.5;

function onPicture(p: { x: number; y: number }, image: PictureSize): boolean {
  return p.x >= 0 && p.y >= 0 && p.x <= image.width && p.y <= image.height;
}

function overlapsPicture(roi: HandRoi, image: PictureSize): boolean {
  const half = roi.size / 2;
  return (
    roi.cx + half > 0 &&
    roi.cy + half > 0 &&
    roi.cx - half < image.width &&
    roi.cy - half < image.height
  );
}

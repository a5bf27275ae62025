import * as tf from '@tensorflow/tfjs-core';
import { HAND_MODEL_NAME, handModelId } from './handModelIds';
import { MEDIAPIPE_HAND_KEYPOINTS } from '../domain/labels/projectSchema';
import { fromRoi, roiTransform, type HandRoi, type Point2 } from './handRoi';
import { loadGraph, plainModelFailed, type ModelFailed } from './modelLoading';

/**
 * MediaPipe's hand landmark model ("full"), as a tfjs graph model read from
 * `resources/models/hand-landmark-full/` (HAND_MODEL_PATH) on the tfjs backend the caller already
 * started: the worker thread's wasm (main/services/preannotation/handModel.ts reads the file from
 * disk) or the GPU window's WebGL (renderer/poseRunner). It takes a
 * 224×224 RGB crop (read from the model, checked on load), values 0–1, the hand upright (fingers
 * up), and gives (per its model.json's signature and MediaPipe's `hand_landmark_cpu.pbtxt`):
 *   Identity:0   21 × (x, y, z) in the crop's pixels
 *   Identity_1:0 hand presence, 0–1 (MediaPipe thresholds it at 0.5 to drop a lost hand)
 *   Identity_2:0 handedness, 0–1 — the chance the hand is a *left* hand **as MediaPipe sees
 *                it, assuming a mirrored (selfie) picture**; names only hands no body claims
 *                (handMerge.ts sideFromHandedness), since the body tells a side better.
 *   Identity_3:0 world landmarks in metres (unused)
 */

const HAND_MODEL_FILE = 'handlandmark-full.json';
/** The model.json inside the models folder. */
export const HAND_MODEL_PATH = `${HAND_MODEL_NAME}/${HAND_MODEL_FILE}`;
const OUTPUTS = ['Identity:0', 'Identity_1:0', 'Identity_2:0'];

export { HAND_MODEL_NAME, handModelId };

export type HandLandmarks = {
  /** MediaPipe's 21 points in picture pixels, in MEDIAPIPE_HAND_KEYPOINTS order. */
  readonly points: Point2[];
  readonly presence: number;
  /** MediaPipe's "left" score under its mirrored-picture assumption (diagnostic). */
  readonly mirroredLeft: number;
};

export interface HandLandmarker {
  readonly modelId: string;
  /** Runs the model on `roi` of `image` (int32 or float32, [height, width, 3], 0–255). */
  landmarks(image: tf.Tensor3D, roi: HandRoi): Promise<HandLandmarks>;
  dispose(): void;
}

/**
 * The landmark model from `handler`; `file` names it in errors. Fails (through `fail`) when the
 * file does not load or is not MediaPipe's hand landmark model.
 */
export async function loadHandLandmarker(
  handler: tf.io.IOHandler,
  file: string,
  fail: ModelFailed = plainModelFailed,
): Promise<HandLandmarker> {
  const model = await loadGraph(handler, 'The hand landmark model', fail);
  // The input size and outputs as the model file declares them, so a replaced file that differs
  // fails here with a message rather than proposing points from the wrong tensor.
  const inputShape = model.inputs[0]?.shape ?? [];
  const inputSize = inputShape[1] ?? 0;
  // The graph lists outputs as "Identity"; execute() is asked for "Identity:0" (tensor 0 of it).
  const outputNames = new Set(model.outputs.map((o) => `${o.name.replace(/:\d+$/, '')}:0`));
  if (
    inputSize <= 0 ||
    inputShape[2] !== inputSize ||
    inputShape[3] !== 3 ||
    !OUTPUTS.every((name) => outputNames.has(name))
  ) {
    model.dispose();
    throw fail(
      `The hand model file (${file}) is not MediaPipe's hand landmark model: input ${JSON.stringify(inputShape)}, outputs ${[...outputNames].join(', ')}.`,
    );
  }
  return {
    modelId: handModelId(),
    landmarks: async (image, roi) => {
      const outputs = tf.tidy(() => {
        const batch = tf.expandDims<tf.Tensor4D>(tf.cast(image, 'float32'), 0);
        // Outside the picture is black, as MediaPipe's ImageToTensorCalculator pads (zero border).
        const crop = tf.image.transform(
          batch,
          tf.tensor2d([roiTransform(roi, inputSize)], [1, 8]),
          'bilinear',
          'constant',
          0,
          [inputSize, inputSize],
        );
        return model.execute(tf.div(crop, 255), OUTPUTS) as tf.Tensor[];
      });
      try {
        const [coords, presence, handedness] = await Promise.all(outputs.map((t) => t.data()));
        const points: Point2[] = MEDIAPIPE_HAND_KEYPOINTS.map((_, i) =>
          fromRoi(roi, inputSize, {
            x: (coords as Float32Array)[3 * i] ?? 0,
            y: (coords as Float32Array)[3 * i + 1] ?? 0,
          }),
        );
        return {
          points,
          presence: clamp01((presence as Float32Array)[0] ?? 0),
          mirroredLeft: clamp01((handedness as Float32Array)[0] ?? 0),
        };
      } finally {
        tf.dispose(outputs);
      }
    },
    dispose: () => model.dispose(),
  };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

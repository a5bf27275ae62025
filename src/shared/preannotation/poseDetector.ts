import * as poseDetection from '@tensorflow-models/pose-detection';
import type * as tf from '@tensorflow/tfjs-core';
import { type PoseModelName, blazePoseType, POSE_MODEL_FILES } from '../domain/poseModelFiles';
import type { ModelPose } from '../domain/modelPose';

/**
 * The pose model itself, one definition for the worker thread (files read from disk) and the GPU
 * window's page (files read over IPC), so both paths propose the same points: `load` turns a
 * `<model>/<file>` path into the tfjs IOHandler that reads it where it runs.
 */
export async function createPoseDetector(
  model: PoseModelName,
  load: (modelFilePath: string) => tf.io.IOHandler,
): Promise<poseDetection.PoseDetector> {
  const [first, second] = POSE_MODEL_FILES[model].map((file) => load(`${model}/${file}`));
  const blazePose = blazePoseType(model);
  return blazePose !== null
    ? poseDetection.createDetector(poseDetection.SupportedModels.BlazePose, {
        runtime: 'tfjs',
        modelType: blazePose,
        // Proposals are per keyframe, often N frames apart: smoothing across them would blur.
        enableSmoothing: false,
        detectorModelUrl: first,
        landmarkModelUrl: second,
      })
    : poseDetection.createDetector(poseDetection.SupportedModels.MoveNet, {
        modelType: poseDetection.movenet.modelType.MULTIPOSE_LIGHTNING,
        enableSmoothing: false,
        // Track identity is ours to decide (associateProposals), across sparse keyframes.
        enableTracking: false,
        modelUrl: first,
      });
}

/** The people on one picture, points in its pixels, scores clamped to 0–1. */
export async function estimatePeople(
  detector: poseDetection.PoseDetector,
  model: PoseModelName,
  input: tf.Tensor3D,
): Promise<ModelPose[]> {
  // Each picture on its own: BlazePose otherwise crops the next picture around the last pose
  // (video tracking), so a proposal would depend on which frame ran before it, and keyframes are
  // sparse, often from another job or clip (measured: a wrist 40 px off). (MoveNet MultiPose
  // keeps no such state, and its reset() fails without a tracker.)
  if (blazePoseType(model) !== null) detector.reset();
  const poses = await detector.estimatePoses(input, { flipHorizontal: false });
  return poses.map((pose) => ({
    score: pose.score === undefined ? null : clamp01(pose.score),
    keypoints: pose.keypoints.map((k, index) => ({
      name: k.name ?? `point_${index}`,
      x: k.x,
      y: k.y,
      score: clamp01(k.score ?? 0),
    })),
  }));
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}

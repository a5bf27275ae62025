import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  HAND_DETECTOR_PATH,
  loadHandDetector,
  type HandDetector,
} from '../../../shared/preannotation/handDetector';
import {
  HAND_MODEL_PATH,
  loadHandLandmarker,
  type HandLandmarker,
} from '../../../shared/preannotation/handModel';
import type { ModelFailed } from '../../../shared/preannotation/modelLoading';
import { PreannotationError } from './preannotationError';
import { diskModel } from './poseModel';

/**
 * The hand models for the worker thread, read from the models folder on disk. The models
 * themselves (decoding, the hand pipeline) are src/shared/preannotation, which the GPU window's
 * page runs too; here only the files: a missing one, and a model that fails, as PreannotationError.
 */

const modelFailed: ModelFailed = (message, cause) =>
  new PreannotationError('MODEL_FAILED', message, { cause });

/** MediaPipe's hand landmark model from `<modelsDir>/hand-landmark-full/`. */
export async function createHandLandmarker(modelsDir: string): Promise<HandLandmarker> {
  const file = join(modelsDir, HAND_MODEL_PATH);
  if (!existsSync(file)) {
    throw new PreannotationError(
      'MODEL_FILES_MISSING',
      `The hand model file is missing (${file}); reinstall Framewise.`,
    );
  }
  return loadHandLandmarker(diskModel(file), file, modelFailed);
}

/** MediaPipe's palm detector from `<modelsDir>/palm-detection/`. */
export async function createHandDetector(modelsDir: string): Promise<HandDetector> {
  const file = join(modelsDir, HAND_DETECTOR_PATH);
  if (!existsSync(file)) {
    throw new PreannotationError(
      'MODEL_FILES_MISSING',
      `The hand detector model file is missing (${file}); reinstall Framewise.`,
    );
  }
  return loadHandDetector(diskModel(file), file, modelFailed);
}

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as poseDetection from '@tensorflow-models/pose-detection';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { HandDetector, Palm } from '../../../shared/preannotation/handDetector';
import type { HandLandmarker } from '../../../shared/preannotation/handModel';
import { detectHands, handsModelId, withHands } from '../../../shared/preannotation/handPipeline';
import { createPoseDetector, estimatePeople } from '../../../shared/preannotation/poseDetector';
import { createHandDetector, createHandLandmarker } from './handModel';
import { defaultModelsDir } from './modelsDir';
import { PreannotationError } from './preannotationError';
import {
  type PoseModelName,
  blazePoseType,
  POSE_MODEL_FILES,
  poseModelId,
} from '../../../shared/domain/poseModelFiles';
import type { ModelHand, ModelPose } from '../../../shared/domain/modelPose';

/**
 * The one module that reaches the pose model (STYLE.md §9): @tensorflow-models/pose-detection on
 * tfjs, with weights read from `resources/models/` (never fetched: tfhub is unreachable from many
 * annotators' networks). Everything else sees `PoseEstimator` and plain `ModelPose` values.
 *
 * With `hands`, MediaPipe's palm detector (handDetector.ts) finds hands anywhere in the picture,
 * body or no body — on egocentric footage the wearer's hands have none in view — and each gets 21
 * points from MediaPipe's hand landmark model (handModel.ts). With BlazePose, each person's two
 * hands are also looked for on regions placed from the pose (handRoi.ts), which adds hands the
 * detector missed (small, blurred, half hidden); a hand found both ways is kept once, at the
 * better score (handMerge.ts). Hands that belong to no person come on a pose with no body points.
 *
 * Backends: `wasm` is the default because on CPU-only machines it is ~20× the tfjs `cpu` backend
 * (bench/results/preannotation.json); WebGL needs a browser and a GPU, which a worker thread has
 * not.
 */

export type PoseBackend = 'wasm' | 'cpu';

/** A decoded picture: rows of RGB bytes, `width * height * 3` long. */
export type RgbImage = {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
};

export interface PoseEstimator {
  readonly model: PoseModelName;
  /** Recorded on every proposal: model, weights' package and version. */
  readonly modelId: string;
  readonly backend: PoseBackend;
  /**
   * The hand models' id when hands are proposed (`ModelPose.hands`), else null: the landmark
   * model's, and the palm detector's that placed the regions.
   */
  readonly handModelId: string | null;
  /** People found on the picture, points in the picture's pixels. */
  estimate(image: RgbImage): Promise<ModelPose[]>;
  dispose(): void;
}

/** What hand points are recorded as (shared with the GPU window's page). */
export { handsModelId };

function defaultWasmDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
}

type WeightsManifest = { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];

/**
 * A tfjs IOHandler over a model.json and its .bin shards on disk. tfjs-core's own file loader
 * (`tf.io.fileSystem`) lives in tfjs-node, which we do not ship (native, large, no gain over wasm).
 * `signature` must be passed through: pose-detection asks for outputs by signature name (`ld_3d`).
 */
export function diskModel(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      const manifest = json.weightsManifest as WeightsManifest;
      const shards = await Promise.all(
        manifest.flatMap((group) =>
          group.paths.map((path) => readFile(join(dirname(modelJsonPath), path))),
        ),
      );
      const weights = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ),
      };
    },
  };
}

let backendReady: Promise<void> | undefined;
let backendInUse: PoseBackend | undefined;

/** tfjs keeps one backend per thread; a second estimator on another backend would switch both. */
async function useBackend(backend: PoseBackend, wasmDir: string): Promise<void> {
  if (backendInUse !== undefined && backendInUse !== backend) {
    throw new PreannotationError(
      'MODEL_FAILED',
      `This thread already runs pose models on ${backendInUse}; use one backend per worker.`,
    );
  }
  backendInUse = backend;
  backendReady ??= (async () => {
    // A path prefix: in Node, emscripten reads the .wasm with fs, never fetch.
    if (backend === 'wasm') setWasmPaths(`${wasmDir}/`);
    const ok = await tf.setBackend(backend);
    if (!ok)
      throw new PreannotationError('MODEL_FAILED', `The tfjs ${backend} backend failed to start.`);
    await tf.ready();
  })();
  await backendReady;
}

export type PoseEstimatorOptions = {
  model: PoseModelName;
  backend?: PoseBackend;
  modelsDir?: string;
  wasmDir?: string;
  /**
   * Also find hands: the palm detector's everywhere, and, with BlazePose (it alone gives the
   * knuckles to place them), each person's own.
   */
  hands?: boolean;
  /**
   * With `hands`, also run the palm detector (default true). False leaves only the pose-placed
   * regions, as before the detector: for comparing the two in tests and the bench.
   */
  handDetector?: boolean;
};

export async function createPoseEstimator(options: PoseEstimatorOptions): Promise<PoseEstimator> {
  const { model } = options;
  const backend = options.backend ?? 'wasm';
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  const files = POSE_MODEL_FILES[model].map((file) => join(modelsDir, model, file));
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new PreannotationError(
      'MODEL_FILES_MISSING',
      `The ${model} model files are missing (${missing.join(', ')}); reinstall Framewise.`,
    );
  }
  await useBackend(backend, options.wasmDir ?? defaultWasmDir());
  const blazePose = blazePoseType(model);

  let detector: poseDetection.PoseDetector;
  try {
    detector = await createPoseDetector(model, (path) => diskModel(join(modelsDir, path)));
  } catch (error) {
    throw new PreannotationError('MODEL_FAILED', `The ${model} model could not be loaded.`, {
      cause: error,
    });
  }
  let handModel: HandLandmarker | null = null;
  let handDetector: HandDetector | null = null;
  if (options.hands === true) {
    try {
      handModel = await createHandLandmarker(modelsDir);
      if (options.handDetector !== false) handDetector = await createHandDetector(modelsDir);
    } catch (error) {
      detector.dispose();
      handModel?.dispose();
      throw error;
    }
  }

  return {
    model,
    modelId: poseModelId(model),
    handModelId: handModel ? (handDetector ? handsModelId() : handModel.modelId) : null,
    backend,
    estimate: async (image) => {
      const input = toTensor(image);
      try {
        const found = await estimatePeople(detector, model, input);
        if (!handModel) return found;
        return await withHands(handModel, handDetector, blazePose !== null, input, image, found);
      } finally {
        input.dispose();
      }
    },
    dispose: () => {
      detector.dispose();
      handModel?.dispose();
      handDetector?.dispose();
    },
  };
}

/** Hands found by the palm detector alone, no pose model: for tests and the bench. */
export interface HandEstimator {
  readonly modelId: string;
  /** Hands, their sides from the hand model's handedness (sideFromHandedness). */
  estimate(image: RgbImage): Promise<ModelHand[]>;
  /** The palm detector's boxes alone. */
  palms(image: RgbImage): Promise<Palm[]>;
  dispose(): void;
}

export async function createHandEstimator(
  options: { backend?: PoseBackend; modelsDir?: string; wasmDir?: string } = {},
): Promise<HandEstimator> {
  const modelsDir = options.modelsDir ?? defaultModelsDir();
  await useBackend(options.backend ?? 'wasm', options.wasmDir ?? defaultWasmDir());
  const handModel = await createHandLandmarker(modelsDir);
  const handDetector = await createHandDetector(modelsDir).catch((error: unknown) => {
    handModel.dispose();
    throw error;
  });
  return {
    modelId: handsModelId(),
    estimate: async (image) => {
      const input = toTensor(image);
      try {
        return await detectHands(handDetector, handModel, input, image);
      } finally {
        input.dispose();
      }
    },
    palms: async (image) => {
      const input = toTensor(image);
      try {
        return await handDetector.detect(input);
      } finally {
        input.dispose();
      }
    },
    dispose: () => {
      handModel.dispose();
      handDetector.dispose();
    },
  };
}

function toTensor(image: RgbImage): tf.Tensor3D {
  const expected = image.width * image.height * 3;
  if (image.data.length !== expected) {
    throw new PreannotationError(
      'MODEL_FAILED',
      `A ${image.width}×${image.height} RGB picture has ${expected} bytes, not ${image.data.length}.`,
    );
  }
  return tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
}

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BrowserPoseBackend } from '../../shared/api/poseRunnerProtocol';
import { type PoseModelName, blazePoseType, poseModelId } from '../../shared/domain/poseModelFiles';
import {
  HAND_DETECTOR_PATH,
  loadHandDetector,
  type HandDetector,
} from '../../shared/preannotation/handDetector';
import {
  HAND_MODEL_PATH,
  loadHandLandmarker,
  type HandLandmarker,
} from '../../shared/preannotation/handModel';
import { handsModelId, withHands } from '../../shared/preannotation/handPipeline';
import { createPoseDetector, estimatePeople } from '../../shared/preannotation/poseDetector';
import type { ModelPose } from '../../shared/domain/modelPose';

/**
 * Pose models in a browser page, for the GPU path of pre-annotation: the same models, the same
 * weights files (resources/models, read through `readModelFile`, never fetched from the
 * internet) and the same pose-detection `tfjs` runtime settings as the worker thread's
 * src/main/services/preannotation/poseModel.ts, on tfjs's WebGL backend (or wasm, to compare).
 * Poses come out in the worker protocol's shape (`ModelPose`, points in the picture's pixels).
 *
 * With `hands`, the worker's hand pipeline too (src/shared/preannotation/handPipeline.ts, one copy
 * for both): the palm detector everywhere, BlazePose's own hand regions, the hand landmark model's
 * two passes, the merge.
 */

/** Reads `<model>/<file>` from the models folder (served, or over IPC from the main process). */
export type ReadModelFile = (path: string) => Promise<ArrayBuffer | Uint8Array>;

/** A picture as the worker gets it: `width * height * 3` RGB bytes. */
export type RgbPicture = {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
};
export type RunnerPicture = RgbPicture | ImageData | ImageBitmap;

export interface BrowserPoseRunner {
  readonly model: PoseModelName;
  readonly modelId: string;
  readonly backend: BrowserPoseBackend;
  /** The hand models' id when hands are proposed, else null (as the worker's `handModelId`). */
  readonly handModelId: string | null;
  /** The WebGL renderer this page gets (WEBGL_debug_renderer_info), null without WebGL. */
  readonly renderer: string | null;
  estimate(picture: RunnerPicture): Promise<ModelPose[]>;
  dispose(): void;
}

/**
 * The page's GPU as Chromium names it (UNMASKED_RENDERER_WEBGL, e.g. "ANGLE (NVIDIA, …)" or
 * "… SwiftShader …"): what domain/poseBackend.ts decides on. Null when WebGL is unavailable.
 */
export function webglRendererString(): string | null {
  const canvas =
    typeof OffscreenCanvas === 'undefined'
      ? document.createElement('canvas')
      : new OffscreenCanvas(1, 1);
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as
    WebGLRenderingContext | WebGL2RenderingContext | null;
  if (!gl) return null;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return typeof renderer === 'string' ? renderer : null;
}

/** The backend tfjs really runs on in this page (it falls back silently on some failures). */
export function activeBackend(): string {
  return tf.getBackend();
}

type WeightsManifest = { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];

function toArrayBuffer(bytes: ArrayBuffer | Uint8Array): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

/**
 * A tfjs IOHandler over a model.json and its .bin shards, as poseModel.ts's `diskModel`;
 * `signature` is passed through (pose-detection asks for outputs by signature name).
 */
export function readModel(read: ReadModelFile, modelJsonPath: string): tf.io.IOHandler {
  const folder = modelJsonPath.slice(0, modelJsonPath.lastIndexOf('/') + 1);
  return {
    load: async () => {
      const json = JSON.parse(
        new TextDecoder().decode(toArrayBuffer(await read(modelJsonPath))),
      ) as tf.io.ModelJSON;
      const manifest = json.weightsManifest as WeightsManifest;
      const shards = await Promise.all(
        manifest.flatMap((group) =>
          group.paths.map(async (path) => toArrayBuffer(await read(folder + path))),
        ),
      );
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: tf.io.CompositeArrayBuffer.join(shards),
      };
    },
  };
}

let backendReady: Promise<void> | undefined;
let backendInUse: BrowserPoseBackend | undefined;

/** One backend per page, as one per worker thread in poseModel.ts. */
async function startBackend(
  backend: BrowserPoseBackend,
  wasmPath: string | undefined,
): Promise<void> {
  if (backendInUse !== undefined && backendInUse !== backend) {
    throw new Error(
      `This page already runs pose models on ${backendInUse}; use one backend per page.`,
    );
  }
  backendInUse = backend;
  backendReady ??= (async () => {
    if (backend === 'wasm') {
      if (!wasmPath)
        throw new Error('The wasm backend needs the served tfjs-backend-wasm dist/ URL.');
      setWasmPaths(wasmPath);
    }
    if (!(await tf.setBackend(backend)))
      throw new Error(`The tfjs ${backend} backend failed to start.`);
    await tf.ready();
  })();
  await backendReady;
}

export type BrowserPoseRunnerOptions = {
  model: PoseModelName;
  backend: BrowserPoseBackend;
  readModelFile: ReadModelFile;
  /** For `wasm`: the URL prefix of tfjs-backend-wasm's dist/ (served, never a CDN). */
  wasmPath?: string;
  /** Also find hands, as the worker's `hands` (palm detector and, with BlazePose, pose regions). */
  hands?: boolean;
};

export async function createBrowserPoseRunner(
  options: BrowserPoseRunnerOptions,
): Promise<BrowserPoseRunner> {
  const { model, backend, readModelFile } = options;
  await startBackend(backend, options.wasmPath);
  // The same model and settings as the worker (shared/preannotation/poseDetector.ts).
  const blazePose = blazePoseType(model);
  const detector = await createPoseDetector(model, (path) => readModel(readModelFile, path));
  let hands: { landmarker: HandLandmarker; detector: HandDetector } | null = null;
  if (options.hands === true) {
    let landmarker: HandLandmarker | undefined;
    try {
      landmarker = await loadHandLandmarker(
        readModel(readModelFile, HAND_MODEL_PATH),
        HAND_MODEL_PATH,
      );
      const palms = await loadHandDetector(
        readModel(readModelFile, HAND_DETECTOR_PATH),
        HAND_DETECTOR_PATH,
      );
      hands = { landmarker, detector: palms };
    } catch (error) {
      detector.dispose();
      landmarker?.dispose();
      throw error;
    }
  }
  return {
    model,
    modelId: poseModelId(model),
    backend,
    handModelId: hands ? handsModelId() : null,
    renderer: webglRendererString(),
    estimate: async (picture) => {
      const input = toTensor(picture);
      try {
        const found = await estimatePeople(detector, model, input);
        if (!hands) return found;
        const size = { width: input.shape[1], height: input.shape[0] };
        return await withHands(
          hands.landmarker,
          hands.detector,
          blazePose !== null,
          input,
          size,
          found,
        );
      } finally {
        input.dispose();
      }
    },
    dispose: () => {
      detector.dispose();
      hands?.landmarker.dispose();
      hands?.detector.dispose();
    },
  };
}

function toTensor(picture: RunnerPicture): tf.Tensor3D {
  if ('data' in picture && !(picture instanceof ImageData)) {
    const expected = picture.width * picture.height * 3;
    if (picture.data.length !== expected) {
      throw new Error(
        `A ${String(picture.width)}×${String(picture.height)} RGB picture has ${String(expected)} bytes, not ${String(picture.data.length)}.`,
      );
    }
    return tf.tensor3d(picture.data, [picture.height, picture.width, 3], 'int32');
  }
  // RGBA pixels (ImageData, ImageBitmap) → int32 RGB, as the worker's tensor.
  return tf.browser.fromPixels(picture, 3);
}

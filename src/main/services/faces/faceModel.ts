import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tfConverter from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  FACE_MODEL_FILES,
  faceModelId,
  type FaceModelName,
} from '../../../shared/domain/faces/faceModelFiles';
import type { FaceBox } from '../../../shared/domain/faces/faceTracks';
import type * as FaceApiModule from '@vladmandic/face-api';
import { CodedError } from '../../../shared/domain/codedError';

/**
 * The one module that reaches the face detector: @vladmandic/face-api's SSD MobileNet v1 (or its
 * tiny detector) on the tfjs build the pose models already use (tfjs-core 4.22, wasm backend).
 *
 * Which face-api build: its Node builds `require('@tensorflow/tfjs')`, the union package, which is
 * not installed (we ship tfjs-core, -converter and the backends separately); its browser bundle
 * carries a second, private tfjs that fails in Node (`util.TextEncoder`). So the CJS
 * `face-api.node-wasm.js` is loaded with `@tensorflow/tfjs` answered by the tfjs-core module this
 * thread already has (same engine, same wasm backend as pose), plus the chained tensor methods
 * (`t.as3D()`, `t.sub()`…) the union package would have installed. Weights are decoded here from
 * the package's files after their sha256 is checked, never fetched.
 */

export type FaceBackend = 'wasm' | 'cpu';
export type FaceErrorCode = 'MODEL_FILES_MISSING' | 'MODEL_CHANGED' | 'MODEL_FAILED';

export class FaceModelError extends CodedError<FaceErrorCode> {
  override name = 'FaceModelError';
}

export type RgbImage = {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
};

export interface FaceDetector {
  readonly modelId: string;
  readonly backend: FaceBackend;
  /** Faces on the picture, boxes in its pixels. */
  detect(image: RgbImage): Promise<FaceBox[]>;
}

type FaceApi = typeof FaceApiModule;

let faceApi: FaceApi | undefined;

function loadFaceApi(): FaceApi {
  if (faceApi) return faceApi;
  installChainedOps();
  const require = createRequire(import.meta.url);
  const shimId = '\0framewise:@tensorflow/tfjs';
  const cjs = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
    _cache: Record<string, unknown>;
  };
  cjs._cache[shimId] = {
    id: shimId,
    filename: shimId,
    loaded: true,
    exports: { ...tf, ...tfConverter },
    children: [],
    paths: [],
  };
  const resolve = cjs._resolveFilename;
  cjs._resolveFilename = function (request: string, ...rest: unknown[]) {
    return request === '@tensorflow/tfjs' ? shimId : resolve.call(this, request, ...rest);
  };
  try {
    faceApi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  } finally {
    cjs._resolveFilename = resolve;
  }
  return faceApi;
}

/**
 * Tensor methods face-api calls (`x.as3D(…)`, `x.sub(…)`, `x.toFloat()`); tfjs-core's Node entry
 * does not install them (the union package does, from ESM files Node cannot load here). Each is
 * the op with the tensor first, as tfjs-core's own chained_ops define them.
 */
function installChainedOps(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  if (typeof proto.as3D === 'function') return;
  const ops = tf as unknown as Record<string, (...args: unknown[]) => tf.Tensor>;
  const special: Record<string, (this: tf.Tensor, ...args: never[]) => tf.Tensor> = {
    as1D() {
      return tf.reshape(this, [this.size]);
    },
    as2D(rows: number, cols: number) {
      return tf.reshape(this, [rows, cols]);
    },
    as3D(rows: number, cols: number, depth: number) {
      return tf.reshape(this, [rows, cols, depth]);
    },
    as4D(a: number, b: number, c: number, d: number) {
      return tf.reshape(this, [a, b, c, d]);
    },
    as5D(a: number, b: number, c: number, d: number, e: number) {
      return tf.reshape(this, [a, b, c, d, e]);
    },
    asScalar() {
      return tf.reshape(this, []);
    },
    asType(dtype: tf.DataType) {
      return tf.cast(this, dtype);
    },
    toFloat() {
      return tf.cast(this, 'float32');
    },
    toInt() {
      return tf.cast(this, 'int32');
    },
    toBool() {
      return tf.cast(this, 'bool');
    },
    reshapeAs(other: tf.Tensor) {
      return tf.reshape(this, other.shape);
    },
    concat(others: tf.Tensor | tf.Tensor[], axis?: number) {
      return tf.concat([this, ...(Array.isArray(others) ? others : [others])], axis);
    },
    stack(others: tf.Tensor | tf.Tensor[], axis?: number) {
      return tf.stack([this, ...(Array.isArray(others) ? others : [others])], axis);
    },
    where(condition: tf.Tensor, other: tf.Tensor) {
      return tf.where(condition, this, other);
    },
  };
  for (const [name, method] of Object.entries(special)) proto[name] = method;
  for (const name of CHAINED_OPS) {
    const op = ops[name];
    if (typeof op !== 'function' || typeof proto[name] === 'function') continue;
    proto[name] = function (this: tf.Tensor, ...args: unknown[]) {
      return op(this, ...args);
    };
  }
}

/** tfjs-core's chained_ops whose op takes the tensor as its first argument. */
const CHAINED_OPS = [
  'abs',
  'acos',
  'acosh',
  'add',
  'all',
  'any',
  'argMax',
  'argMin',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'avgPool',
  'batchToSpaceND',
  'batchNorm',
  'broadcastTo',
  'cast',
  'ceil',
  'clipByValue',
  'conv1d',
  'conv2d',
  'conv2dTranspose',
  'cos',
  'cosh',
  'cumprod',
  'cumsum',
  'depthToSpace',
  'depthwiseConv2d',
  'dilation2d',
  'div',
  'divNoNan',
  'dot',
  'elu',
  'equal',
  'erf',
  'euclideanNorm',
  'exp',
  'expandDims',
  'expm1',
  'fft',
  'flatten',
  'floor',
  'floorDiv',
  'gather',
  'greater',
  'greaterEqual',
  'ifft',
  'irfft',
  'isFinite',
  'isInf',
  'isNaN',
  'leakyRelu',
  'less',
  'lessEqual',
  'localResponseNormalization',
  'log',
  'log1p',
  'logSigmoid',
  'logSoftmax',
  'logSumExp',
  'logicalAnd',
  'logicalNot',
  'logicalOr',
  'logicalXor',
  'matMul',
  'max',
  'maxPool',
  'maximum',
  'mean',
  'min',
  'minimum',
  'mirrorPad',
  'mod',
  'mul',
  'neg',
  'norm',
  'notEqual',
  'oneHot',
  'onesLike',
  'pad',
  'pool',
  'pow',
  'prelu',
  'prod',
  'reciprocal',
  'relu',
  'relu6',
  'reshape',
  'resizeBilinear',
  'resizeNearestNeighbor',
  'reverse',
  'rfft',
  'round',
  'rsqrt',
  'selu',
  'separableConv2d',
  'sigmoid',
  'sign',
  'sin',
  'sinh',
  'slice',
  'softmax',
  'softplus',
  'spaceToBatchND',
  'split',
  'sqrt',
  'square',
  'squaredDifference',
  'step',
  'stridedSlice',
  'sub',
  'sum',
  'tan',
  'tanh',
  'tile',
  'topk',
  'transpose',
  'unique',
  'unsortedSegmentSum',
  'unstack',
  'zerosLike',
  'squeeze',
];

let backendReady: Promise<void> | undefined;

async function useBackend(backend: FaceBackend): Promise<void> {
  backendReady ??= (async () => {
    if (tf.getBackend() === backend) return;
    if (backend === 'wasm') {
      const require = createRequire(import.meta.url);
      const wasmDir = join(
        dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')),
        'dist',
      );
      setWasmPaths(`${wasmDir}/`);
    }
    if (!(await tf.setBackend(backend))) {
      throw new FaceModelError('MODEL_FAILED', `The tfjs ${backend} backend failed to start.`);
    }
    await tf.ready();
  })();
  await backendReady;
}

/** The package's model folder, found from node_modules as Node resolves it. */
export function faceModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

type Manifest = { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];

async function readChecked(dir: string, file: string, sha256: string | undefined): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch (error) {
    throw new FaceModelError(
      'MODEL_FILES_MISSING',
      `The face detector's file ${file} is missing from ${dir}; reinstall Framewise.`,
      { cause: error },
    );
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) {
    throw new FaceModelError(
      'MODEL_CHANGED',
      `The face detector's file ${file} is not the one Framewise was tested with (sha256 ${actual}); reinstall Framewise.`,
    );
  }
  return bytes;
}

export type FaceDetectorOptions = {
  model?: FaceModelName;
  backend?: FaceBackend;
  /** Least detector confidence kept (0.2): low, because a missed face is worse than an extra blur. */
  minConfidence?: number;
  modelDir?: string;
};

export async function createFaceDetector(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
  const model = options.model ?? 'ssd-mobilenetv1';
  const backend = options.backend ?? 'wasm';
  const minConfidence = options.minConfidence ?? 0.2;
  const dir = options.modelDir ?? faceModelDir();
  const files = FACE_MODEL_FILES[model];
  const manifestBytes = await readChecked(dir, files.manifest, files.sha256[files.manifest]);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  const shards = await Promise.all(
    manifest.flatMap((group) =>
      group.paths.map((path) => readChecked(dir, path, files.sha256[path])),
    ),
  );
  await useBackend(backend);
  const api = loadFaceApi();
  const weights = Buffer.concat(shards);
  const net = model === 'ssd-mobilenetv1' ? new api.SsdMobilenetv1() : new api.TinyFaceDetector();
  try {
    const map = tf.io.decodeWeights(
      weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      manifest.flatMap((group) => group.weights),
    );
    net.loadFromWeightMap(map as never);
  } catch (error) {
    throw new FaceModelError('MODEL_FAILED', `The ${model} face detector could not be loaded.`, {
      cause: error,
    });
  }
  const detectOptions =
    model === 'ssd-mobilenetv1'
      ? new api.SsdMobilenetv1Options({ minConfidence, maxResults: 200 })
      : new api.TinyFaceDetectorOptions({ inputSize: 608, scoreThreshold: minConfidence });
  return {
    modelId: faceModelId(model),
    backend,
    detect: async (image) => {
      const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
      try {
        const found = await net.locateFaces(input, detectOptions);
        return found.map((d) => ({
          x: d.box.x,
          y: d.box.y,
          width: d.box.width,
          height: d.box.height,
          score: Math.min(1, Math.max(0, d.score)),
        }));
      } finally {
        input.dispose();
      }
    },
  };
}

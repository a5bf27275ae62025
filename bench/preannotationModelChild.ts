import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { PoseModelName } from '../src/shared/api/preannotationSchemas';
import { createPoseEstimator } from '../src/main/services/preannotation/poseModel';

/**
 * One model on one backend, in a process of its own: tfjs keeps one backend per thread, and the
 * cpu backend must not share a process with wasm. Reads raw RGB frames (width×height×3 each, back
 * to back) and prints one JSON line: load time, first call, and the mean of the warm calls.
 */
const [modelArg, backendArg, framesPath, widthArg, heightArg, warmArg, handsArg] =
  process.argv.slice(2);
if (!modelArg || !framesPath || !widthArg || !heightArg || !warmArg) {
  throw new Error(
    'usage: preannotationModelChild.ts <model> <wasm|cpu> <frames.rgb> <w> <h> <n> [hands]',
  );
}
const model = PoseModelName.parse(modelArg);
const backend = backendArg === 'cpu' ? 'cpu' : 'wasm';
const width = Number(widthArg);
const height = Number(heightArg);
const warm = Number(warmArg);
const bytes = readFileSync(framesPath);
const frameBytes = width * height * 3;
const frameCount = Math.floor(bytes.length / frameBytes);
const frame = (i: number) => ({
  data: new Uint8Array(bytes.buffer, bytes.byteOffset + (i % frameCount) * frameBytes, frameBytes),
  width,
  height,
});

const loadStart = performance.now();
const estimator = await createPoseEstimator({ model, backend, hands: handsArg === 'hands' });
const loadMs = performance.now() - loadStart;
const firstStart = performance.now();
await estimator.estimate(frame(0));
const firstMs = performance.now() - firstStart;
const warmStart = performance.now();
for (let i = 1; i <= warm; i++) await estimator.estimate(frame(i));
const warmMs = (performance.now() - warmStart) / warm;
estimator.dispose();
console.log(JSON.stringify({ model: estimator.modelId, backend, loadMs, firstMs, warmMs }));

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  createHandEstimator,
  createPoseEstimator,
  type RgbImage,
} from '../src/main/services/preannotation/poseModel';
import { PoseModelName } from '../src/shared/domain/poseModelFiles';

/**
 * One model on one backend, in a process of its own: tfjs keeps one backend per thread, and the
 * cpu backend must not share a process with wasm. Reads raw RGB frames (width×height×3 each, back
 * to back) and prints one JSON line: load time, first call, and the mean of the warm calls.
 * The last argument says what runs: `body` (the pose model alone), `hands` (the pose model and
 * hands as a run asks for them: palm detector + pose-placed regions, merged), `posehands` (the
 * pose-placed regions only, as before the detector), `palms` (the palm detector alone, no
 * landmarks, no pose) or `detectorhands` (palm detector + hand landmarks, no pose).
 */
const [modelArg, backendArg, framesPath, widthArg, heightArg, warmArg, handsArg] =
  process.argv.slice(2);
if (!modelArg || !framesPath || !widthArg || !heightArg || !warmArg) {
  throw new Error(
    'usage: preannotationModelChild.ts <model> <wasm|cpu> <frames.rgb> <w> <h> <n> [body|hands|posehands|palms|detectorhands]',
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

type Runner = { modelId: string; run(image: RgbImage): Promise<unknown>; dispose(): void };

async function runner(): Promise<Runner> {
  if (handsArg === 'palms' || handsArg === 'detectorhands') {
    const hands = await createHandEstimator({ backend });
    return {
      modelId: hands.modelId,
      run: (image) => (handsArg === 'palms' ? hands.palms(image) : hands.estimate(image)),
      dispose: () => hands.dispose(),
    };
  }
  const estimator = await createPoseEstimator({
    model,
    backend,
    hands: handsArg === 'hands' || handsArg === 'posehands',
    handDetector: handsArg !== 'posehands',
  });
  return {
    modelId: estimator.modelId,
    run: (image) => estimator.estimate(image),
    dispose: () => estimator.dispose(),
  };
}

const loadStart = performance.now();
const estimator = await runner();
const loadMs = performance.now() - loadStart;
const firstStart = performance.now();
await estimator.run(frame(0));
const firstMs = performance.now() - firstStart;
const warmStart = performance.now();
for (let i = 1; i <= warm; i++) await estimator.run(frame(i));
const warmMs = (performance.now() - warmStart) / warm;
estimator.dispose();
console.log(JSON.stringify({ model: estimator.modelId, backend, loadMs, firstMs, warmMs }));

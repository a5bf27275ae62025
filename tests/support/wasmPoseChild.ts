import { decodeFrameRgb } from '../../src/node/media/ffmpeg';
import { createPoseEstimator } from '../../src/main/services/preannotation/poseModel';
import { PoseModelName } from '../../src/shared/domain/poseModelFiles';

/**
 * The worker's own path as a reference: the picture decoded by ffmpeg (as the worker decodes
 * frames) and BlazePose on tfjs wasm in Node (poseModel.ts). Prints one JSON line: the RGB
 * bytes (base64) and the poses, so a browser runner can be fed the very same pixels.
 * With `hands`, the worker's hands too (palm detector and BlazePose's hand regions, poseModel.ts);
 * `model` defaults to BlazePose full.
 * usage: tsx tests/support/wasmPoseChild.ts <image> <width> <height> [hands|body] [model]
 */
const [input, widthArg, heightArg, handsArg, modelArg] = process.argv.slice(2);
if (!input || !widthArg || !heightArg) throw new Error('usage: wasmPoseChild.ts <image> <w> <h>');
const width = Number(widthArg);
const height = Number(heightArg);
const image = await decodeFrameRgb({ input, seekSeconds: 0, width, height });
const estimator = await createPoseEstimator({
  model: PoseModelName.parse(modelArg ?? 'blazepose-full'),
  backend: 'wasm',
  hands: handsArg === 'hands',
});
const poses = await estimator.estimate(image);
estimator.dispose();
process.stdout.write(
  JSON.stringify({ rgb: Buffer.from(image.data).toString('base64'), width, height, poses }) + '\n',
);

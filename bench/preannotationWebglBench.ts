import { loadavg } from 'node:os';
import { chromium } from '@playwright/test';
import { choosePoseBackend } from '../src/shared/domain/poseBackend';
import { decodeFrameRgb } from '../src/node/media/ffmpeg';
import {
  estimatePicture,
  loadRunner,
  openPoseRunnerPage,
  POSE_RUNNER_FLAGS,
  setPicture,
} from '../tests/support/poseRunnerPage';
import { CHROMIUM_PATH } from '../tests/support/systemChromium';

/**
 * BlazePose full in Chromium through the GPU path's page (src/renderer/poseRunner): tfjs WebGL,
 * which on this machine (no GPU) is SwiftShader, against tfjs wasm in the same browser and the
 * same page code. The picture is messi5.jpg scaled to 640×400, the model input of
 * bench/preannotationBench.ts (whose wasm figures are the worker thread's, in Node).
 *
 * Per backend: model load, the first call (WebGL compiles its shaders then), and the mean of the
 * warm calls on the picture as RGB bytes already on the page (what the window gets over IPC).
 * The renderer string goes to the console; the figure `renderer_is_software` says whether
 * domain/poseBackend.ts sends pre-annotation back to wasm here (1 = yes).
 *
 * Then the same with hands (the app's default request): the worker's hand pipeline in the page
 * (src/shared/preannotation/handPipeline.ts — palm detector, BlazePose's hand regions, two landmark
 * passes each, merge), on each backend; `*_hands_found` is the hands it proposed (2 on messi5).
 */
const MESSI = '/usr/share/doc/opencv-doc/examples/data/messi5.jpg';
const WIDTH = 640;
const HEIGHT = 400;
const WARM = { webgl: 10, wasm: 20 } as const;
const WARM_HANDS = { webgl: 5, wasm: 10 } as const;

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export async function runPreannotationWebglBench(): Promise<Record<string, number>> {
  const image = await decodeFrameRgb({
    input: MESSI,
    seekSeconds: 0,
    width: WIDTH,
    height: HEIGHT,
  });
  const rgb = Buffer.from(image.data).toString('base64');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...POSE_RUNNER_FLAGS],
  });
  const figures: Record<string, number> = { model_input_width: WIDTH, model_input_height: HEIGHT };
  try {
    const runs = [
      { backend: 'webgl', hands: false },
      { backend: 'wasm', hands: false },
      { backend: 'webgl', hands: true },
      { backend: 'wasm', hands: true },
    ] as const;
    for (const { backend, hands } of runs) {
      // A page each: tfjs keeps one backend per page.
      const page = await openPoseRunnerPage(browser);
      const loaded = await loadRunner(page, backend, { hands });
      await setPicture(page, rgb, WIDTH, HEIGHT);
      const first = await estimatePicture(page, 1);
      const warm = await estimatePicture(page, (hands ? WARM_HANDS : WARM)[backend]);
      const mean = warm.ms.reduce((a, b) => a + b, 0) / warm.ms.length;
      const bodies = first.poses.filter((pose) => pose.keypoints.length > 0);
      if (bodies.length !== 1) throw new Error(`${backend}: ${String(bodies.length)} poses`);
      const key = `blazepose_full${hands ? '_hands' : ''}_${
        backend === 'webgl' ? 'webgl_swiftshader' : 'wasm_chromium'
      }`;
      figures[`${key}_fps`] = round(1000 / mean, 2);
      figures[`${key}_ms_per_frame`] = round(mean);
      figures[`${key}_load_ms`] = round(loaded.loadMs);
      figures[`${key}_first_call_ms`] = round(first.ms[0] ?? 0);
      if (hands) {
        figures[`${key}_hands_found`] = warm.poses.flatMap((pose) => pose.hands ?? []).length;
      } else if (backend === 'webgl') {
        console.log(`WebGL renderer: ${loaded.renderer ?? '(none)'}`);
        figures.renderer_is_software = choosePoseBackend(loaded.renderer) === 'wasm' ? 1 : 0;
      }
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const webgl = figures.blazepose_full_webgl_swiftshader_ms_per_frame ?? 0;
  const wasm = figures.blazepose_full_wasm_chromium_ms_per_frame ?? 0;
  figures.wasm_over_webgl_swiftshader_speedup = round(webgl / wasm, 2);
  const webglHands = figures.blazepose_full_hands_webgl_swiftshader_ms_per_frame ?? 0;
  const wasmHands = figures.blazepose_full_hands_wasm_chromium_ms_per_frame ?? 0;
  figures.hands_wasm_over_webgl_swiftshader_speedup = round(webglHands / wasmHands, 2);
  figures.load_average_1min_at_end = round(loadavg()[0] ?? 0, 2);
  return figures;
}

import { loadavg } from 'node:os';
import { chromium } from '@playwright/test';
import { choosePoseBackend } from '../src/shared/domain/poseBackend';
import { decodeFrameRgb } from '../src/main/services/media/ffmpeg';
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
 */
const MESSI = '/usr/share/doc/opencv-doc/examples/data/messi5.jpg';
const WIDTH = 640;
const HEIGHT = 400;
const WARM = { webgl: 10, wasm: 20 } as const;

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
    for (const backend of ['webgl', 'wasm'] as const) {
      // A page each: tfjs keeps one backend per page.
      const page = await openPoseRunnerPage(browser);
      const loaded = await loadRunner(page, backend);
      await setPicture(page, rgb, WIDTH, HEIGHT);
      const first = await estimatePicture(page, 1);
      const warm = await estimatePicture(page, WARM[backend]);
      const mean = warm.ms.reduce((a, b) => a + b, 0) / warm.ms.length;
      if (first.poses.length !== 1)
        throw new Error(`${backend}: ${String(first.poses.length)} poses`);
      const key =
        backend === 'webgl' ? 'blazepose_full_webgl_swiftshader' : 'blazepose_full_wasm_chromium';
      figures[`${key}_fps`] = round(1000 / mean, 2);
      figures[`${key}_ms_per_frame`] = round(mean);
      figures[`${key}_load_ms`] = round(loaded.loadMs);
      figures[`${key}_first_call_ms`] = round(first.ms[0] ?? 0);
      if (backend === 'webgl') {
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
  figures.load_average_1min_at_end = round(loadavg()[0] ?? 0, 2);
  return figures;
}

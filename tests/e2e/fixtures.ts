import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base, expect, type Page } from '@playwright/test';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/**
 * A running `framewise serve`: the URL it printed (with `?token=`), its origin and token, and its
 * database file (for specs that must seed what no UI can make on one machine, such as a second
 * annotator's labels).
 */
export type LoopbackHost = { url: string; origin: string; token: string; databasePath: string };

type WorkerFixtures = { hostPerFile: HostPerFile };
type TestFixtures = { host: LoopbackHost };
type TestOptions = {
  /** Console errors a test provokes on purpose (Chromium logs every 4xx response it fetches). */
  allowedConsoleErrors: RegExp[];
};

const STARTUP_TIMEOUT_MS = 45_000;
/** The CLI to run as `<cli> serve --db FILE`; overridable to try the tests against another host. */
const HOST_CLI = process.env.FRAMEWISE_E2E_CLI ?? 'bin/framewise.mjs';

/**
 * One loopback host and database per spec file: the tests of a file share it (and may build on
 * each other's imports), while a worker that moves on to the next file starts afresh, so no file
 * sees what another imported (a worker runs many files, in an order no test should depend on).
 */
class HostPerFile {
  private current: { file: string; host: Promise<RunningHost> } | null = null;

  async forFile(file: string): Promise<LoopbackHost> {
    if (this.current?.file !== file) {
      await this.close();
      this.current = { file, host: startHost() };
    }
    return (await this.current.host).host;
  }

  async close(): Promise<void> {
    const running = this.current;
    this.current = null;
    if (running) await (await running.host).stop();
  }
}

/** A host of a spec's own (a second workstation), and how to stop it and remove its folder. */
export type RunningHost = { host: LoopbackHost; stop: () => Promise<void> };

export async function startHost(): Promise<RunningHost> {
  if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` before the e2e tests.');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'framewise-e2e-'));
  const databasePath = join(dataDir, 'framewise.sqlite');
  const child = spawn(process.execPath, [HOST_CLI, 'serve', '--db', databasePath], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stopHost = async () => {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = new URL(await firstLine(child));
    const token = url.searchParams.get('token');
    if (!token) throw new Error(`framewise serve printed a URL without a token: ${url.href}`);
    return { host: { url: url.href, origin: url.origin, token, databasePath }, stop: stopHost };
  } catch (error) {
    await stopHost();
    throw error;
  }
}

export const test = base.extend<TestOptions & TestFixtures, WorkerFixtures>({
  hostPerFile: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern.
    async ({}, use) => {
      const hosts = new HostPerFile();
      try {
        await use(hosts);
      } finally {
        await hosts.close();
      }
    },
    { scope: 'worker' },
  ],

  host: [
    async ({ hostPerFile }, use, testInfo) => {
      await use(await hostPerFile.forFile(testInfo.file));
    },
    { timeout: STARTUP_TIMEOUT_MS + 15_000 },
  ],

  allowedConsoleErrors: [[], { option: true }],

  // Every test that drives the page also proves the page logged no errors.
  page: async ({ page, allowedConsoleErrors }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() !== 'error') return;
      if (allowedConsoleErrors.some((allowed) => allowed.test(text))) return;
      errors.push(`console: ${text}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    await use(page);
    expect(errors, 'errors logged by the page').toEqual([]);
  },
});

export { expect };

/** Opens the app the way a person does: the printed URL, token and all. */
/**
 * Opens the app on its batches screen. Tests share a database per spec file, so the app is opened
 * with `resume=0`: a clip an earlier test left open must not be reopened under this one.
 */
export async function openApp(page: Page, host: LoopbackHost): Promise<void> {
  const url = new URL(host.url);
  url.searchParams.set('resume', '0');
  await page.goto(url.href);
  await expect(page.getByRole('heading', { level: 1, name: 'Batches' })).toBeVisible();
}

function firstLine(child: ChildProcess): Promise<string> {
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('framewise serve was spawned without pipes.');
  let errorOutput = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    errorOutput = (errorOutput + chunk).slice(-4000);
  });
  return new Promise((resolveLine, reject) => {
    const lines = createInterface({ input: stdout });
    const fail = (why: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`framewise serve ${why}.\nstderr:\n${errorOutput}`));
    };
    const timer = setTimeout(
      () => fail(`printed no URL within ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      // Keep draining stdout so the host never blocks on a full pipe.
      lines.on('line', () => undefined);
      resolveLine(line.trim());
    });
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** What the user sees on the player stage, read in the page in one go (see `readShownFrame`). */
export type ShownFrame = {
  /** Index spelled by the blocks in the visible picture, read in its displayed orientation. */
  pixels: number;
  /** The "Current frame" readout, as a number (NaN when it shows none). */
  readout: number;
  /** Which element was visible: the decoded-frame cache's canvas or the video. */
  source: 'cache' | 'video';
  /** Displayed picture size (the video's or the canvas's intrinsic size). */
  width: number;
  height: number;
  /** The frame warning's text, if the player shows one. */
  warning: string | null;
  /** True when the wait for `expected` ran out (the other fields are whatever was shown then). */
  timedOut: boolean;
  /** How long the page waited for the player to show `expected`, ms. */
  waitedMs: number;
};

/**
 * Waits in the page until the player is idle (`aria-busy` off) with `expected` in the readout (or
 * `timeoutMs` passes), then reads the frame index the fixture generator drew into the visible
 * picture: 16 blocks, 20 px wide, across the top 40 coded rows, least significant bit leftmost,
 * white for 1 (tests/fixtures/make-fixtures.sh). `rotation` (clockwise) maps those coded
 * positions into the displayed picture, so the read succeeds only if the picture is upright.
 */
export function readShownFrame(
  page: Page,
  expected: number | null,
  rotation: 0 | 90 | 180 | 270,
  timeoutMs = 30_000,
): Promise<ShownFrame> {
  return page.evaluate(
    async ({ expected, rotation, timeoutMs }) => {
      type El = {
        hidden: boolean;
        textContent: string | null;
        getAttribute: (name: string) => string | null;
      };
      type Ctx = {
        drawImage: (image: unknown, x: number, y: number, w: number, h: number) => void;
        getImageData: (x: number, y: number, w: number, h: number) => { data: ArrayLike<number> };
      };
      type Canvas = El & {
        width: number;
        height: number;
        getContext: (kind: '2d', options?: object) => Ctx | null;
      };
      type Video = El & { videoWidth: number; videoHeight: number };
      type Doc = {
        querySelector: (selector: string) => El | null;
        createElement: (tag: 'canvas') => Canvas;
      };
      const doc = (globalThis as unknown as { document: Doc }).document;
      // A short timer rather than requestAnimationFrame: a 16 ms tick would dominate each read.
      const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
      const readout = () => Number(doc.querySelector('#current-frame')?.textContent ?? 'NaN');
      const busy = () => doc.querySelector('.player-stage')?.getAttribute('aria-busy') === 'true';

      const started = performance.now();
      let timedOut = false;
      for (;;) {
        if (!busy() && (expected === null || readout() === expected)) break;
        if (performance.now() - started > timeoutMs) {
          timedOut = true;
          break;
        }
        await nextFrame();
      }

      const cacheCanvas = doc.querySelector('.frame-cache-canvas') as Canvas | null;
      const video = doc.querySelector('.player-stage video') as Video | null;
      let context: Ctx | null;
      let width: number;
      let height: number;
      let source: 'cache' | 'video';
      if (cacheCanvas && !cacheCanvas.hidden) {
        source = 'cache';
        width = cacheCanvas.width;
        height = cacheCanvas.height;
        context = cacheCanvas.getContext('2d');
      } else {
        if (!video) throw new Error('no video on the stage');
        source = 'video';
        width = video.videoWidth;
        height = video.videoHeight;
        const canvas = doc.createElement('canvas');
        canvas.width = width;
        canvas.height = height;
        context = canvas.getContext('2d', { willReadFrequently: true });
        context?.drawImage(video, 0, 0, width, height);
      }
      if (!context) throw new Error('no 2d context');

      // A coded rectangle (x, y, w, h) as it appears in the upright displayed picture.
      const shown = (x: number, y: number, w: number, h: number) => {
        switch (rotation) {
          case 90:
            return [width - y - h, x, h, w] as const;
          case 180:
            return [width - x - w, height - y - h, w, h] as const;
          case 270:
            return [y, height - x - w, h, w] as const;
          default:
            return [x, y, w, h] as const;
        }
      };
      // One read of the whole picture: each getImageData on the stage's canvas is a readback
      // from the (software) GPU, so sixteen small ones cost far more than one.
      const { data } = context.getImageData(0, 0, width, height);
      let pixels = 0;
      for (let bit = 0; bit < 16; bit += 1) {
        const [x, y, w, h] = shown(bit * 20 + 5, 10, 10, 20);
        let sum = 0;
        for (let row = y; row < y + h; row += 1) {
          for (let column = x; column < x + w; column += 1) {
            const i = (row * width + column) * 4;
            sum += 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
          }
        }
        if (sum / (w * h) > 128) pixels += 2 ** bit;
      }
      const waitedMs = performance.now() - started;
      const warning = doc.querySelector('.frame-warning')?.textContent ?? null;
      return { pixels, readout: readout(), source, width, height, warning, timedOut, waitedMs };
    },
    { expected, rotation, timeoutMs },
  );
}

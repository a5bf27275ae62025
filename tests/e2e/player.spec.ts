import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import {
  expect,
  openApp,
  readShownFrame,
  repoRoot,
  test as base,
  type LoopbackHost,
  type ShownFrame,
} from './fixtures';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
/**
 * Random jumps per clip and cache mode. The suite's 40 (520 over the 13 cases, beside stepping
 * through every frame both ways) keep `npm test` short; `npm run soak` runs 200 a case.
 */
const RANDOM_JUMPS = positiveInteger(process.env.FRAMEWISE_E2E_JUMPS, 40);
/** Set it to a folder to get a screenshot of the player there. */
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR;

type ClipCase = {
  file: string;
  frames: number;
  /** Clockwise rotation of the display matrix: the picture must show turned by it. */
  rotation: 0 | 90;
  /** WebCodecs decodes it (MP4/MOV with a sample table), so the cache-on run uses the cache. */
  cacheable: boolean;
  /** Chromium cannot decode it: the app plays (and caches) its frame-exact H.264 proxy. */
  proxy?: boolean;
};

/** Frame counts as ffprobe decodes them (import.spec.ts checks the app agrees). */
const CLIPS: ClipCase[] = [
  { file: 'cfr30.mp4', frames: 90, rotation: 0, cacheable: true },
  { file: 'ntsc2997.mp4', frames: 90, rotation: 0, cacheable: true },
  { file: 'cfr60.mp4', frames: 120, rotation: 0, cacheable: true },
  { file: 'vfr.mp4', frames: 90, rotation: 0, cacheable: true },
  { file: 'rotated.mov', frames: 60, rotation: 90, cacheable: true },
  { file: 'clip.webm', frames: 60, rotation: 0, cacheable: false },
  { file: 'hevc.mp4', frames: 60, rotation: 0, cacheable: true, proxy: true },
];

/** Batch id by host URL: the fixture folder is imported once per host (one per worker and spec file). */
const imported = new Map<string, Promise<string>>();

/** The fixture batch, imported through the API the first time a test of this file asks for it. */
const test = base.extend<{ importedBatch: string }>({
  importedBatch: async ({ host, playwright }, use) => {
    let batchId = imported.get(host.url);
    if (!batchId) {
      batchId = importFixtureBatch(host, playwright.request);
      imported.set(host.url, batchId);
    }
    await use(await batchId);
  },
});

// The cases are independent (each opens its clip afresh), so the workers share them: the file is
// most of the e2e suite's time. A worker starts its own host and imports the batch once for it.
test.describe.configure({ mode: 'parallel' });

async function importFixtureBatch(
  host: LoopbackHost,
  requests: { newContext: () => Promise<APIRequestContext> },
): Promise<string> {
  if (!existsSync(join(BATCH_FOLDER, 'cfr30.mp4'))) {
    throw new Error(`${BATCH_FOLDER} is missing: run \`npm run fixtures\` first.`);
  }
  const request = await requests.newContext();
  try {
    // The printed URL sets the session cookie, as it does for a browser.
    await request.get(host.url);
    const response = await request.post(`${host.origin}/api/importBatch`, {
      data: { folder: BATCH_FOLDER },
      timeout: 90_000,
    });
    const envelope = (await response.json()) as { ok: boolean; value?: { batch: { id: string } } };
    if (!envelope.ok || !envelope.value) throw new Error('importing the fixture batch failed');
    return envelope.value.batch.id;
  } finally {
    await request.dispose();
  }
}

async function openClip(
  page: Page,
  host: LoopbackHost,
  file: string,
  useFrameCache: boolean,
): Promise<void> {
  await openApp(page, host);
  const batches = page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
  await batches.getByRole('row').nth(1).getByRole('button').click();
  await page.getByRole('button', { name: file, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: file })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Use frame cache' }).setChecked(useFrameCache);
  await expect(page.getByLabel('Current frame')).toHaveText('0');
}

/** Every mismatch between the frame asked for, the readout and the pixels, for one report. */
class WrongFrames {
  readonly wrong: string[] = [];
  checked = 0;
  fromCache = 0;
  waitedMs = 0;
  private readonly started = Date.now();

  /** Wall time per checked frame, and the part of it the page spent waiting for the frame. */
  pace(): string {
    const per = (ms: number) => (ms / Math.max(1, this.checked)).toFixed(1);
    return `${per(Date.now() - this.started)} ms a frame, ${per(this.waitedMs)} ms of it waiting for the player`;
  }

  record(what: string, expected: number, shown: ShownFrame): void {
    this.checked += 1;
    this.waitedMs += shown.waitedMs;
    if (shown.source === 'cache') this.fromCache += 1;
    const ok =
      !shown.timedOut &&
      shown.pixels === expected &&
      shown.readout === expected &&
      shown.warning === null;
    if (!ok) this.wrong.push(`${what}: expected ${expected}, got ${JSON.stringify(shown)}`);
  }
}

for (const clip of CLIPS) {
  for (const useFrameCache of [false, true]) {
    if (useFrameCache && !clip.cacheable) continue;
    const mode = useFrameCache ? 'with the frame cache' : 'without the frame cache';

    test(`${clip.file} ${mode}: stepping forward, stepping back and ${RANDOM_JUMPS} jumps show exactly the frame asked for`, async ({
      page,
      host,
      importedBatch,
    }) => {
      expect(importedBatch).toBeTruthy();
      await openClip(page, host, clip.file, useFrameCache);
      await expect(page.getByText(`of ${clip.frames} frames`)).toBeVisible();
      if (clip.proxy) await expect(page.getByText('playing its H.264 proxy')).toBeVisible();
      if (useFrameCache) {
        await expect(page.getByRole('status', { name: 'Frame cache status' })).toHaveText(/^Ready/);
      }
      const last = clip.frames - 1;
      const wrong = new WrongFrames();
      const player = page.getByRole('region', { name: 'Player', exact: true });

      const first = await readShownFrame(page, 0, clip.rotation);
      wrong.record('initial', 0, first);
      // Upright: a portrait clip shows taller than wide, and its blocks read in that orientation.
      if (clip.rotation === 90) expect(first.height).toBeGreaterThan(first.width);
      else expect(first.width).toBeGreaterThan(first.height);
      if (SCREENSHOT_DIR && clip.rotation !== 0) {
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const name = `player-${clip.file.replace(/\W+/g, '-')}-${useFrameCache ? 'cache' : 'video'}`;
        await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
      }

      // Held arrow keys: every key repeat is one step (keydown is what the player acts on), and
      // each frame is read before the next repeat. The key and the read go out together: the read
      // waits in the page until the readout names the frame asked for, so it cannot see the
      // frame before the step, and a step costs one round trip to the browser instead of two.
      await player.focus();
      const step = async (key: string, frame: number, what: string) => {
        const [, shown] = await Promise.all([
          page.keyboard.down(key),
          readShownFrame(page, frame, clip.rotation),
        ]);
        wrong.record(what, frame, shown);
      };
      for (let frame = 1; frame <= last; frame += 1) await step('ArrowRight', frame, 'forward');
      await page.keyboard.up('ArrowRight');
      for (let frame = last - 1; frame >= 0; frame -= 1) await step('ArrowLeft', frame, 'backward');
      await page.keyboard.up('ArrowLeft');

      const steppingPace = wrong.pace();
      const spinbutton = page.getByRole('spinbutton', { name: 'Frame' });
      const random = mulberry32(clip.frames * 7919 + (useFrameCache ? 1 : 0));
      for (let jump = 0; jump < RANDOM_JUMPS; jump += 1) {
        const frame = Math.floor(random() * clip.frames);
        await spinbutton.fill(String(frame));
        const [, shown] = await Promise.all([
          page.keyboard.press('Enter'),
          readShownFrame(page, frame, clip.rotation),
        ]);
        wrong.record(`jump ${jump}`, frame, shown);
      }

      console.log(
        `${clip.file} ${mode}: ${wrong.wrong.length} wrong of ${wrong.checked} frames checked` +
          ` (${wrong.fromCache} drawn from the cache; stepping ${steppingPace}; overall ${wrong.pace()})`,
      );
      expect(wrong.wrong.slice(0, 10), `${wrong.wrong.length} wrong frames`).toEqual([]);
      if (useFrameCache) {
        // The cache must have served most steps, or this run tested the native path twice.
        expect(wrong.fromCache).toBeGreaterThan(wrong.checked / 2);
      }
    });
  }
}

test('every control works by mouse and keyboard: ±1, ±10, first/last, scrub, rate, and a loop that plays within its range', async ({
  page,
  host,
  importedBatch,
}) => {
  expect(importedBatch).toBeTruthy();
  await openClip(page, host, 'cfr30.mp4', true);
  const readout = page.getByLabel('Current frame');
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const expectShown = async (frame: number) => {
    const shown = await readShownFrame(page, frame, 0);
    expect({ pixels: shown.pixels, readout: shown.readout, warning: shown.warning }).toEqual({
      pixels: frame,
      readout: frame,
      warning: null,
    });
  };

  for (const name of [
    'First frame',
    'Back 10 frames',
    'Previous frame',
    'Play',
    'Next frame',
    'Forward 10 frames',
    'Last frame',
    'Loop start',
    'Loop end',
    'Loop',
  ]) {
    await expect(button(name)).toBeVisible();
  }
  await expect(page.getByRole('spinbutton', { name: 'Frame' })).toHaveValue('0');
  await expect(page.getByRole('slider', { name: 'Scrub' })).toHaveAttribute('max', '89');
  const rate = page.getByRole('combobox', { name: 'Playback rate' });
  await expect(rate.getByRole('option')).toHaveText([
    '0.1×',
    '0.25×',
    '0.5×',
    '1×',
    '1.5×',
    '2×',
    '4×',
  ]);

  await button('Forward 10 frames').click();
  await expectShown(10);
  await button('Next frame').click();
  await expectShown(11);
  await button('Previous frame').click();
  await button('Back 10 frames').click();
  await expectShown(0);
  await button('Last frame').click();
  await expectShown(89);
  await expect(page.getByLabel('Frame time')).toHaveText('00:02.967');
  await button('First frame').click();
  await expectShown(0);

  const player = page.getByRole('region', { name: 'Player', exact: true });
  await player.focus();
  await page.keyboard.press('Shift+ArrowRight');
  await expectShown(10);
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowLeft');
  await expectShown(19);
  await page.keyboard.press('End');
  await expectShown(89);
  await page.keyboard.press('Home');
  await expectShown(0);
  // Quick repeated steps add up, whatever the decoder keeps up with.
  for (let i = 0; i < 7; i += 1) await page.keyboard.press('ArrowRight');
  await expectShown(7);

  const scrub = page.getByRole('slider', { name: 'Scrub' });
  await scrub.fill('45');
  await expectShown(45);
  await expect(page.getByLabel('Frame time')).toHaveText('00:01.500');
  await expect(scrub).toHaveAttribute('aria-valuetext', 'Frame 45 at 00:01.500');
  await scrub.press('ArrowRight');
  await expectShown(46);

  // Loop 10..20 at 2×: set the ends from the current frame with [ and ], toggle with L.
  await page.getByRole('spinbutton', { name: 'Frame' }).fill('10');
  await page.getByRole('spinbutton', { name: 'Frame' }).press('Enter');
  await expectShown(10);
  await player.focus();
  await page.keyboard.press('i');
  await page.keyboard.press('Shift+ArrowRight');
  await expectShown(20);
  await page.keyboard.press('o');
  await page.keyboard.press('l');
  await expect(button('Loop')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('Frames 10 to 20, looping')).toBeVisible();
  await rate.selectOption('2');
  await player.focus();
  await page.keyboard.press('Space');
  await expect(button('Pause')).toBeVisible();
  expect(
    await page
      .locator('.player-stage video')
      .evaluate((v) => (v as unknown as { playbackRate: number }).playbackRate),
  ).toBe(2);

  // Watch until the loop has wrapped twice, however long a busy machine takes to play it (the
  // expectation timeout only catches a loop that never wraps).
  const seen: number[] = [];
  const wraps = () => seen.filter((frame, i) => i > 0 && frame < (seen[i - 1] ?? 0)).length;
  await expect
    .poll(
      async () => {
        seen.push(Number(await readout.textContent()));
        return wraps();
      },
      { intervals: [20], message: 'the loop wraps back to its start' },
    )
    .toBeGreaterThanOrEqual(2);
  await page.keyboard.press('Space');
  await expect(button('Play')).toBeVisible();
  // The jump back is a seek scheduled on a timer, so how many frames past the end flash by depends
  // on how late a busy machine runs it (8 at 2× beside a CPU-bound process). The bound separates a
  // loop that jumps back from one that plays on towards the clip's end (frame 89).
  expect(Math.min(...seen), `frames seen while looping: ${seen.join(' ')}`).toBeGreaterThanOrEqual(
    10,
  );
  expect(Math.max(...seen), `frames seen while looping: ${seen.join(' ')}`).toBeLessThanOrEqual(40);

  // Paused again, the readout names the frame on screen.
  const paused = await readShownFrame(page, null, 0);
  expect(paused.pixels).toBe(paused.readout);
  expect(paused.warning).toBeNull();

  if (SCREENSHOT_DIR) {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'player.png'), fullPage: true });
  }
});

test('the frame cache setting is remembered across reloads', async ({
  page,
  host,
  importedBatch,
}) => {
  expect(importedBatch).toBeTruthy();
  await openClip(page, host, 'cfr30.mp4', false);
  await page.reload();
  await openClip(page, host, 'cfr30.mp4', false);
  await expect(page.getByRole('checkbox', { name: 'Use frame cache' })).not.toBeChecked();
  await expect(page.getByRole('status', { name: 'Frame cache status' })).toHaveText(
    'Paused frames come from the video.',
  );
  await page.getByRole('checkbox', { name: 'Use frame cache' }).check();
  await page.reload();
  await openApp(page, host);
  await page.evaluate(() => undefined);
  const stored = await page.evaluate(() =>
    (
      globalThis as unknown as { localStorage: { getItem: (key: string) => string | null } }
    ).localStorage.getItem('framewise.player.useFrameCache'),
  );
  expect(stored).toBe('true');
});

/** A small seeded PRNG, so a failing jump sequence can be replayed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function positiveInteger(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`FRAMEWISE_E2E_JUMPS must be a positive integer, not ${JSON.stringify(text)}`);
  }
  return value;
}

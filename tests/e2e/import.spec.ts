import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, openApp, repoRoot, test } from './fixtures';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
const GOOD_CLIPS = [
  'cfr30.mp4',
  'ntsc2997.mp4',
  'cfr60.mp4',
  'vfr.mp4',
  'rotated.mov',
  'clip.webm',
  'hevc.mp4',
];
const BAD_FILES = [
  { file: 'truncated.mp4', code: 'TRUNCATED' },
  { file: 'empty.mp4', code: 'EMPTY_FILE' },
  { file: 'notes.mp4', code: 'NOT_A_VIDEO' },
  { file: 'mpeg4.mp4', code: 'UNSUPPORTED_CODEC' },
];
/** Set it to a folder to get a screenshot of each screen there. */
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR;

type FileError = { relativePath: string; code: string; message: string };

/** Frames ffprobe counts by demuxing and decoding the whole stream: the reference we trust. */
function ffprobeFrameCount(file: string): number {
  const output = execFileSync(
    '/usr/bin/ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-count_frames',
      '-show_entries',
      'stream=nb_read_frames',
      '-of',
      'default=noprint_wrappers=1:nokey=1',
      file,
    ],
    { encoding: 'utf8' },
  );
  const count = /^\d+$/m.exec(output)?.[0];
  if (count === undefined) throw new Error(`ffprobe gave no frame count for ${file}: ${output}`);
  return Number(count);
}

/** A call made with the page's own cookie, as the renderer makes it. */
async function apiCall<T>(page: Page, origin: string, name: string, input: object): Promise<T> {
  const response = await page.request.post(`${origin}/api/${name}`, { data: input });
  const envelope = (await response.json()) as { ok: boolean; value?: T };
  expect(envelope.ok, `${name} succeeds`).toBe(true);
  return envelope.value as T;
}

async function fileErrorsOfOnlyBatch(page: Page, origin: string): Promise<FileError[]> {
  const batches = await apiCall<{ id: string }[]>(page, origin, 'listBatches', {});
  expect(batches).toHaveLength(1);
  const [batch] = batches;
  if (!batch) throw new Error('no batch');
  return apiCall<FileError[]>(page, origin, 'listFileErrors', { batchId: batch.id });
}

async function importFolder(page: Page, folder: string): Promise<Locator> {
  await page.getByLabel('Folder to import').fill(folder);
  await page.getByRole('button', { name: 'Import' }).click();
  const outcomes = page.getByRole('list', { name: 'Files in this import' });
  await expect(outcomes).toBeVisible();
  return outcomes;
}

/** The cell under `column` in the row whose link-button is named `fileName`. */
async function cellOf(page: Page, table: Locator, fileName: string, column: string) {
  const headers = await table.getByRole('columnheader').allTextContents();
  const index = headers.indexOf(column);
  expect(index, `column ${column}`).toBeGreaterThanOrEqual(0);
  const row = table
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: fileName, exact: true }) });
  return row.getByRole('cell').nth(index);
}

async function shoot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

test.describe('batch import through the browser', () => {
  // One host and database for the worker: later tests build on the first import.
  test.describe.configure({ mode: 'serial' });

  test.beforeAll(() => {
    if (!existsSync(join(BATCH_FOLDER, 'cfr30.mp4'))) {
      throw new Error(`${BATCH_FOLDER} is missing: run \`npm run fixtures\` first.`);
    }
  });

  test('importing the fixture folder lists every good clip with the frames ffprobe counts and every bad file with its code and message', async ({
    page,
    host,
  }) => {
    await openApp(page, host);
    await expect(page, 'the token leaves the address bar').not.toHaveURL(/token=/);

    const outcomes = await importFolder(page, BATCH_FOLDER);
    const expectedFrames = new Map(
      GOOD_CLIPS.map((file) => [file, ffprobeFrameCount(join(BATCH_FOLDER, file))]),
    );
    for (const [file, frames] of expectedFrames) {
      await expect(outcomes.getByRole('listitem').filter({ hasText: file })).toContainText(
        `Imported: ${frames} frames`,
      );
    }

    const fileErrors = await fileErrorsOfOnlyBatch(page, host.origin);
    expect(fileErrors.map((error) => error.relativePath).sort()).toEqual(
      BAD_FILES.map((bad) => bad.file).sort(),
    );
    for (const { file, code } of BAD_FILES) {
      const error = fileErrors.find((item) => item.relativePath === file);
      expect(error?.code, `${file} code`).toBe(code);
      const item = outcomes.getByRole('listitem').filter({ hasText: file });
      await expect(item).toContainText(code);
      await expect(item).toContainText(error?.message ?? '');
    }

    const batches = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
    const batchRow = batches.getByRole('row').nth(1);
    await expect(batches.getByRole('row')).toHaveCount(2);
    await expect(batchRow.getByRole('cell').nth(2)).toHaveText(String(GOOD_CLIPS.length));
    await expect(batchRow.getByRole('cell').nth(3)).toHaveText(String(BAD_FILES.length));
    await shoot(page, 'batches');

    await batchRow.getByRole('button').click();
    const clips = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Checksum' }) });
    await expect(clips.getByRole('row')).toHaveCount(GOOD_CLIPS.length + 1);
    for (const [file, frames] of expectedFrames) {
      await expect(await cellOf(page, clips, file, 'Frames')).toHaveText(String(frames));
    }
    await expect(await cellOf(page, clips, 'rotated.mov', 'Rotation')).toHaveText('90°');
    await expect(await cellOf(page, clips, 'rotated.mov', 'Flags')).toContainText('Location');
    await expect(await cellOf(page, clips, 'cfr30.mp4', 'Duration')).toHaveText(/^00:03\.\d{3}$/);
    for (const file of GOOD_CLIPS) {
      await expect(await cellOf(page, clips, file, 'Checksum')).toHaveText('Done');
    }

    const errorsTable = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'What happened' }) });
    for (const error of fileErrors) {
      const row = errorsTable.getByRole('row').filter({ hasText: error.relativePath });
      await expect(row).toContainText(error.code);
      await expect(row).toContainText(error.message);
    }
    await shoot(page, 'batch');
  });

  test('re-importing the same folder is a no-op that says every clip was already imported', async ({
    page,
    host,
  }) => {
    await openApp(page, host);
    const outcomes = await importFolder(page, BATCH_FOLDER);
    for (const file of GOOD_CLIPS) {
      await expect(outcomes.getByRole('listitem').filter({ hasText: file })).toContainText(
        'Already imported',
      );
    }
    await expect(
      page.getByText(`0 clips imported, ${GOOD_CLIPS.length} already imported`),
    ).toBeVisible();

    const batches = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
    await expect(batches.getByRole('row')).toHaveCount(2);
    const batchRow = batches.getByRole('row').nth(1);
    await expect(batchRow.getByRole('cell').nth(2)).toHaveText(String(GOOD_CLIPS.length));
    await expect(batchRow.getByRole('cell').nth(3)).toHaveText(String(BAD_FILES.length));
  });

  test('a clip plays, and the frame index shown is the frame on screen', async ({ page, host }) => {
    await openApp(page, host);
    const batches = page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
    await batches.getByRole('row').nth(1).getByRole('button').click();
    await page.getByRole('button', { name: 'cfr30.mp4', exact: true }).click();

    await expect(page.getByRole('heading', { level: 1, name: 'cfr30.mp4' })).toBeVisible();
    const frames = ffprobeFrameCount(join(BATCH_FOLDER, 'cfr30.mp4'));
    await expect(page.getByText(`of ${frames} frames`)).toBeVisible();

    const video = page.getByLabel('Video: cfr30.mp4');
    const currentFrame = page.getByLabel('Current frame');
    await expect
      .poll(() => video.evaluate((v: PageVideo) => v.readyState))
      .toBeGreaterThanOrEqual(2);
    await expect(currentFrame).toHaveText('0');
    expect(await frameDrawnIn(video)).toBe(0);
    await shoot(page, 'clip');

    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await expect.poll(() => video.evaluate((v: PageVideo) => v.currentTime)).toBeGreaterThan(0.5);
    await expect(currentFrame).not.toHaveText('0');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();

    // Paused, the readout must name the very frame on screen (its index is drawn in its pixels).
    await expect
      .poll(async () => Number(await currentFrame.textContent()) === (await frameDrawnIn(video)))
      .toBe(true);
    expect(Number(await currentFrame.textContent())).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Back to batch' }).click();
    await expect(page.getByRole('button', { name: 'cfr30.mp4', exact: true })).toBeVisible();
  });
});

test.describe('errors the user can act on', () => {
  // The refused call's 400 response is logged by Chromium itself; that is the point of the test.
  test.use({
    allowedConsoleErrors: [/Failed to load resource: the server responded with a status of 400/],
  });

  test('importing a folder that does not exist shows the code and message in an alert', async ({
    page,
    host,
  }) => {
    await openApp(page, host);
    const missing = join(repoRoot, 'tests', 'fixtures', 'no-such-folder');
    await page.getByLabel('Folder to import').fill(missing);
    await page.getByRole('button', { name: 'Import' }).click();
    const alert = page.getByRole('alert');
    await expect(alert).toContainText('FOLDER_NOT_FOUND');
    await expect(alert).toContainText(/\w+.*\w+/);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByText('FOLDER_NOT_FOUND')).toHaveCount(0);
  });
});

test('the host refuses API calls without the session token', async ({ page, request, host }) => {
  await openApp(page, host);
  const cookies = await page.context().cookies(host.origin);
  expect(cookies.length, 'the host set a session cookie').toBeGreaterThan(0);
  const wrongCookies = cookies.map((cookie) => `${cookie.name}=not-the-token`).join('; ');

  const withoutCookie = await request.post(`${host.origin}/api/listBatches`, { data: {} });
  expect(withoutCookie.status()).toBe(401);
  expect(await withoutCookie.json()).toMatchObject({ ok: false });

  const wrongCookie = await request.post(`${host.origin}/api/listBatches`, {
    data: {},
    headers: { cookie: wrongCookies },
  });
  expect(wrongCookie.status()).toBe(401);
  expect(await wrongCookie.json()).toMatchObject({ ok: false });

  const wrongToken = await request.get(`${host.origin}/?token=not-the-token`);
  expect(wrongToken.status()).toBe(401);

  // The page's own cookie gets through, so the refusals above are about the token alone.
  const rightCookie = await page.request.post(`${host.origin}/api/listBatches`, { data: {} });
  expect(rightCookie.status()).toBe(200);
});

/** The few DOM shapes the in-page helpers touch: the e2e tsconfig is Node's, without DOM types. */
type PageVideo = {
  readyState: number;
  currentTime: number;
  videoWidth: number;
  videoHeight: number;
};
type PageCanvasContext = {
  drawImage: (image: PageVideo, x: number, y: number) => void;
  getImageData: (x: number, y: number, w: number, h: number) => { data: ArrayLike<number> };
};
type PageCanvas = {
  width: number;
  height: number;
  getContext: (kind: '2d') => PageCanvasContext | null;
};
type PageGlobals = { document: { createElement: (tag: 'canvas') => PageCanvas } };

/**
 * The frame index the fixture generator drew into the frame now on screen: 16 blocks, 20 px wide,
 * across the top 40 rows, least significant bit leftmost, white for 1 (tests/fixtures/make-fixtures.sh).
 */
function frameDrawnIn(video: Locator): Promise<number> {
  return video.evaluate((element: PageVideo) => {
    const canvas = (globalThis as unknown as PageGlobals).document.createElement('canvas');
    canvas.width = element.videoWidth;
    canvas.height = element.videoHeight;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2d context');
    context.drawImage(element, 0, 0);
    let index = 0;
    for (let bit = 0; bit < 16; bit += 1) {
      const { data } = context.getImageData(bit * 20 + 5, 10, 10, 20);
      let sum = 0;
      for (let i = 0; i < data.length; i += 4) {
        sum += 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
      }
      if (sum / (data.length / 4) > 128) index += 2 ** bit;
    }
    return index;
  });
}

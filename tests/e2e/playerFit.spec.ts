import type { Page, TestInfo } from '@playwright/test';
import { coordinates, openFixtureClip, pointStates } from './clipScreen';
import { expect, test } from './fixtures';

/**
 * Fit is a mode: the whole picture stays fitted to the stage whatever size the stage takes
 * (window resized, side panel closed or opened, timeline dragged taller), while a zoom the
 * annotator chose stays theirs until they choose Fit again (F, as in CVAT). The video and the
 * overlay move together, so a keypoint stays on the video pixel it was placed on.
 *
 * Where the picture is, is read from the screen itself: the stage's background is painted magenta
 * for a screenshot, and the picture is whatever is not magenta.
 */

type Size = { width: number; height: number };
type Rect = { left: number; top: number; right: number; bottom: number };

const LANDSCAPE = { width: 320, height: 240 };
// A phone clip stored sideways with a 90° display matrix: shown upright, 240 wide and 320 tall.
const PORTRAIT = { clip: 'rotated.mov', video: { width: 240, height: 320 } };
/**
 * Each run opens at one window size and is resized to another. Each labels a landscape clip of its
 * own (the runs share a host), so its keypoint is the only one there.
 */
const RUNS: readonly { size: Size; resizedTo: Size; clip: string }[] = [
  {
    size: { width: 1280, height: 720 },
    resizedTo: { width: 1920, height: 1080 },
    clip: 'cfr30.mp4',
  },
  {
    size: { width: 1440, height: 900 },
    resizedTo: { width: 1280, height: 720 },
    clip: 'ntsc2997.mp4',
  },
  { size: { width: 1920, height: 1080 }, resizedTo: { width: 1440, height: 900 }, clip: 'vfr.mp4' },
];
/** The video pixel the keypoint goes on: off-centre, so a wrong offset or scale both show. */
const KEYPOINT = { x: 100, y: 60 };
/** The first person track's colour (Tableau 10 blue), which the nose is filled with. */
const TRACK_RGB = [0x4e, 0x79, 0xa7] as const;
/** Edge pixels blend the picture with the background: a picture edge is known to a pixel. */
const EDGE_TOLERANCE_PX = 1.5;

/** The few browser APIs the in-page measuring uses: the e2e specs compile without the DOM lib. */
type Pixels = { data: Uint8ClampedArray; width: number; height: number };
type Context2D = {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, width: number, height: number): Pixels;
};
type Canvas = { width: number; clientWidth: number; getContext(kind: '2d'): Context2D | null };
type Browser = {
  createImageBitmap(blob: Blob): Promise<{ width: number; height: number }>;
  OffscreenCanvas: new (width: number, height: number) => Canvas;
};

/** The picture's rectangle on the stage (stage coordinates) and the stage's size. */
async function pictureOnStage(page: Page): Promise<{ stage: Size; picture: Rect }> {
  const style = await page.addStyleTag({
    content:
      // The stage and the boxes the picture is letterboxed in; not video.js's overlays (captions),
      // which lie transparent over the picture.
      '.player-stage, .media-layer, .clip-video, .player-stage .video-js, .player-stage video' +
      ' { background: rgb(255, 0, 255) !important; }' +
      ' .label-overlay { visibility: hidden !important; }',
  });
  try {
    const stage = await page.locator('.player-stage').boundingBox();
    if (!stage) throw new Error('The stage is not on screen.');
    // The stage sits on whole pixels here; the screenshot is of exactly its box.
    const png = await page.screenshot({
      clip: { x: stage.x, y: stage.y, width: stage.width, height: stage.height },
      animations: 'disabled',
    });
    const picture = await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const browser = globalThis as unknown as Browser;
      const bitmap = await browser.createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new browser.OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      if (!context) throw new Error('No 2D context.');
      context.drawImage(bitmap, 0, 0);
      const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
      let left = width;
      let top = height;
      let right = 0;
      let bottom = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          const magenta =
            (data[i] ?? 0) > 200 && (data[i + 1] ?? 0) < 80 && (data[i + 2] ?? 0) > 200;
          if (magenta) continue;
          left = Math.min(left, x);
          top = Math.min(top, y);
          right = Math.max(right, x + 1);
          bottom = Math.max(bottom, y + 1);
        }
      }
      return right > left ? { left, top, right, bottom } : null;
    }, png.toString('base64'));
    if (!picture) throw new Error('No picture on the stage.');
    return { stage: { width: stage.width, height: stage.height }, picture };
  } finally {
    await style.evaluate((element) => (element as unknown as { remove(): void }).remove());
  }
}

/** The whole picture inside the stage, centred, touching two opposite sides, not distorted. */
async function expectFitted(page: Page, video: Size): Promise<Rect> {
  const seen: { picture?: Rect } = {};
  await expect(async () => {
    const { stage, picture } = await pictureOnStage(page);
    expect(picture.left).toBeGreaterThanOrEqual(0);
    expect(picture.top).toBeGreaterThanOrEqual(0);
    expect(picture.right).toBeLessThanOrEqual(Math.ceil(stage.width));
    expect(picture.bottom).toBeLessThanOrEqual(Math.ceil(stage.height));
    const gaps = {
      left: picture.left,
      right: stage.width - picture.right,
      top: picture.top,
      bottom: stage.height - picture.bottom,
    };
    expect(Math.abs(gaps.left - gaps.right)).toBeLessThanOrEqual(2 * EDGE_TOLERANCE_PX);
    expect(Math.abs(gaps.top - gaps.bottom)).toBeLessThanOrEqual(2 * EDGE_TOLERANCE_PX);
    const touchesLeftAndRight = gaps.left <= EDGE_TOLERANCE_PX && gaps.right <= EDGE_TOLERANCE_PX;
    const touchesTopAndBottom = gaps.top <= EDGE_TOLERANCE_PX && gaps.bottom <= EDGE_TOLERANCE_PX;
    expect(touchesLeftAndRight || touchesTopAndBottom).toBe(true);
    const width = picture.right - picture.left;
    const height = picture.bottom - picture.top;
    expect(width / height).toBeCloseTo(video.width / video.height, 1);
    seen.picture = picture;
  }).toPass({ timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Whole picture' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  if (!seen.picture) throw new Error('The picture was never measured.');
  return seen.picture;
}

/** The picture at one screen pixel a video pixel ("100 %"), centred on the stage. */
async function expectActualPixels(page: Page, video: Size): Promise<Rect> {
  const seen: { picture?: Rect } = {};
  await expect(async () => {
    const { stage, picture } = await pictureOnStage(page);
    expect(Math.abs(picture.right - picture.left - video.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(picture.bottom - picture.top - video.height)).toBeLessThanOrEqual(2);
    expect(Math.abs(picture.left - (stage.width - picture.right))).toBeLessThanOrEqual(
      2 * EDGE_TOLERANCE_PX,
    );
    expect(Math.abs(picture.top - (stage.height - picture.bottom))).toBeLessThanOrEqual(
      2 * EDGE_TOLERANCE_PX,
    );
    seen.picture = picture;
  }).toPass({ timeout: 60_000 });
  await expect(page.getByLabel('Video zoom', { exact: true })).toHaveText('100 %');
  await expect(page.getByRole('button', { name: 'Whole picture' })).toHaveAttribute(
    'aria-pressed',
    'false',
  );
  if (!seen.picture) throw new Error('The picture was never measured.');
  return seen.picture;
}

/** Stage coordinates of a video pixel, from where the picture is seen on the screen. */
function onScreen(picture: Rect, video: Size, at: { x: number; y: number }) {
  return {
    x: picture.left + (at.x * (picture.right - picture.left)) / video.width,
    y: picture.top + (at.y * (picture.bottom - picture.top)) / video.height,
  };
}

/**
 * The centre of the nose marker as the overlay drew it: the pixels of the track's colour near
 * where the video pixel is seen (the track's name is drawn above, out of this window).
 */
async function markerNear(page: Page, expected: { x: number; y: number }) {
  return page
    .locator('.label-overlay canvas')
    .first()
    .evaluate(
      (node, { near, rgb }) => {
        const canvas = node as unknown as Canvas;
        const ratio = canvas.width / canvas.clientWidth;
        const context = canvas.getContext('2d');
        if (!context) throw new Error('No 2D context.');
        const reach = 8;
        const x0 = Math.max(0, Math.floor((near.x - reach) * ratio));
        const y0 = Math.max(0, Math.floor((near.y - reach) * ratio));
        const size = Math.ceil(2 * reach * ratio);
        const { data, width } = context.getImageData(x0, y0, size, size);
        let count = 0;
        let sumX = 0;
        let sumY = 0;
        for (let i = 0; i < data.length; i += 4) {
          const same =
            Math.abs((data[i] ?? 0) - rgb[0]) <= 8 &&
            Math.abs((data[i + 1] ?? 0) - rgb[1]) <= 8 &&
            Math.abs((data[i + 2] ?? 0) - rgb[2]) <= 8 &&
            (data[i + 3] ?? 0) > 200;
          if (!same) continue;
          const p = i / 4;
          count += 1;
          sumX += x0 + (p % width) + 0.5;
          sumY += y0 + Math.floor(p / width) + 0.5;
        }
        return count === 0
          ? { count, x: NaN, y: NaN }
          : { count, x: sumX / count / ratio, y: sumY / count / ratio };
      },
      { near: expected, rgb: TRACK_RGB },
    );
}

/** The nose the overlay draws sits on the video pixel it was placed on, wherever the picture is. */
async function expectKeypointOnPixel(page: Page, picture: Rect, video: Size): Promise<void> {
  const expected = onScreen(picture, video, KEYPOINT);
  await expect(async () => {
    const marker = await markerNear(page, expected);
    // A radius-5 disc, less its outline: well over 20 pixels when it is here at all.
    expect(marker.count).toBeGreaterThan(20);
    expect(Math.abs(marker.x - expected.x)).toBeLessThanOrEqual(EDGE_TOLERANCE_PX);
    expect(Math.abs(marker.y - expected.y)).toBeLessThanOrEqual(EDGE_TOLERANCE_PX);
  }).toPass({ timeout: 60_000 });
}

async function setSidePanel(page: Page, open: boolean): Promise<void> {
  const side = page.getByRole('complementary', { name: 'Labels' });
  if ((await side.isVisible()) === open) return;
  await page.getByRole('button', { name: open ? 'Show side panel' : 'Hide side panel' }).click();
  await expect(side).toBeVisible({ visible: open });
}

async function stageHeight(page: Page): Promise<number> {
  return (await page.locator('.player-stage').boundingBox())?.height ?? 0;
}

/** Waits until the overlay has taken the stage's new size (it tells the view in the same step). */
async function overlayMeasuredStage(page: Page): Promise<void> {
  await expect
    .poll(async () => {
      const stage = await page.locator('.player-stage').boundingBox();
      const canvas = await page.locator('.label-overlay canvas').first().boundingBox();
      return stage && canvas
        ? Math.abs(stage.width - canvas.width) + Math.abs(stage.height - canvas.height)
        : NaN;
    })
    .toBeLessThan(1);
}

async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

for (const { size, resizedTo, clip } of RUNS) {
  const at = `${size.width}×${size.height}`;
  test(`at ${at} the picture fits the stage as it resizes, a chosen zoom stays, and F fits again`, async ({
    page,
    host,
  }, testInfo) => {
    const video = LANDSCAPE;
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    // The layout is kept between sessions: start from the side panel open.
    await setSidePanel(page, true);
    const stage = page.locator('.player-stage');
    const stageBox = await stage.boundingBox();
    if (!stageBox) throw new Error('The stage is not on screen.');
    let picture = await expectFitted(page, video);

    // A nose placed on a known video pixel, clicked where the picture shows that pixel.
    await page.getByRole('button', { name: 'Add person' }).click();
    // The only track on this clip, so the nose measured below is the one placed here.
    await expect(page.getByRole('button', { name: /^Person \d/ })).toHaveCount(1);
    const target = onScreen(picture, video, KEYPOINT);
    await page.mouse.click(stageBox.x + target.x, stageBox.y + target.y);
    await expect.poll(async () => (await pointStates(page))[0]).toMatch(/visible at/);
    const placed = coordinates((await pointStates(page))[0] ?? '');
    // One screen pixel is under a video pixel at these sizes (the picture is fitted above 1×).
    expect(Math.abs(placed.x - KEYPOINT.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(placed.y - KEYPOINT.y)).toBeLessThanOrEqual(1);
    await expectKeypointOnPixel(page, picture, video);
    if (size.width !== 1280)
      await keepScreenshot(page, testInfo, `fit-${size.width}x${size.height}`);

    // The window resized, and back.
    await page.setViewportSize(resizedTo);
    picture = await expectFitted(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await page.setViewportSize(size);
    picture = await expectFitted(page, video);
    await expectKeypointOnPixel(page, picture, video);

    // The side panel closed (the stage widens) and opened again.
    await setSidePanel(page, false);
    picture = await expectFitted(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await setSidePanel(page, true);
    picture = await expectFitted(page, video);

    // The timeline made taller by its splitter's keys (the stage gets shorter), and put back.
    const before = await stageHeight(page);
    const splitter = page.getByRole('separator', { name: 'Resize the timeline' });
    await splitter.focus();
    await page.keyboard.press('Shift+ArrowUp');
    await expect.poll(() => stageHeight(page)).toBeLessThan(before - 10);
    picture = await expectFitted(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await page.keyboard.press('Shift+ArrowDown');
    await expect.poll(() => stageHeight(page)).toBeCloseTo(before, 0);

    // A zoom the annotator chose (actual pixels) is kept through a resize and a panel change.
    await page.getByRole('button', { name: 'Actual pixels' }).click();
    picture = await expectActualPixels(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await page.setViewportSize(resizedTo);
    picture = await expectActualPixels(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await setSidePanel(page, false);
    picture = await expectActualPixels(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await setSidePanel(page, true);
    await page.setViewportSize(size);
    await expectActualPixels(page, video);

    // Zoom steps go on from 100 % (not up to the whole picture first), and hold through a resize.
    const zoomIn = page.getByRole('button', { name: 'Zoom video in' });
    await zoomIn.click();
    await zoomIn.click();
    const readout = page.getByLabel('Video zoom', { exact: true });
    await expect(readout).toHaveText('200 %');
    await page.setViewportSize(resizedTo);
    await overlayMeasuredStage(page);
    await expect(readout).toHaveText('200 %');
    await expect(page.getByRole('button', { name: 'Whole picture' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );

    // F chooses Fit again, and it follows the stage from then on.
    await page.locator('.player').focus();
    await page.keyboard.press('f');
    picture = await expectFitted(page, video);
    await expectKeypointOnPixel(page, picture, video);
    await page.setViewportSize(size);
    picture = await expectFitted(page, video);
    await expectKeypointOnPixel(page, picture, video);

    // A portrait clip: fitted by its height, and the same through resizes and a chosen zoom.
    await openFixtureClip(page, host, PORTRAIT.clip);
    await setSidePanel(page, true);
    await expectFitted(page, PORTRAIT.video);
    if (size.width !== 1280) {
      await keepScreenshot(page, testInfo, `fit-portrait-${size.width}x${size.height}`);
    }
    await page.setViewportSize(resizedTo);
    await expectFitted(page, PORTRAIT.video);
    await setSidePanel(page, false);
    await expectFitted(page, PORTRAIT.video);
    await page.getByRole('button', { name: 'Actual pixels' }).click();
    await expectActualPixels(page, PORTRAIT.video);
    await setSidePanel(page, true);
    await page.setViewportSize(size);
    await expectActualPixels(page, PORTRAIT.video);
    await page.locator('.player').focus();
    await page.keyboard.press('f');
    await expectFitted(page, PORTRAIT.video);
  });
}

import type { Page } from '@playwright/test';
import { clickVideoPixel, openFixtureClip } from './clipScreen';
import { expect, test } from './fixtures';

/**
 * Issue #16, point 5: the video's zoom has its own labeled controls and keys (fit, 100 %, in and
 * out, zoom to the selected track), goes from the whole picture to 16× it, comes back to the
 * exact centred picture however it was zoomed, and brightness and contrast change the view only.
 */

const VIDEO = { width: 320, height: 240 };
const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'ntsc2997.mp4' },
  { size: { width: 1920, height: 1080 }, clip: 'vfr.mp4' },
] as const;

/** The zoom readout as a number ("1234 %" → 1234). */
async function percent(page: Page): Promise<number> {
  const text = (await page.getByLabel('Video zoom', { exact: true }).textContent()) ?? '';
  return Number(text.replace(/[^\d.]/g, ''));
}

/** The picture's transform on the stage: pan in screen pixels and zoom (1 = whole picture). */
async function mediaTransform(page: Page): Promise<string> {
  return page
    .locator('.media-layer')
    .evaluate((el) => (el as unknown as { style: { transform: string } }).style.transform);
}

for (const { size, clip } of RUNS) {
  test(`at ${size.width}×${size.height} the video zooms by its own controls and keys and comes back exactly`, async ({
    page,
    host,
  }) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    const stage = page.locator('.player-stage');
    const box = await stage.boundingBox();
    if (!box) throw new Error('no stage');
    const fitPercent = Math.min(box.width / VIDEO.width, box.height / VIDEO.height) * 100;
    await expect.poll(() => percent(page)).toBeCloseTo(Math.round(fitPercent), -1);
    const fit = await percent(page);

    // The video's controls are named as the video's, not the timeline's.
    const view = page.getByRole('toolbar', { name: 'Video view' });
    await view.getByRole('button', { name: 'Zoom video in' }).click();
    await view.getByRole('button', { name: 'Zoom video in' }).click();
    await expect.poll(() => percent(page)).toBeCloseTo(fit * 2, -1);
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await expect.poll(() => percent(page)).toBe(fit);
    expect(await mediaTransform(page)).toBe('translate(0px, 0px) scale(1)');

    // Wheel zooms at the pointer, anywhere; zooming back out ends on the exact centred picture.
    const overlay = page.getByTestId('label-overlay');
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
    await page.mouse.wheel(0, -600);
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.7);
    await page.mouse.wheel(0, -300);
    await expect.poll(() => percent(page)).toBeGreaterThan(fit * 2);
    expect(await mediaTransform(page)).not.toBe('translate(0px, 0px) scale(1)');
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.1);
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 400);
    await expect.poll(() => mediaTransform(page)).toBe('translate(0px, 0px) scale(1)');
    await expect.poll(() => percent(page)).toBe(fit);

    // 100 % is actual pixels; in goes up to 16 screen pixels a video pixel (16× this picture's
    // fit, here, as it is fitted above its size), and no further.
    await page.keyboard.press('Shift+F');
    await expect.poll(() => percent(page)).toBe(100);
    for (let i = 0; i < 30; i++) await page.keyboard.press('=');
    await expect.poll(() => percent(page)).toBeCloseTo(Math.max(1600, fitPercent * 16), -1);
    await page.keyboard.press('f');
    await expect.poll(() => percent(page)).toBe(fit);

    // Zoom to the selected track: its points centred on the stage.
    await page.getByRole('button', { name: 'Add person' }).click();
    for (const at of [
      { x: 60, y: 40 },
      { x: 90, y: 80 },
      { x: 70, y: 110 },
    ]) {
      await clickVideoPixel(page, overlay, VIDEO, at);
    }
    await page.keyboard.press('z');
    await expect.poll(() => percent(page)).toBeGreaterThan(fit * 1.5);
    const zoomed = await page.locator('.media-layer').boundingBox();
    if (!zoomed) throw new Error('no media layer');
    // The layer is the stage, zoomed about its centre and panned; the picture is fitted inside.
    const scale = Math.min(zoomed.width / VIDEO.width, zoomed.height / VIDEO.height);
    const centre = {
      x: zoomed.x + (zoomed.width - VIDEO.width * scale) / 2 + 75 * scale,
      y: zoomed.y + (zoomed.height - VIDEO.height * scale) / 2 + 75 * scale,
    };
    expect(centre.x).toBeCloseTo(box.x + box.width / 2, -1);
    expect(centre.y).toBeCloseTo(box.y + box.height / 2, -1);
    await page.getByRole('button', { name: 'Whole picture' }).click();
    await expect.poll(() => mediaTransform(page)).toBe('translate(0px, 0px) scale(1)');

    // Brightness and contrast brighten the picture on screen; the labels layer is untouched.
    await view.getByText('Picture', { exact: true }).click();
    await page.getByLabel('Brightness').fill('1.8');
    await page.getByLabel('Contrast').fill('1.4');
    await expect
      .poll(() =>
        page
          .locator('.media-layer')
          .evaluate((el) => (el as unknown as { style: { filter: string } }).style.filter),
      )
      .toBe('brightness(1.8) contrast(1.4)');
    await page.getByRole('button', { name: 'As recorded' }).click();
    await expect
      .poll(() =>
        page
          .locator('.media-layer')
          .evaluate((el) => (el as unknown as { style: { filter: string } }).style.filter),
      )
      .toBe('none');
    await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
  });
}

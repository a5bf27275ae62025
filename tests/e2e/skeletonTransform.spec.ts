import type { Locator, Page } from '@playwright/test';
import {
  clickVideoPixel,
  coordinates,
  goToFrame,
  openFixtureClip,
  pointStates,
  type VideoPoint,
} from './clipScreen';
import { expect, test } from './fixtures';

/**
 * Issue #16, point 3: a whole skeleton, selected with Shift+click, is scaled by a corner of its
 * box and rotated by the round handle above it, each as one undoable edit, CVAT's way. At two
 * window sizes, each on its own clip.
 */

const VIDEO = { width: 320, height: 240 };
const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'cfr30.mp4' },
  { size: { width: 1920, height: 1080 }, clip: 'cfr60.mp4' },
] as const;
/** overlayHitTest's box padding and rotation-handle offset, in screen px. */
const PAD = 12;
const ROTATE_OFFSET = 26;
const POSE: VideoPoint[] = [
  { x: 100, y: 80 },
  { x: 140, y: 80 },
  { x: 120, y: 140 },
];

/** Page coordinates of a video pixel at the whole-picture view (contain-fit, no pan). */
async function toPage(overlay: Locator, at: VideoPoint): Promise<VideoPoint> {
  const box = await overlay.boundingBox();
  if (!box) throw new Error('The overlay is not on screen.');
  const scale = Math.min(box.width / VIDEO.width, box.height / VIDEO.height);
  return {
    x: box.x + (box.width - VIDEO.width * scale) / 2 + at.x * scale,
    y: box.y + (box.height - VIDEO.height * scale) / 2 + at.y * scale,
  };
}

async function drag(page: Page, from: VideoPoint, to: VideoPoint): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 12 });
  await page.mouse.up();
}

async function placed(page: Page): Promise<VideoPoint[]> {
  return (await pointStates(page)).slice(0, 3).map(coordinates);
}

function expectNear(actual: VideoPoint[], expected: VideoPoint[]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((p, i) => {
    expect(Math.abs((actual[i]?.x ?? NaN) - p.x)).toBeLessThan(1.5);
    expect(Math.abs((actual[i]?.y ?? NaN) - p.y)).toBeLessThan(1.5);
  });
}

for (const { size, clip } of RUNS) {
  test(`at ${size.width}×${size.height} a selected skeleton is scaled and rotated by its box's handles, one undo each`, async ({
    page,
    host,
  }, testInfo) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    const overlay = page.getByTestId('label-overlay');
    const saved = page.getByRole('status', { name: 'Save status' });
    const pressedPoint = page
      .getByRole('list', { name: /^Points of / })
      .getByRole('button', { pressed: true });

    await page.getByRole('button', { name: 'Add person' }).click();
    await goToFrame(page, 10);
    for (const at of POSE) await clickVideoPixel(page, overlay, VIDEO, at);
    await expect.poll(async () => (await placed(page)).length).toBe(3);
    expectNear(await placed(page), POSE);

    // Shift+click a point: the whole skeleton is selected, no single point.
    const nose = await toPage(overlay, POSE[0] ?? { x: 0, y: 0 });
    await page.keyboard.down('Shift');
    await page.mouse.click(nose.x, nose.y);
    await page.keyboard.up('Shift');
    await expect(pressedPoint).toHaveCount(0);
    await page.screenshot({ path: testInfo.outputPath(`skeleton-box-${size.width}.png`) });

    // The south-east corner dragged to twice its distance from the north-west one: scale × 2.
    const nw = await toPage(overlay, { x: 100, y: 80 });
    const seCorner = await toPage(overlay, { x: 140, y: 140 });
    const se = { x: seCorner.x + PAD, y: seCorner.y + PAD };
    await drag(page, se, { x: nw.x + 2 * (se.x - nw.x), y: nw.y + 2 * (se.y - nw.y) });
    await expect
      .poll(async () => (await placed(page))[1]?.x ?? 0, { timeout: 60_000 })
      .toBeGreaterThan(170);
    expectNear(await placed(page), [
      { x: 100, y: 80 },
      { x: 180, y: 80 },
      { x: 140, y: 200 },
    ]);
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await placed(page))[1]?.x ?? 0).toBeLessThan(141);
    expectNear(await placed(page), POSE);

    // The round handle, above the box, swept a quarter turn clockwise about the box's centre.
    const centre = await toPage(overlay, { x: 120, y: 110 });
    const handle = { x: centre.x, y: nw.y - PAD - ROTATE_OFFSET };
    const radius = centre.y - handle.y;
    await drag(page, handle, { x: centre.x + radius, y: centre.y });
    await expect.poll(async () => (await placed(page))[0]?.x ?? 0).toBeGreaterThan(140);
    expectNear(await placed(page), [
      { x: 150, y: 90 },
      { x: 150, y: 130 },
      { x: 90, y: 110 },
    ]);
    await expect(saved).toHaveText('All changes saved');
    await page.screenshot({ path: testInfo.outputPath(`skeleton-rotated-${size.width}.png`) });
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await placed(page))[0]?.x ?? 0).toBeLessThan(101);
    expectNear(await placed(page), POSE);
    await expect(saved).toHaveText('All changes saved');
  });
}

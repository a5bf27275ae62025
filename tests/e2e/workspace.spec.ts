import type { Locator, Page, TestInfo } from '@playwright/test';
import { openFixtureClip } from './clipScreen';
import { expect, test } from './fixtures';

/**
 * The clip screen as a full-window workspace (issue #16, point 1): at the window sizes annotators
 * work at, every panel fits its box (nothing clipped, nothing scrolling sideways), the stage takes
 * what the panels leave, a portrait clip uses the stage's full height, and the side panel and the
 * timeline can be resized and the side panel closed, kept for the next launch.
 */

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
  { width: 2560, height: 1440 },
] as const;

type Overflow = { panel: string; element: string; why: string };

/**
 * Every element of every panel that pokes out of its panel sideways, and every box that scrolls
 * sideways; the page itself must not scroll either way. Read in the page in one pass.
 */
async function overflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    type Rect = { left: number; right: number; width: number; height: number };
    type El = {
      tagName: string;
      className: unknown;
      textContent: string | null;
      scrollWidth: number;
      clientWidth: number;
      getAttribute(name: string): string | null;
      getBoundingClientRect(): Rect;
      querySelectorAll(selector: string): Iterable<El>;
    };
    const g = globalThis as unknown as {
      document: { documentElement: El; querySelectorAll(selector: string): Iterable<El> };
      innerWidth: number;
      innerHeight: number;
      getComputedStyle(el: El): { overflowX: string; display: string; visibility: string };
    };
    const name = (el: El) =>
      `${el.tagName.toLowerCase()}${typeof el.className === 'string' && el.className ? `.${el.className.split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const found: { panel: string; element: string; why: string }[] = [];
    const root = g.document.documentElement;
    if (root.scrollWidth > g.innerWidth) {
      found.push({
        panel: 'page',
        element: 'html',
        why: `scrolls sideways (${root.scrollWidth} > ${g.innerWidth})`,
      });
    }
    const panels = [
      ...g.document.querySelectorAll(
        '.workspace-bar, .workspace-stage, .workspace-timeline, .labeling-sidebar, .labeling-sidebar .panel, .workspace-status',
      ),
    ];
    for (const panel of panels) {
      const box = panel.getBoundingClientRect();
      if (box.width === 0) continue;
      const label = name(panel);
      for (const el of [panel, ...panel.querySelectorAll('*')]) {
        const style = g.getComputedStyle(el);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        // Decorative video.js parts sit outside the picture on purpose and are never shown.
        if (el.getAttribute('aria-hidden') === 'true' && el.tagName === 'DIV') continue;
        if (r.left < box.left - 1 || r.right > box.right + 1) {
          found.push({
            panel: label,
            element: name(el),
            why: `spans ${Math.round(r.left)}–${Math.round(r.right)} outside ${Math.round(box.left)}–${Math.round(box.right)}`,
          });
        }
        if (
          el.scrollWidth > el.clientWidth + 1 &&
          el.clientWidth > 0 &&
          style.overflowX !== 'visible' &&
          style.overflowX !== 'hidden'
        ) {
          found.push({
            panel: label,
            element: name(el),
            why: `scrolls sideways (${el.scrollWidth} > ${el.clientWidth})`,
          });
        }
      }
    }
    return found;
  });
}

async function box(
  locator: Locator,
): Promise<{ x: number; y: number; width: number; height: number }> {
  const b = await locator.boundingBox();
  if (!b) throw new Error('not on screen');
  return b;
}

async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

for (const size of SIZES) {
  test(`at ${size.width}×${size.height} every panel fits and the stage takes the rest`, async ({
    page,
    host,
  }, testInfo) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, 'cfr30.mp4');
    // The fullest side panel: a track selected, with its 17 points listed.
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect(page.getByRole('list', { name: /^Points of / })).toBeVisible();
    await page.getByRole('radio', { name: 'Range' }).check();

    expect(await overflows(page)).toEqual([]);

    // The stage is most of the window: the side panel and the timeline dock take the rest.
    const stage = await box(page.locator('.player-stage'));
    const side = await box(page.getByRole('complementary', { name: 'Labels' }));
    const timeline = await box(page.getByRole('region', { name: 'Timeline' }));
    expect(stage.width + side.width).toBeGreaterThan(size.width - 16);
    expect(stage.width).toBeGreaterThan(size.width * 0.55);
    expect(stage.height).toBeGreaterThan(size.height * 0.38);
    expect(timeline.y + timeline.height).toBeLessThanOrEqual(size.height);
    expect(timeline.width).toBeCloseTo(stage.width, -1);
    // The timeline's zoom buttons are in the timeline's own bar, under the picture.
    const zoomIn = await box(
      page.getByRole('toolbar', { name: 'Timeline zoom' }).getByRole('button', { name: 'Zoom in' }),
    );
    expect(zoomIn.y).toBeGreaterThan(stage.y + stage.height);
    expect(zoomIn.y).toBeGreaterThanOrEqual(timeline.y);

    await keepScreenshot(page, testInfo, `workspace-${size.width}x${size.height}`);
  });
}

test('a portrait clip fills the stage height at 1440×900 and 1920×1080', async ({
  page,
  host,
}, testInfo) => {
  for (const size of [SIZES[1], SIZES[2]]) {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, 'rotated.mov');
    const stage = await box(page.locator('.player-stage'));
    // The picture as the video element shows it: contain-fitted into the stage.
    const picture = await page.locator('.player-stage video').evaluate((v) => {
      const video = v as unknown as { videoWidth: number; videoHeight: number };
      return { width: video.videoWidth, height: video.videoHeight };
    });
    expect(picture.height).toBeGreaterThan(picture.width);
    const scale = Math.min(stage.width / picture.width, stage.height / picture.height);
    expect(picture.height * scale).toBeCloseTo(stage.height, 0);
    expect(stage.height).toBeGreaterThan(size.height * 0.38);
    expect(await overflows(page)).toEqual([]);
    await keepScreenshot(page, testInfo, `portrait-${size.width}x${size.height}`);
  }
});

test('the side panel and the timeline are resized by dragging or by keys, and the side panel closes, as kept for next time', async ({
  page,
  host,
}, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openFixtureClip(page, host, 'cfr30.mp4');
  const side = page.getByRole('complementary', { name: 'Labels' });
  const sideSplitter = page.getByRole('separator', { name: 'Resize the side panel' });
  const before = await box(side);

  // Dragging the splitter 120 px left makes the side panel 120 px wider and the stage narrower.
  const handle = await box(sideSplitter);
  await page.mouse.move(handle.x + handle.width / 2, handle.y + 200);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2 - 120, handle.y + 200, { steps: 6 });
  await page.mouse.up();
  await expect.poll(async () => (await box(side)).width).toBeCloseTo(before.width + 120, 0);
  await expect(sideSplitter).toHaveAttribute(
    'aria-valuenow',
    String(Math.round(before.width + 120)),
  );
  expect(await overflows(page)).toEqual([]);

  // The arrow keys move it too, and do not step the video while the splitter has focus.
  await sideSplitter.focus();
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => (await box(side)).width).toBeCloseTo(before.width + 104, 0);
  await expect(page.getByLabel('Current frame')).toHaveText('0');

  // The timeline dock grows upward when its splitter is dragged up; its canvas follows.
  const timelineCanvas = page.locator('.timeline-canvas');
  const canvasBefore = await box(timelineCanvas);
  const timelineSplitter = await box(page.getByRole('separator', { name: 'Resize the timeline' }));
  await page.mouse.move(timelineSplitter.x + 300, timelineSplitter.y + timelineSplitter.height / 2);
  await page.mouse.down();
  await page.mouse.move(
    timelineSplitter.x + 300,
    timelineSplitter.y + timelineSplitter.height / 2 - 80,
    { steps: 6 },
  );
  await page.mouse.up();
  await expect
    .poll(async () => (await box(timelineCanvas)).height)
    .toBeCloseTo(canvasBefore.height + 80, 0);
  // The drawing follows its box (whole pixels inside a box with a border).
  await expect
    .poll(async () => (await box(page.locator('.timeline-canvas canvas').first())).height)
    .toBeGreaterThan(canvasBefore.height + 76);

  // Ctrl+B closes the side panel and the stage takes the whole width; the button reopens it.
  const stageBefore = await box(page.locator('.player-stage'));
  await page.keyboard.press('Control+b');
  await expect(side).toBeHidden();
  await expect
    .poll(async () => (await box(page.locator('.player-stage'))).width)
    .toBeGreaterThan(stageBefore.width + 300);
  await keepScreenshot(page, testInfo, 'side-panel-closed-1440x900');
  // Reopening the app (resuming this clip) keeps the layout.
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1, name: 'cfr30.mp4' })).toBeVisible();
  await expect(page.getByLabel('Current frame')).toHaveText('0');
  await expect(side).toBeHidden();
  await page.getByRole('button', { name: 'Show side panel' }).click();
  await expect(side).toBeVisible();
  await expect.poll(async () => (await box(side)).width).toBeCloseTo(before.width + 104, 0);
  await expect
    .poll(async () => (await box(timelineCanvas)).height)
    .toBeCloseTo(canvasBefore.height + 80, 0);
});

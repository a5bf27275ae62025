import type { Locator, Page } from '@playwright/test';
import {
  clickVideoPixel,
  coordinates,
  goToFrame,
  pointStates,
  type VideoPoint,
  openFixtureClip,
} from './clipScreen';
import { expect, test } from './fixtures';

/**
 * Issue #16, point 3 (in part): the person moved, so the whole skeleton is dragged to its new
 * place with Shift held (one edit, one undo), and one point is then nudged with Ctrl+arrows by 1
 * and 10 video pixels; left and right sides have their legend. At two window sizes, each on its
 * own clip.
 */

const VIDEO = { width: 320, height: 240 };
const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'cfr30.mp4' },
  { size: { width: 1920, height: 1080 }, clip: 'cfr60.mp4' },
] as const;
const PLACED: VideoPoint[] = [
  { x: 100, y: 60 },
  { x: 110, y: 70 },
  { x: 90, y: 70 },
  { x: 120, y: 75 },
];

/** Page coordinates of a video pixel on the overlay at the whole-picture view. */
async function onPage(overlay: Locator, at: VideoPoint): Promise<VideoPoint> {
  const box = await overlay.boundingBox();
  if (!box) throw new Error('no overlay');
  const scale = Math.min(box.width / VIDEO.width, box.height / VIDEO.height);
  return {
    x: box.x + (box.width - VIDEO.width * scale) / 2 + at.x * scale,
    y: box.y + (box.height - VIDEO.height * scale) / 2 + at.y * scale,
  };
}

async function placed(page: Page): Promise<VideoPoint[]> {
  return (await pointStates(page)).slice(0, PLACED.length).map(coordinates);
}

for (const { size, clip } of RUNS) {
  test(`at ${size.width}×${size.height} a moved person is dragged whole with Shift, and a point nudged with Ctrl+arrows`, async ({
    page,
    host,
  }) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    const overlay = page.getByTestId('label-overlay');
    const heading = page.getByRole('heading', { level: 3 });
    await page.getByRole('button', { name: 'Add person' }).click();
    // Left and right are drawn apart in the track's hue; the legend says which is which.
    await expect(page.getByLabel('Side colours')).toHaveText(/left side.*right side/);
    await goToFrame(page, 10);
    for (const at of PLACED) await clickVideoPixel(page, overlay, VIDEO, at);
    const before = await placed(page);
    // A click 7 screen px from the nose is off its handle: it places the next point (right_ear)
    // rather than selecting the nose, at this zoom or any other. Undone again at once.
    const nosePx = await onPage(overlay, before[0] ?? { x: 0, y: 0 });
    await page.mouse.click(nosePx.x + 7, nosePx.y);
    await expect(
      page
        .getByRole('list', { name: /^Points of / })
        .getByRole('button')
        .nth(4),
    ).toContainText('right_ear: visible at');
    await page.keyboard.press('Control+z');
    await expect(
      page
        .getByRole('list', { name: /^Points of / })
        .getByRole('button')
        .nth(4),
    ).toContainText('right_ear: undecided');

    // Twenty frames on, the person has moved 30 px right and 15 down: the pose is copied there
    // (Ctrl+C, Ctrl+V) and dragged whole with Shift, one edit.
    await page.keyboard.press('Control+c');
    await goToFrame(page, 30);
    await expect(heading).toHaveText(/at frame 30 \(not in the picture here\)/);
    await page.keyboard.press('Control+v');
    await expect(heading).toHaveText(/at frame 30 \(keyframe\)/);
    expect(await placed(page)).toEqual(before);
    const from = await onPage(overlay, before[0] ?? { x: 0, y: 0 });
    const to = await onPage(overlay, { x: (before[0]?.x ?? 0) + 30, y: (before[0]?.y ?? 0) + 15 });
    await page.keyboard.down('Shift');
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    await expect(heading).toHaveText(/at frame 30 \(keyframe\)/);
    const moved = await placed(page);
    for (let i = 0; i < PLACED.length; i++) {
      // Within the half video pixel one screen pixel is at this zoom.
      expect(moved[i]?.x).toBeCloseTo((before[i]?.x ?? 0) + 30, 0);
      expect(moved[i]?.y).toBeCloseTo((before[i]?.y ?? 0) + 15, 0);
    }
    const dragged = moved;

    // One undo takes the whole move back; redo brings it again.
    await page.keyboard.press('Control+z');
    await expect.poll(() => placed(page)).toEqual(before);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => placed(page)).toEqual(dragged);

    // The nose, selected by the drag, nudged 1 px right and 10 px down.
    await page.keyboard.press('Control+ArrowRight');
    await page.keyboard.press('Control+Shift+ArrowDown');
    await expect
      .poll(async () => (await placed(page))[0])
      .toEqual({ x: (dragged[0]?.x ?? 0) + 1, y: (dragged[0]?.y ?? 0) + 10 });
    // The frame did not move: Ctrl+arrows are the point's, not the player's.
    await expect(page.getByLabel('Current frame')).toHaveText('30');
    await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
  });
}

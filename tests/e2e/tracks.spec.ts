import type { Page } from '@playwright/test';
import {
  clickVideoPixel,
  coordinates,
  goToFrame,
  pointStates,
  openFixtureClip,
} from './clipScreen';
import { expect, test } from './fixtures';

/**
 * Issue #16, point 2: a track is renamed, loses a keyframe, leaves the picture and comes back, is
 * split in two and merged again, and is deleted and brought back, all from the Tracks panel and
 * its keys, each one undoable, and all of it still there after a reload. At two window sizes, on
 * two clips (each test labels its own).
 */

const VIDEO = { width: 320, height: 240 };
const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'cfr30.mp4' },
  { size: { width: 1920, height: 1080 }, clip: 'cfr60.mp4' },
] as const;

/** The track list's entries, as read: "Cook (2 keyframes)". */
async function trackList(page: Page): Promise<string[]> {
  const list = page.getByRole('list', { name: 'Tracks' });
  if ((await list.count()) === 0) return [];
  return (await list.getByRole('button').allTextContents()).map((t) => t.trim());
}

for (const { size, clip } of RUNS) {
  test(`at ${size.width}×${size.height} a track is renamed, cut, absent for a while, split, merged, deleted and brought back`, async ({
    page,
    host,
  }) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    const overlay = page.getByTestId('label-overlay');
    const saved = page.getByRole('status', { name: 'Save status' });
    const heading = page.getByRole('heading', { level: 3 });

    await page.getByRole('button', { name: 'Add person' }).click();
    await goToFrame(page, 10);
    for (const [i, at] of [
      { x: 100, y: 80 },
      { x: 110, y: 90 },
      { x: 120, y: 100 },
    ].entries()) {
      await clickVideoPixel(page, overlay, VIDEO, at);
      await expect(
        page
          .getByRole('list', { name: /^Points of / })
          .getByRole('button')
          .nth(i),
      ).toContainText('visible at');
    }
    const atTen = (await pointStates(page)).slice(0, 3);
    await goToFrame(page, 30);
    await clickVideoPixel(page, overlay, VIDEO, { x: 200, y: 150 });
    await expect(heading).toHaveText(/at frame 30 \(keyframe\)/);

    // Rename: the name shows in the list, the points heading and (by role) the points list.
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Cook');
    await page.keyboard.press('Enter');
    expect(await trackList(page)).toEqual(['Cook (2 keyframes)']);
    await expect(heading).toHaveText('Cook at frame 30 (keyframe)');

    // Delete the keyframe at 30 (Shift+K does the same); undo brings it back.
    await page.getByRole('button', { name: 'Delete keyframe' }).click();
    await expect(heading).toHaveText('Cook at frame 30 (not in the picture here)');
    expect(await trackList(page)).toEqual(['Cook (1 keyframe, not in this frame)']);
    await page.keyboard.press('Control+z');
    await expect(heading).toHaveText('Cook at frame 30 (keyframe)');
    await page.keyboard.press('Shift+K');
    await expect(heading).toHaveText('Cook at frame 30 (not in the picture here)');
    await page.keyboard.press('Control+z');
    await expect(heading).toHaveText('Cook at frame 30 (keyframe)');

    // The cook leaves the picture at 20 (X) and is back at 30: the pose of 10 holds up to 19,
    // nothing is interpolated across 20–29.
    await goToFrame(page, 20);
    await expect(heading).toHaveText('Cook at frame 20 (interpolated)');
    await page.keyboard.press('x');
    await expect(heading).toHaveText('Cook at frame 20 (not in the picture here)');
    await goToFrame(page, 25);
    await expect(heading).toHaveText('Cook at frame 25 (not in the picture here)');
    await goToFrame(page, 19);
    await expect(heading).toHaveText('Cook at frame 19 (interpolated)');
    const held = (await pointStates(page)).slice(0, 3);
    for (let i = 0; i < 3; i++) {
      expect(coordinates(held[i] ?? '')).toEqual(coordinates(atTen[i] ?? ''));
    }

    // Split at 25: frames from 25 on are a new track, "Person 1" (the name Cook left free).
    await goToFrame(page, 25);
    await page.getByRole('button', { name: 'Split here' }).click();
    await expect
      .poll(() => trackList(page))
      .toEqual([
        'Cook (1 keyframe, not in this frame)',
        'Person 1 (1 keyframe, not in this frame)',
      ]);

    // Merged back into Cook: one track again, still out of the picture on 20–29.
    await page.getByRole('button', { name: /^Cook/ }).click();
    await page
      .getByRole('combobox', { name: 'Merge into Cook:' })
      .selectOption({ label: 'Person 1' });
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect.poll(() => trackList(page)).toEqual(['Cook (2 keyframes, not in this frame)']);
    await expect(page.getByRole('status', { name: 'Labeling notice' })).toHaveText(
      'Person 1 is now part of Cook.',
    );
    await goToFrame(page, 30);
    await expect(heading).toHaveText('Cook at frame 30 (keyframe)');

    // Deleted, and brought back by one undo with its keyframes.
    await page.getByRole('button', { name: 'Delete track' }).click();
    expect(await trackList(page)).toEqual([]);
    await expect(page.getByRole('status', { name: 'Labeling notice' })).toHaveText(
      'Deleted Cook. Ctrl+Z brings it back.',
    );
    await page.keyboard.press('Control+z');
    await expect.poll(() => trackList(page)).toEqual(['Cook (2 keyframes)']);
    await expect(saved).toHaveText('All changes saved');

    // All of it was saved: reopened, the cook is still absent at 25 and held at 19.
    await page.goto(host.url);
    await expect(page.getByRole('heading', { level: 1, name: clip })).toBeVisible();
    await expect(page.getByLabel('Current frame')).toHaveText(/^\d+$/);
    await page.getByRole('button', { name: /^Cook/ }).click();
    await goToFrame(page, 25);
    await expect(heading).toHaveText('Cook at frame 25 (not in the picture here)');
    await goToFrame(page, 19);
    await expect(heading).toHaveText('Cook at frame 19 (interpolated)');
  });
}

import { openFixtureClip } from './clipScreen';
import { expect, test } from './fixtures';

/**
 * The clip screen as an annotator sees it at the window sizes they work at: what opens over the
 * player shows its beginning and can be closed without hunting for it.
 */

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

for (const size of SIZES) {
  test(`at ${size.width}×${size.height} the shortcut sheet opens at its top, with its heading, first keys and Close on screen`, async ({
    page,
    host,
  }) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, 'cfr30.mp4');
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(sheet).toBeVisible();
    // Opened, the sheet had scrolled to Close at its end: heading and the stepping keys were
    // above the window's top edge.
    await expect(sheet.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeInViewport({
      ratio: 1,
    });
    await expect(sheet.getByRole('row', { name: /Previous \/ next frame/ })).toBeInViewport({
      ratio: 1,
    });
    await expect(sheet.getByRole('button', { name: 'Close' })).toBeInViewport({ ratio: 1 });
    const box = await sheet.boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= size.height).toBe(true);

    // The list scrolls by keys to its last entry, and the heading and Close stay where they are.
    const list = sheet.getByRole('region', { name: 'Shortcuts' });
    await list.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('End');
    await expect(sheet.getByRole('row', { name: /Show this sheet/ })).toBeInViewport({ ratio: 1 });
    await expect(sheet.getByRole('heading', { name: 'Keyboard shortcuts' })).toBeInViewport({
      ratio: 1,
    });
    await expect(sheet.getByRole('button', { name: 'Close' })).toBeInViewport({ ratio: 1 });
    // The keys went to the sheet, not to the video under it (a step, a jump to the last frame).
    await expect(page.getByLabel('Current frame')).toHaveText('0');
    await sheet.getByRole('button', { name: 'Close' }).click();
    await expect(sheet).toBeHidden();
  });
}

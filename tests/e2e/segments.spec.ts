import type { Locator, Page } from '@playwright/test';
import { openFixtureClip } from './clipScreen';
import { expect, test } from './fixtures';

/**
 * Issue #16, point 6: a segment is made by dragging along a timeline row (ELAN's and Label
 * Studio's habit) and labeled with one number key once its label was used before; the numbers
 * are shown in the Action segments panel and survive a reload. At two window sizes, each on its
 * own clip (the tests share one database).
 */

const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'cfr30.mp4', frames: 90 },
  { size: { width: 1920, height: 1080 }, clip: 'cfr60.mp4', frames: 120 },
] as const;

/** timelineView's default layout: ruler 0–24, then 28 px rows 2 px apart (camera wearer first). */
const ROW_Y = { cameraWearer: 40, firstPerson: 70 } as const;

/** Drags along a timeline row from the middle of one frame to the middle of another. */
async function dragOnRow(
  page: Page,
  frames: number,
  y: number,
  from: number,
  to: number,
): Promise<void> {
  const box = await page
    .getByRole('region', { name: 'Timeline' })
    .locator('.timeline-canvas')
    .boundingBox();
  if (!box) throw new Error('The timeline is not on screen.');
  const x = (frame: number) => box.x + ((frame + 0.5) * box.width) / frames;
  await page.mouse.move(x(from), box.y + y);
  await page.mouse.down();
  await page.mouse.move(x(to), box.y + y, { steps: 10 });
  await page.mouse.up();
}

async function pickLabel(page: Page, picker: Locator, verb: string, noun: string): Promise<void> {
  await picker.getByRole('combobox', { name: 'Verb' }).fill(verb);
  await page.keyboard.press('Enter');
  await picker.getByRole('combobox', { name: 'Noun' }).fill(noun);
  await page.keyboard.press('Enter');
  await picker.getByRole('button', { name: 'Save' }).click();
}

for (const { size, clip, frames } of RUNS) {
  test(`at ${size.width}×${size.height} a drag on a timeline row makes a segment and a number key labels it`, async ({
    page,
    host,
  }, testInfo) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    const panel = page.getByRole('region', { name: 'Action segments' });
    const selected = page.getByLabel('Selected segment');
    const recent = panel.getByRole('list', { name: 'Recent labels: press the number' });
    const saved = page.getByRole('status', { name: 'Save status' });
    await expect(panel).toContainText('The labels you give segments go on keys 1–9');

    // The first segment: a drag on the camera wearer's row, then the picker (nothing is recent).
    await dragOnRow(page, frames, ROW_Y.cameraWearer, 10, 30);
    await expect(panel).toContainText('1 segment, 1 without a label');
    await expect(selected).toContainText('Frames 10–30 in row Camera wearer: not labeled yet');
    await page.keyboard.press('e');
    const picker = page.getByRole('dialog', { name: 'Label segment' });
    await pickLabel(page, picker, 'open', 'cupboard');
    await expect(picker).toBeHidden();
    await expect(selected).toContainText('open cupboard');
    await expect(recent.getByRole('button')).toHaveText(['1 open cupboard']);

    // A second label, picked once, goes on key 1 and moves the first to key 2.
    await dragOnRow(page, frames, ROW_Y.cameraWearer, 35, 45);
    await expect(selected).toContainText('Frames 35–45 in row Camera wearer: not labeled yet');
    await page.keyboard.press('e');
    await pickLabel(page, picker, 'take', 'cup');
    await expect(recent.getByRole('button')).toHaveText(['1 take cup', '2 open cupboard']);

    // From now on a segment is one drag and one key, in any row: a person's here, right to left.
    await page.getByRole('button', { name: 'Add person' }).click();
    await dragOnRow(page, frames, ROW_Y.firstPerson, 60, 50);
    await expect(selected).toContainText('Frames 50–60 in row Person 1: not labeled yet');
    await page.keyboard.press('2');
    await expect(selected).toContainText('Frames 50–60 in row Person 1: open cupboard');
    await expect(recent.getByRole('button')).toHaveText(['1 open cupboard', '2 take cup']);
    await expect(panel).toContainText('3 segments.');

    // The label is one undoable edit; a drag stops short of the neighbour it would overlap.
    await page.keyboard.press('Control+z');
    await expect(selected).toContainText('Frames 50–60 in row Person 1: not labeled yet');
    await page.keyboard.press('1');
    await expect(selected).toContainText('open cupboard');
    await dragOnRow(page, frames, ROW_Y.cameraWearer, 48, 38);
    await expect(selected).toContainText('Frames 46–48 in row Camera wearer');
    await page.keyboard.press('Shift+Delete');
    await expect(panel).toContainText('3 segments.');

    // Escape drops the segment selection: the number keys go back to the hand's contact states.
    await page.keyboard.press('Escape');
    await expect(selected).toBeHidden();
    await page.keyboard.press('1');
    await expect(page.getByRole('status', { name: 'Labeling notice' })).toContainText(/hand/i);

    await expect(saved).toHaveText('All changes saved');
    await page.screenshot({ path: testInfo.outputPath(`segments-${size.width}.png`) });
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: testInfo.outputPath(`segment-panel-${size.width}.png`) });

    // Opened again, the segments are there and the numbers still mean the same labels.
    await openFixtureClip(page, host, clip);
    await expect(panel).toContainText('3 segments.');
    await expect(recent.getByRole('button')).toHaveText(['1 open cupboard', '2 take cup']);
  });
}

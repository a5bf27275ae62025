import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, openApp, repoRoot, type LoopbackHost } from './fixtures';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

/** A picture size in video pixels: where the overlay letterboxes the clip. */
export type VideoSize = { width: number; height: number };
export type VideoPoint = { x: number; y: number };

/** Types a frame into the player's Frame box and waits until it is the frame on screen. */
export async function goToFrame(page: Page, frame: number): Promise<void> {
  const input = page.getByRole('spinbutton', { name: 'Frame' });
  await input.fill(String(frame));
  await input.press('Enter');
  await input.blur();
  await expect(page.getByLabel('Current frame')).toHaveText(String(frame));
}

/** Page coordinates of a video pixel on the overlay: contain-fit, no zoom, no pan. */
async function pagePoint(overlay: Locator, video: VideoSize, at: VideoPoint): Promise<VideoPoint> {
  const box = await overlay.boundingBox();
  if (!box) throw new Error('The overlay is not on screen.');
  const scale = Math.min(box.width / video.width, box.height / video.height);
  return {
    x: box.x + (box.width - video.width * scale) / 2 + at.x * scale,
    y: box.y + (box.height - video.height * scale) / 2 + at.y * scale,
  };
}

export async function clickVideoPixel(
  page: Page,
  overlay: Locator,
  video: VideoSize,
  at: VideoPoint,
): Promise<void> {
  const target = await pagePoint(overlay, video, at);
  await page.mouse.click(target.x, target.y);
}

export async function dragVideoPixels(
  page: Page,
  overlay: Locator,
  video: VideoSize,
  from: VideoPoint,
  to: VideoPoint,
): Promise<void> {
  const start = await pagePoint(overlay, video, from);
  const end = await pagePoint(overlay, video, to);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(end.x, end.y, { steps: 8 });
  await page.mouse.up();
}

/** The Tracks panel's text for each point of the selected track on this frame. */
export async function pointStates(page: Page): Promise<string[]> {
  return page
    .getByRole('list', { name: /^Points of / })
    .getByRole('button')
    .allTextContents();
}

/** The video-pixel position in a point's text ("visible at 120.5, 88.0"). */
export function coordinates(text: string): VideoPoint {
  const match = /at (-?[\d.]+), (-?[\d.]+)/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`No coordinates in "${text}"`);
  return { x: Number(match[1]), y: Number(match[2]) };
}

/**
 * Imports the fixture batch through the API (once per host is enough; a repeat is a no-op) and
 * opens `clip` from the batch screen as a person does, waiting for frame 0.
 */
export async function openFixtureClip(page: Page, host: LoopbackHost, clip: string): Promise<void> {
  if (!existsSync(join(BATCH_FOLDER, clip))) {
    throw new Error(`${BATCH_FOLDER} is missing: run \`npm run fixtures\` first.`);
  }
  await openApp(page, host);
  const response = await page.request.post(`${host.origin}/api/importBatch`, {
    data: { folder: BATCH_FOLDER },
    timeout: 90_000,
  });
  expect(((await response.json()) as { ok: boolean }).ok).toBe(true);
  await page.reload();
  const batches = page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
  await batches.getByRole('row').nth(1).getByRole('button').click();
  await page.getByRole('button', { name: clip, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: clip })).toBeVisible();
  await expect(page.getByLabel('Current frame')).toHaveText('0');
}

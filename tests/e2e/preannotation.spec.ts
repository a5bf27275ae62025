import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { coordinates, dragVideoPixels, goToFrame, pointStates } from './clipScreen';
import { expect, openApp, test } from './fixtures';

const MESSI = '/usr/share/doc/opencv-doc/examples/data/messi5.jpg';
/** The clip made below: 640×400, a real photo of a player with a slow pan (bench/preannotationBench.ts). */
const VIDEO = { width: 640, height: 400 };
const CLIP = 'messi-pan.mp4';

let folder = '';

test.beforeAll(() => {
  if (!existsSync(MESSI)) throw new Error('messi5.jpg is missing: apt-get install opencv-doc.');
  folder = mkdtempSync(join(tmpdir(), 'framewise-e2e-pose-'));
  mkdirSync(join(folder, 'batch'));
  execFileSync(ffmpegInstaller.path, [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-loop', '1', '-framerate', '10', '-i', MESSI],
    ...['-vf', "crop=480:300:x='n':y='36+trunc(n/8)',scale=640:400", '-frames:v', '20'],
    ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', join(folder, 'batch', CLIP)],
  ]);
});

test.afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('an annotator pre-annotates a range, sees model proposals, accepts one with A, moves a point and undoes', async ({
  page,
  host,
}) => {
  await openApp(page, host);
  const imported = await page.request.post(`${host.origin}/api/importBatch`, {
    data: { folder: join(folder, 'batch') },
    timeout: 90_000,
  });
  expect(((await imported.json()) as { ok: boolean }).ok).toBe(true);
  await page.reload();
  await page.getByRole('row').nth(1).getByRole('button').first().click();
  await page.getByRole('button', { name: CLIP, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: CLIP })).toBeVisible();
  await expect(page.getByLabel('Current frame')).toHaveText('0');

  // Every 5th frame of 0–10, BlazePose full with hands, the project's threshold (the default
  // project sets none: 0.5): three proposals in the background.
  const panel = page.getByRole('region', { name: 'Pre-annotate' });
  await expect(panel.getByLabel('Project score threshold')).toHaveText(
    'The project’s threshold: 0.5 (set by the lead).',
  );
  await expect(panel.getByRole('checkbox', { name: 'Propose hands' })).toBeChecked();
  await panel.getByRole('radio', { name: 'Range' }).check();
  await panel.getByRole('spinbutton', { name: 'Range start' }).fill('0');
  await panel.getByRole('spinbutton', { name: 'Range end' }).fill('10');
  await panel.getByRole('spinbutton', { name: 'Take every N-th' }).fill('5');
  await panel.getByRole('button', { name: 'Run' }).click();
  await expect(panel.getByRole('status', { name: 'Pre-annotation progress' })).toHaveText(
    'Done: 3 frames proposed.',
    { timeout: 90_000 },
  );
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');

  // One person track, a model keyframe on 0, 5 and 10; the points are marked as the model's.
  await expect(page.getByRole('button', { name: /^Person 1/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(page.getByRole('button', { name: /^Person 2/ })).toHaveCount(0);
  // Both of the player's hands, each on its own side's hand track, 21 model points each.
  await goToFrame(page, 5);
  for (const side of ['Left', 'Right']) {
    await expect(page.getByRole('button', { name: new RegExp(`^${side} hand 2`) })).toHaveCount(0);
    await page.getByRole('button', { name: new RegExp(`^${side} hand 1`) }).click();
    const handPoints = await pointStates(page);
    expect(handPoints).toHaveLength(21);
    for (const text of handPoints) expect(text).toMatch(/, model at /);
  }
  await page.getByRole('button', { name: /^Person 1/ }).click();
  const proposed = await pointStates(page);
  expect(proposed).toHaveLength(17);
  for (const text of proposed) expect(text).toMatch(/, model at /);
  // The nose, where it is on the photo (245, 117) through this frame's window (5, 36), ×4/3.
  const nose = coordinates(proposed[0] ?? '');
  expect(Math.abs(nose.x - (245 - 5) * (4 / 3))).toBeLessThan(20);
  expect(Math.abs(nose.y - (117 - 36) * (4 / 3))).toBeLessThan(20);

  // A accepts the whole pose: every point becomes the annotator's.
  await page.keyboard.press('a');
  await expect.poll(async () => (await pointStates(page)).join('\n')).not.toContain(', model');

  // Move the nose by dragging it on the overlay (+30, +20 video pixels).
  const overlay = page.getByTestId('label-overlay');
  await dragVideoPixels(page, overlay, VIDEO, nose, { x: nose.x + 30, y: nose.y + 20 });
  await expect
    .poll(async () => coordinates((await pointStates(page))[0] ?? '').x)
    .toBeCloseTo(nose.x + 30, 0);

  // Undo takes the move back, then the accept: the model's proposal is there again.
  await page.keyboard.press('Control+z');
  await expect
    .poll(async () => coordinates((await pointStates(page))[0] ?? '').x)
    .toBeCloseTo(nose.x, 0);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await pointStates(page))[0] ?? '').toMatch(/, model at /);

  // Shift+A accepts the whole run of the track at once: every frame, one edit.
  await page.keyboard.press('Shift+A');
  await expect(page.getByRole('status', { name: 'Labeling notice' })).toHaveText(
    /^Accepted \d+ model points on 3 keyframes of Person 1\./,
  );
  for (const frame of [0, 5, 10]) {
    await goToFrame(page, frame);
    expect((await pointStates(page)).join('\n')).not.toContain(', model');
  }
  // The hands still have theirs: P goes to the next unaccepted point (a hand's, selected), Accept
  // frame takes every track's on its frame.
  await page.keyboard.press('p');
  await expect(page.getByRole('status', { name: 'Labeling notice' })).toHaveText(
    /^(Left|Right) hand 1’s \w+ at frame (0|5|10), score /,
  );
  await panel.getByRole('button', { name: 'Accept frame' }).click();
  await page.getByRole('button', { name: /^Left hand 1/ }).click();
  await expect.poll(async () => (await pointStates(page)).join('\n')).not.toContain(', model');
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import {
  clickVideoPixel,
  coordinates,
  dragVideoPixels,
  goToFrame,
  pointStates,
} from './clipScreen';
import { expect, openApp, repoRoot, test, type LoopbackHost } from './fixtures';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
/** Every fixture clip is 320×240. */
const VIDEO = { width: 320, height: 240 };
/**
 * The tests of this file share one database, so each labels its own clip: a set one test submits
 * is read-only for the next. The contact test counts on its clip's 90 frames.
 */
const CLIPS = {
  pose: 'cfr30.mp4',
  segments: 'ntsc2997.mp4',
  contact: 'vfr.mp4',
  retry: 'cfr60.mp4',
} as const;
type ClipName = (typeof CLIPS)[keyof typeof CLIPS];

/** Where the 17 COCO points are placed on the first keyframe; the second is moved by (+20, +10). */
function posePoint(index: number, shift = 0): { x: number; y: number } {
  return { x: 40 + index * 14 + shift * 20, y: 60 + (index % 4) * 30 + shift * 10 };
}

async function importBatch(page: Page, host: LoopbackHost): Promise<void> {
  if (!existsSync(join(BATCH_FOLDER, CLIPS.pose))) {
    throw new Error(`${BATCH_FOLDER} is missing: run \`npm run fixtures\` first.`);
  }
  const response = await page.request.post(`${host.origin}/api/importBatch`, {
    data: { folder: BATCH_FOLDER },
    timeout: 90_000,
  });
  expect(((await response.json()) as { ok: boolean }).ok).toBe(true);
}

async function openClip(page: Page, host: LoopbackHost, clip: ClipName): Promise<void> {
  await openApp(page, host);
  await importBatch(page, host);
  await page.reload();
  const batches = page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
  await batches.getByRole('row').nth(1).getByRole('button').click();
  await page.getByRole('button', { name: clip, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: clip })).toBeVisible();
  await expect(page.getByLabel('Current frame')).toHaveText('0');
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
}

async function placeFullPose(page: Page, overlay: Locator, shift: number): Promise<void> {
  for (let i = 0; i < 17; i++) {
    const at = posePoint(i, shift);
    await clickVideoPixel(page, overlay, VIDEO, at);
  }
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
}

test('an annotator labels a pose on two keyframes, sees it interpolated, undoes, redoes and reopens', async ({
  page,
  host,
}) => {
  await openClip(page, host, CLIPS.pose);
  const overlay = page.getByTestId('label-overlay');

  await page.getByRole('button', { name: 'Add person' }).click();
  await expect(page.getByRole('button', { name: /^Person 1/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  await goToFrame(page, 10);
  await placeFullPose(page, overlay, 0);
  const first = await pointStates(page);
  expect(first).toHaveLength(17);
  for (const text of first) expect(text).toMatch(/: visible at /);

  await goToFrame(page, 30);
  await placeFullPose(page, overlay, 1);
  const second = await pointStates(page);
  for (const text of second) expect(text).toMatch(/: visible at /);

  // Halfway between the keyframes, every point is the midpoint of its two keyframe positions.
  await goToFrame(page, 20);
  const between = await pointStates(page);
  for (let i = 0; i < 17; i++) {
    expect(between[i]).toMatch(/visible, interpolated at /);
    const a = coordinates(first[i] ?? '');
    const b = coordinates(second[i] ?? '');
    const mid = coordinates(between[i] ?? '');
    expect(mid.x).toBeCloseTo((a.x + b.x) / 2, 0);
    expect(mid.y).toBeCloseTo((a.y + b.y) / 2, 0);
  }

  // Drag the nose on an interpolated frame: the frame becomes a keyframe with the moved nose.
  const nose = coordinates(between[0] ?? '');
  await dragVideoPixels(page, overlay, VIDEO, nose, { x: nose.x + 30, y: nose.y + 20 });
  await expect(page.getByRole('heading', { name: /at frame 20 \(keyframe\)/ })).toBeVisible();
  const moved = coordinates((await pointStates(page))[0] ?? '');
  expect(moved.x).toBeCloseTo(nose.x + 30, 0);

  // One undo takes the drag (and the keyframe it made) back; redo brings both again.
  await page.keyboard.press('Control+z');
  await expect(page.getByRole('heading', { name: /at frame 20 \(interpolated\)/ })).toBeVisible();
  await page.keyboard.press('Control+Shift+z');
  await expect(page.getByRole('heading', { name: /at frame 20 \(keyframe\)/ })).toBeVisible();

  // V marks the selected point occluded; Del clears it back to undecided.
  await page
    .getByRole('list', { name: /^Points of / })
    .getByRole('button')
    .nth(5)
    .click();
  await page.keyboard.press('v');
  await expect(
    page
      .getByRole('list', { name: /^Points of / })
      .getByRole('button')
      .nth(5),
  ).toContainText('occluded');
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');

  // Reopening the app (no resume=0) comes back to this clip, frame, and track, with every edit.
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1, name: CLIPS.pose })).toBeVisible();
  await expect(page.getByLabel('Current frame')).toHaveText('20');
  await expect(page.getByRole('button', { name: /^Person 1/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const reopened = await pointStates(page);
  expect(coordinates(reopened[0] ?? '').x).toBeCloseTo(moved.x, 1);
  expect(reopened[5]).toContain('occluded');
  await goToFrame(page, 30);
  expect(await pointStates(page)).toEqual(second);
});

test('segments are created, labeled, split and checked before submit, all by keyboard', async ({
  page,
  host,
}) => {
  await openClip(page, host, CLIPS.segments);
  const segments = page.getByRole('region', { name: 'Action segments' });

  await goToFrame(page, 40);
  await page.keyboard.press('[');
  // `]` pressed right after two steps, before the player has shown their frame (the three keys
  // in one task), lands on the frame stepped to, not the one being left.
  await page.evaluate(() => {
    // The e2e tsconfig has no DOM types: the page's globals, as far as this needs them.
    const page = globalThis as unknown as {
      document: { body: { dispatchEvent: (event: unknown) => boolean } };
      KeyboardEvent: new (type: string, init: object) => unknown;
    };
    for (const [key, shiftKey] of [
      ['ArrowRight', true],
      ['ArrowRight', true],
      [']', false],
    ] as const) {
      page.document.body.dispatchEvent(
        new page.KeyboardEvent('keydown', { key, shiftKey, bubbles: true }),
      );
    }
  });
  await expect(segments).toContainText('1 segment, 1 without a label');
  await expect(page.getByLabel('Selected segment')).toContainText('Frames 40–60');

  // Submitting now names the unlabeled segment and links to its frame.
  await page.getByRole('button', { name: 'Submit for review' }).click();
  const missing = page.getByRole('alert', { name: 'What is missing' });
  await expect(missing).toContainText('Not submitted');
  await missing.getByRole('button', { name: 'Go to frame 40' }).click();
  await expect(page.getByLabel('Current frame')).toHaveText('40');

  await page.keyboard.press('e');
  const picker = page.getByRole('dialog', { name: 'Label segment' });
  await expect(picker).toBeVisible();
  await pickLabel(page, picker, 'open', 'cupboard');
  await expect(picker).toBeHidden();
  await expect(page.getByLabel('Selected segment')).toContainText('open cupboard');

  await goToFrame(page, 50);
  await page.keyboard.press('s');
  await expect(segments).toContainText('2 segments.');
  await page.keyboard.press('Control+z');
  await expect(segments).toContainText('1 segment.');
  await page.keyboard.press('Control+y');
  await expect(segments).toContainText('2 segments.');

  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await expect(page.getByLabel('Annotation status')).toHaveText('submitted');
  // Submitted labels are read-only.
  await page.keyboard.press('s');
  await expect(page.getByRole('status', { name: 'Labeling notice' })).toContainText(
    'can no longer be edited',
  );
});

test('a hand gets a contact state by key and an object box drawn on the video', async ({
  page,
  host,
}) => {
  await openClip(page, host, CLIPS.contact);
  const overlay = page.getByTestId('label-overlay');
  const contact = page.getByLabel('Contact on this frame');

  await page.getByRole('button', { name: 'Add left hand' }).click();
  await goToFrame(page, 15);
  await page.getByLabel('Object class').selectOption({ label: 'plate' });
  await page.keyboard.press('3');
  await expect(contact).toContainText("Draw the object's box");
  await dragVideoPixels(page, overlay, VIDEO, { x: 100, y: 80 }, { x: 180, y: 150 });
  await expect(contact).toContainText('Frames 15–89: state 3, plate box 80×70');

  await goToFrame(page, 45);
  await page.keyboard.press('0');
  await expect(contact).toContainText('Frames 45–89: state 0');
  await goToFrame(page, 30);
  await expect(contact).toContainText('Frames 15–44: state 3');
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');

  // The shortcut sheet lists the keys used here.
  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toContainText('Contact state of the selected hand');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();
});

/** Types into the picker's verb and noun boxes and picks the first match of each. */
async function pickLabel(page: Page, picker: Locator, verb: string, noun: string): Promise<void> {
  await picker.getByRole('combobox', { name: /verb/i }).fill(verb);
  await page.keyboard.press('Enter');
  await picker.getByRole('combobox', { name: /noun/i }).fill(noun);
  await page.keyboard.press('Enter');
  await picker.getByRole('button', { name: 'Save' }).click();
}

test.describe('on a link that drops requests', () => {
  test.use({ allowedConsoleErrors: [/net::ERR_CONNECTION_RESET/] });

  test('an edit whose save fails is shown as not saved, retried, and saved exactly once', async ({
    page,
    host,
  }) => {
    await openClip(page, host, CLIPS.retry);
    const overlay = page.getByTestId('label-overlay');
    const status = page.getByRole('status', { name: 'Save status' });
    await page.getByRole('button', { name: 'Add person' }).click();
    await expect(status).toHaveText('All changes saved');
    await goToFrame(page, 5);

    // The first attempt reaches the host and is committed, but its answer is lost on the way back;
    // the next attempts do not reach the host at all until the link is back.
    let attempts = 0;
    let linkUp = false;
    await page.route('**/api/applyLabelEdit', async (route) => {
      attempts += 1;
      if (linkUp) {
        await route.continue();
        return;
      }
      if (attempts === 1) await route.fetch();
      await route.abort('connectionreset');
    });
    await clickVideoPixel(page, overlay, VIDEO, { x: 50, y: 60 });
    await expect(status).toContainText('Not saved yet (1 pending)');
    await expect(status).toContainText('Retrying');
    await expect.poll(() => attempts).toBeGreaterThanOrEqual(3);

    linkUp = true;
    await expect(status).toHaveText('All changes saved');
    await page.unroute('**/api/applyLabelEdit');

    // Saved once: the track and the one point, and the log holds add-track plus one edit.
    const set = (await (
      await page.request.post(`${host.origin}/api/openAnnotationSet`, {
        data: { clipId: await clipIdOf(page, host) },
      })
    ).json()) as { value: { seq: number } };
    expect(set.value.seq).toBe(2);
    await page.goto(host.url);
    await expect(page.getByLabel('Current frame')).toHaveText('5');
    // Where it was clicked, to within the half video pixel a screen pixel can be at this zoom.
    const saved = (await pointStates(page))[0] ?? '';
    expect(saved).toMatch(/: visible at /);
    expect(coordinates(saved).x).toBeCloseTo(50, 0);
    expect(coordinates(saved).y).toBeCloseTo(60, 0);
  });
});

async function clipIdOf(page: Page, host: LoopbackHost): Promise<string> {
  const batches = (await (
    await page.request.post(`${host.origin}/api/listBatches`, { data: {} })
  ).json()) as { value: { id: string }[] };
  for (const batch of batches.value) {
    const clips = (await (
      await page.request.post(`${host.origin}/api/listClips`, { data: { batchId: batch.id } })
    ).json()) as { value: { id: string; fileName: string }[] };
    const clip = clips.value.find((c) => c.fileName === CLIPS.retry);
    if (clip) return clip.id;
  }
  throw new Error(`${CLIPS.retry} is not imported`);
}

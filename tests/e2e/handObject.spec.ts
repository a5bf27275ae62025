import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { dragVideoPixels, goToFrame } from './clipScreen';
import { expect, openApp, repoRoot, test, type LoopbackHost } from './fixtures';

/**
 * Issue #16, point 6 (second half), as an annotator does it at two window sizes: a hand linked to
 * its person and one to the camera wearer; a hand box keyed on two frames and interpolated
 * between; a contact with an object whose box is moved on a later frame, ended with an end mark
 * (undoable); the contact span on the timeline; then the export, read back: per-frame hand and
 * object boxes in hand_object.json and COCO-WholeBody hand boxes on the person's annotations.
 */

const FIXTURES = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
const VIDEO = { width: 320, height: 240 };
const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'cfr30.mp4' },
  { size: { width: 1920, height: 1080 }, clip: 'cfr60.mp4' },
] as const;

type Json = Record<string, unknown>;

async function call<T>(page: Page, host: LoopbackHost, name: string, data: object): Promise<T> {
  const response = await page.request.post(`${host.origin}/api/${name}`, { data, timeout: 90_000 });
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.message ?? 'failed'}`);
  return body.value;
}

let work: string;
test.beforeAll(() => {
  if (!existsSync(join(FIXTURES, 'cfr30.mp4'))) throw new Error('Run `npm run fixtures` first.');
  work = mkdtempSync(join(tmpdir(), 'framewise-e2e-hands-'));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A consented batch of one clip, with a person "Cook" (17 points, keyframes 0 and 60) labeled. */
async function batchWithCook(
  page: Page,
  host: LoopbackHost,
  name: string,
  clip: string,
): Promise<{ setId: string }> {
  const folder = join(work, name);
  mkdirSync(folder);
  cpSync(join(FIXTURES, clip), join(folder, clip));
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: name,
      contributor: { pseudonym: `contrib_${name}` },
      consent: { id: `consent-${name}`, scope: ['training'], grantedAt: '2020-01-01' },
      clips: [{ path: clip }],
    }),
  );
  const report = await call<{ batch: { id: string } }>(page, host, 'importBatch', { folder });
  const [imported] = await call<{ id: string }[]>(page, host, 'listClips', {
    batchId: report.batch.id,
  });
  if (!imported) throw new Error(`${clip} did not import`);
  const set = await call<{ id: string }>(page, host, 'openAnnotationSet', {
    clipId: imported.id,
  });
  const points = Array.from({ length: 17 }, (_, i) => ({
    x: 40 + i * 10,
    y: 50 + i * 5,
    visibility: 'visible',
    source: 'manual',
  }));
  await call(page, host, 'applyLabelEdit', {
    setId: set.id,
    expectedSeq: 0,
    command: {
      type: 'addTrack',
      track: {
        id: `cook-${name}`,
        kind: 'person',
        templateId: 'coco17-body',
        label: 'Cook',
        color: '#e6194b',
        keyframes: [
          { frame: 0, points },
          { frame: 60, points },
        ],
      },
    },
  });
  return { setId: set.id };
}

/** The colour drawn on the timeline's content canvas at frame `frame` of a row at `rowY`. */
async function timelineColour(page: Page, frame: number, frameCount: number, rowY: number) {
  return page
    .locator('.timeline-canvas canvas')
    .first()
    .evaluate(
      (canvas, at) => {
        const c = canvas as unknown as {
          width: number;
          getContext(kind: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        const ratio = (globalThis as unknown as { devicePixelRatio: number }).devicePixelRatio;
        const x = Math.floor(((at.frame + 0.5) * c.width) / at.frameCount);
        const { data } = c.getContext('2d').getImageData(x, Math.floor(at.rowY * ratio), 1, 1);
        return `#${[data[0], data[1], data[2]].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`;
      },
      { frame, frameCount, rowY },
    );
}

function near(actual: unknown, expected: readonly number[]): void {
  expect(Array.isArray(actual)).toBe(true);
  (actual as number[]).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? NaN, 0));
}

for (const { size, clip } of RUNS) {
  test(`at ${size.width}×${size.height} hands are linked, boxed per frame, in contact until an end mark, and exported`, async ({
    page,
    host,
  }, testInfo) => {
    const name = `hands-${size.width}`;
    await page.setViewportSize(size);
    await openApp(page, host);
    const { setId } = await batchWithCook(page, host, name, clip);
    await page.reload();
    await page
      .getByRole('table')
      .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) })
      .getByRole('row')
      .filter({ hasText: `contrib_${name}` })
      .getByRole('button')
      .first()
      .click();
    await page.getByRole('button', { name: clip, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1, name: clip })).toBeVisible();
    await expect(page.getByLabel('Current frame')).toHaveText('0');

    const overlay = page.getByTestId('label-overlay');
    const saved = page.getByRole('status', { name: 'Save status' });
    const contact = page.getByLabel('Contact on this frame');
    const handBox = page.getByLabel('Hand box on this frame');
    const belongsTo = page.getByLabel('Belongs to');

    // The left hand is the cook's.
    await page.getByRole('button', { name: 'Add left hand' }).click();
    await belongsTo.selectOption({ label: 'Cook' });
    await expect(saved).toHaveText('All changes saved');

    // Its box, keyed at 10 and at 30, interpolated between and held after.
    await goToFrame(page, 10);
    await page.getByRole('button', { name: 'Draw boxes (B)' }).click();
    await dragVideoPixels(page, overlay, VIDEO, { x: 100, y: 80 }, { x: 140, y: 120 });
    await expect(handBox).toHaveText('Hand box 40×40, keyframe');
    await goToFrame(page, 30);
    await expect(handBox).toHaveText('Hand box 40×40, interpolated');
    await dragVideoPixels(page, overlay, VIDEO, { x: 160, y: 80 }, { x: 220, y: 140 });
    await expect(handBox).toHaveText('Hand box 60×60, keyframe');
    await goToFrame(page, 20);
    await expect(handBox).toHaveText('Hand box 50×50, interpolated');

    // A contact with a plate from 10: its box drawn there, moved 20 px right at 25.
    await goToFrame(page, 10);
    await page.getByLabel('Object class').selectOption({ label: 'plate' });
    await page.keyboard.press('3');
    await expect(contact).toContainText("Draw the object's box");
    await dragVideoPixels(page, overlay, VIDEO, { x: 200, y: 150 }, { x: 260, y: 200 });
    await expect(contact).toContainText('state 3, plate box 60×50');
    await goToFrame(page, 25);
    await page.keyboard.press('b');
    await dragVideoPixels(page, overlay, VIDEO, { x: 230, y: 175 }, { x: 250, y: 175 });
    await expect(saved).toHaveText('All changes saved');

    // The end mark: the contact stops at 40, not at the clip's end; undo and redo it.
    await goToFrame(page, 40);
    await page.keyboard.press('c');
    await expect(contact).toContainText('Frames 10–40: state 3, plate box 60×50');
    await goToFrame(page, 41);
    await expect(contact).toHaveText('No contact label on this frame.');
    await page.keyboard.press('Control+z');
    await expect(contact).toContainText('Frames 10–');
    await page.keyboard.press('Control+Shift+z');
    await expect(contact).toHaveText('No contact label on this frame.');
    // Deleting the contact takes its object box with it; one undo brings both back.
    await goToFrame(page, 30);
    await page.getByRole('button', { name: 'Delete contact' }).click();
    await expect(contact).toHaveText('No contact label on this frame.');
    await page.keyboard.press('Control+z');
    await expect(contact).toContainText('Frames 10–40: state 3, plate box 60×50');

    // The right hand is the camera wearer's own.
    await page.getByRole('button', { name: 'Add right hand' }).click();
    await belongsTo.selectOption({ label: 'Camera wearer (own hands)' });
    await expect(saved).toHaveText('All changes saved');

    // The span is drawn on the left hand's contact row, in state 3's colour, and ends at 40.
    await page.keyboard.press('End');
    await expect(page.getByLabel('Current frame')).not.toHaveText('41');
    const frameCount = Number(await page.getByLabel('Current frame').textContent()) + 1;
    // Ruler 24 + 2, camera wearer and Cook rows (28 + 2 each), then the left hand's span row.
    const spanRowY = 26 + 2 * 30 + 9;
    await expect.poll(() => timelineColour(page, 25, frameCount, spanRowY)).toBe('#74c476');
    expect(await timelineColour(page, 45, frameCount, spanRowY)).toBe('#f8f9fb');

    await goToFrame(page, 20);
    const panel = page.getByRole('region', { name: 'Hand-object contact' });
    await panel.getByRole('combobox').first().selectOption({ label: 'Left hand 1' });
    await panel.scrollIntoViewIfNeeded();
    await expect(handBox).toHaveText('Hand box 50×50, interpolated');
    await expect(belongsTo).toHaveValue(/^person:/);
    // Nothing in the panel is wider than the panel (no sideways scroll, no text cut off).
    const overflow = await panel.evaluate((el) => {
      type Rect = { left: number; right: number; width: number };
      type El = { getBoundingClientRect(): Rect; querySelectorAll(s: string): Iterable<El> };
      const root = el as unknown as El;
      const box = root.getBoundingClientRect();
      // Options of a closed select have no box of their own.
      return [...root.querySelectorAll(':not(option)')].filter((child) => {
        const r = child.getBoundingClientRect();
        return r.width > 0 && (r.right > box.right + 0.5 || r.left < box.left - 0.5);
      }).length;
    });
    expect(overflow).toBe(0);
    const shot = await page.screenshot();
    await testInfo.attach(`hand-object-${size.width}x${size.height}`, {
      body: shot,
      contentType: 'image/png',
    });
    writeFileSync(join(testInfo.outputDir, `hand-object-${size.width}x${size.height}.png`), shot);

    // Submit and export, then read the files.
    const submitted = await call<{ submitted: boolean }>(page, host, 'submitAnnotationSet', {
      setId,
    });
    expect(submitted.submitted).toBe(true);
    await page.reload();
    await page.getByRole('button', { name: 'Export…' }).click();
    await page.getByRole('checkbox', { name: new RegExp(name) }).check();
    await page.getByRole('radio', { name: /Submitted and later/ }).check();
    await page.getByRole('checkbox', { name: /Hand-object/ }).check();
    const destination = join(work, `${name}-export`);
    await page.getByRole('textbox', { name: /Destination folder/ }).fill(destination);
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(page.getByRole('status')).toContainText('Export finished: 1 clips exported');

    const hands = JSON.parse(readFileSync(join(destination, 'hand_object.json'), 'utf8')) as {
      version: number;
      videos: { hands: Json[] }[];
    };
    expect(hands.version).toBe(2);
    const [left, right] = hands.videos[0]?.hands ?? [];
    expect(left).toMatchObject({
      handside: 0,
      link: { kind: 'person', track_name: 'Cook' },
    });
    expect(right).toMatchObject({ handside: 1, link: { kind: 'camera_wearer' }, contacts: [] });
    const [held] = (left?.contacts ?? []) as Json[];
    expect(held).toMatchObject({ start_frame: 10, end_frame: 40, contactstate: 3 });
    const frames = held?.frames as { frame: number; hand_box: number[]; object_bbox: number[] }[];
    expect(frames.map((f) => f.frame)).toEqual(Array.from({ length: 31 }, (_, i) => 10 + i));
    near(frames[0]?.hand_box, [100, 80, 40, 40]);
    near(frames[10]?.hand_box, [130, 80, 50, 50]);
    near(frames[0]?.object_bbox, [200, 150, 60, 50]);
    near(frames[15]?.object_bbox, [220, 150, 60, 50]);
    // Between the object's keyframes at 10 and 25: two thirds of the way at 20.
    near(frames[10]?.object_bbox, [213.33, 150, 60, 50]);

    const coco = JSON.parse(readFileSync(join(destination, 'coco_keypoints.json'), 'utf8')) as {
      images: Json[];
      annotations: Json[];
      categories: Json[];
    };
    // Loadable as pycocotools indexes it: every annotation's image and category exist.
    const imageIds = new Set(coco.images.map((i) => i.id));
    const categories = new Map(coco.categories.map((c) => [c.id, c.keypoints as string[]]));
    for (const ann of coco.annotations) {
      expect(imageIds.has(ann.image_id)).toBe(true);
      expect((ann.keypoints as number[]).length).toBe(
        3 * (categories.get(ann.category_id)?.length ?? 0),
      );
      expect(ann.bbox as number[]).toHaveLength(4);
    }
    const onFrame = (frame: number) =>
      coco.annotations.find(
        (a) =>
          a.category_id === 1 &&
          a.image_id === coco.images.find((i) => i.frame_index === frame)?.id,
      );
    expect(onFrame(20)).toMatchObject({ track_name: 'Cook', lefthand_valid: true });
    near(onFrame(20)?.lefthand_box, [130, 80, 50, 50]);
    near(onFrame(50)?.lefthand_box, [160, 80, 60, 60]);
    expect(onFrame(5)).toMatchObject({ lefthand_valid: false, lefthand_box: [0, 0, 0, 0] });
  });
}

import type { Page } from '@playwright/test';
import { openFixtureClip } from './clipScreen';
import { expect, test, type LoopbackHost } from './fixtures';

/**
 * Issue #16, point 4: checking model proposals. P goes to the next unaccepted model point and
 * Shift+P to the least sure one (buttons too), each selecting its track and point; submit refuses
 * a clip with more unaccepted proposals than the project allows (default 0) with counts and links
 * to the frames; the hands option is offered only for the model that proposes hands. The
 * proposals are stored through the same edit API a pre-annotation run saves its results by (the
 * run itself is preannotation.spec.ts's), so the scores are known. At two window sizes.
 */

const RUNS = [
  { size: { width: 1440, height: 900 }, clip: 'cfr30.mp4' },
  { size: { width: 1920, height: 1080 }, clip: 'cfr60.mp4' },
] as const;

type Api = { ok: boolean; value: unknown; error?: { message: string } };

async function call(page: Page, host: LoopbackHost, name: string, data: unknown): Promise<unknown> {
  const answer = (await (
    await page.request.post(`${host.origin}/api/${name}`, { data })
  ).json()) as Api;
  if (!answer.ok) throw new Error(`${name}: ${answer.error?.message ?? 'failed'}`);
  return answer.value;
}

async function clipId(page: Page, host: LoopbackHost, fileName: string): Promise<string> {
  const batches = (await call(page, host, 'listBatches', {})) as { id: string }[];
  for (const batch of batches) {
    const clips = (await call(page, host, 'listClips', { batchId: batch.id })) as {
      id: string;
      fileName: string;
    }[];
    const clip = clips.find((c) => c.fileName === fileName);
    if (clip) return clip.id;
  }
  throw new Error(`${fileName} is not imported`);
}

/**
 * A COCO-17 person: frame 10 accepted, frames 20 and 30 the model's, scored 0.9 but for the left
 * wrist at 20 (0.3) and the left shoulder at 30 (0.6).
 */
async function seedProposals(page: Page, host: LoopbackHost, fileName: string): Promise<void> {
  const set = (await call(page, host, 'openAnnotationSet', {
    clipId: await clipId(page, host, fileName),
  })) as { id: string; seq: number };
  const point = (i: number, frame: number) => {
    const at = { x: 100 + i * 5, y: 40 + i * 10, visibility: 'visible' };
    if (frame === 10) return { ...at, source: 'manual' };
    const score = frame === 20 && i === 9 ? 0.3 : frame === 30 && i === 5 ? 0.6 : 0.9;
    return { ...at, source: 'model', model: 'blazepose-full (test)', score };
  };
  const keyframe = (frame: number) => ({
    frame,
    points: Array.from({ length: 17 }, (_, i) => point(i, frame)),
  });
  await call(page, host, 'applyLabelEdit', {
    setId: set.id,
    expectedSeq: set.seq,
    command: {
      type: 'addTrack',
      track: {
        id: 'person-1',
        kind: 'person',
        templateId: 'coco17-body',
        label: 'Person 1',
        color: '#4e79a7',
        keyframes: [keyframe(10), keyframe(20), keyframe(30)],
      },
    },
  });
}

for (const { size, clip } of RUNS) {
  test(`at ${size.width}×${size.height} the least sure proposals are checked first and submit counts the rest`, async ({
    page,
    host,
  }, testInfo) => {
    await page.setViewportSize(size);
    await openFixtureClip(page, host, clip);
    await seedProposals(page, host, clip);
    await openFixtureClip(page, host, clip);
    const panel = page.getByRole('region', { name: 'Pre-annotate' });
    const left = panel.getByLabel('Unaccepted proposals');
    const notice = page.getByRole('status', { name: 'Labeling notice' });
    const frame = page.getByLabel('Current frame');
    const selectedPoint = page
      .getByRole('list', { name: /^Points of / })
      .getByRole('button', { pressed: true });
    await expect(left).toHaveText('34 of 51 points are model proposals not yet accepted.');

    // Submit warns before, and refuses with each track's count and links to its frames.
    const submit = page.getByRole('region', { name: 'Submit' });
    await expect(submit.getByLabel('Unaccepted proposals before submit')).toContainText(
      '34 of 51 points (66.7 %) are model proposals nobody accepted; this project allows 0 %.',
    );
    await submit.getByRole('button', { name: 'Submit for review' }).click();
    const missing = page.getByRole('alert', { name: 'What is missing' });
    await expect(missing).toContainText(
      'Track "Person 1": 34 unaccepted model points on 2 keyframes',
    );
    await expect(missing.getByRole('button', { name: /^Go to frame/ })).toHaveText([
      'Go to frame 20',
      'Go to frame 30',
    ]);
    await submit.scrollIntoViewIfNeeded();
    await submit.screenshot({ path: testInfo.outputPath(`submit-refused-${size.width}.png`) });
    await missing.getByRole('button', { name: 'Go to frame 30' }).click();
    await expect(frame).toHaveText('30');

    // Shift+P: the least sure point first, then the next least sure; P walks in reading order.
    await page.keyboard.press('Shift+P');
    await expect(frame).toHaveText('20');
    await expect(notice).toHaveText(
      'Person 1’s left_wrist at frame 20, score 0.30 (34 unaccepted points left).',
    );
    await expect(selectedPoint).toContainText('left_wrist');
    await page.keyboard.press('Shift+P');
    await expect(frame).toHaveText('30');
    await expect(selectedPoint).toContainText('left_shoulder');
    await page.keyboard.press('p');
    await expect(selectedPoint).toContainText('right_shoulder');
    await expect(frame).toHaveText('30');

    // Accepting frame 30's pose leaves 20's; the button goes there.
    await page.keyboard.press('a');
    await expect(left).toHaveText('17 of 51 points are model proposals not yet accepted.');
    await panel.getByRole('button', { name: /^Next unaccepted/ }).click();
    await expect(frame).toHaveText('20');
    await expect(selectedPoint).toContainText('nose');
    await panel.getByRole('button', { name: /^Lowest score/ }).click();
    await expect(selectedPoint).toContainText('left_wrist');

    // Only BlazePose proposes hands: with MoveNet the option is not there at all.
    const hands = panel.getByRole('checkbox', { name: 'Propose hands' });
    await expect(hands).toBeVisible();
    await panel.getByRole('combobox', { name: 'Pose model' }).selectOption('movenet-multipose');
    await expect(hands).toHaveCount(0);
    await panel.getByRole('combobox', { name: 'Pose model' }).selectOption('blazepose-full');
    await expect(hands).toBeVisible();

    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: testInfo.outputPath(`proposals-${size.width}.png`) });

    // Once every proposal is accepted, nothing is left to visit and the clip goes.
    await page.keyboard.press('Shift+A');
    await expect(left).toHaveText('No model proposal left to check.');
    await expect(panel.getByRole('button', { name: /^Next unaccepted/ })).toBeDisabled();
    await expect(submit.getByLabel('Unaccepted proposals before submit')).toHaveCount(0);
    await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
    await submit.getByRole('button', { name: 'Submit for review' }).click();
    await expect(page.getByLabel('Annotation status')).toHaveText('submitted');
  });
}

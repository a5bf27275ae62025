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
import { expect, openApp, repoRoot, test, type LoopbackHost } from './fixtures';

const FIXTURES = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
const COCO_17 = 17;

async function call<T>(page: Page, host: LoopbackHost, name: string, data: object): Promise<T> {
  const response = await page.request.post(`${host.origin}/api/${name}`, { data, timeout: 90_000 });
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${name}: ${body.error?.message ?? 'failed'}`);
  return body.value;
}

let work: string;
test.beforeAll(() => {
  if (!existsSync(join(FIXTURES, 'cfr30.mp4'))) throw new Error('Run `npm run fixtures` first.');
  work = mkdtempSync(join(tmpdir(), 'framewise-e2e-export-'));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

test('a lead exports a consented batch from the Export screen and reads the report', async ({
  page,
  host,
}) => {
  const folder = join(work, 'session-01');
  mkdirSync(folder);
  for (const file of ['cfr30.mp4', 'cfr60.mp4']) cpSync(join(FIXTURES, file), join(folder, file));
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: 'session-01',
      contributor: { pseudonym: 'contrib_e2e' },
      consent: { id: 'consent-e2e', scope: ['training'], grantedAt: '2020-01-01' },
      clips: [{ path: 'cfr30.mp4' }, { path: 'cfr60.mp4' }],
    }),
  );
  await openApp(page, host);
  // Labels come in through the contract, as the labeling screen sends them: one complete pose,
  // then submit. (Accepting needs the review screen, so the export uses "submitted and later".)
  const report = await call<{ batch: { id: string } }>(page, host, 'importBatch', { folder });
  const clips = await call<{ id: string; relativePath: string }[]>(page, host, 'listClips', {
    batchId: report.batch.id,
  });
  const clip = clips.find((c) => c.relativePath === 'cfr30.mp4');
  if (!clip) throw new Error('cfr30.mp4 did not import');
  const set = await call<{ id: string }>(page, host, 'openAnnotationSet', { clipId: clip.id });
  const points = Array.from({ length: COCO_17 }, (_, i) => ({
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
        id: 'person-1',
        kind: 'person',
        templateId: 'coco17-body',
        label: 'Person 1',
        color: '#e6194b',
        keyframes: [
          { frame: 0, points },
          { frame: 10, points: points.map((p) => ({ ...p, x: p.x + 20 })) },
        ],
      },
    },
  });
  const submitted = await call<{ submitted: boolean }>(page, host, 'submitAnnotationSet', {
    setId: set.id,
  });
  expect(submitted.submitted).toBe(true);

  await page.reload();
  await page.getByRole('button', { name: 'Export…' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Export' })).toBeVisible();
  await page.getByRole('checkbox', { name: /session-01/ }).check();
  await page.getByRole('radio', { name: /Submitted and later/ }).check();
  await expect(page.getByRole('checkbox', { name: /COCO keypoints/ })).toBeChecked();
  await page.getByRole('checkbox', { name: /Hand-object/ }).uncheck();
  const destination = join(work, 'export-01');
  await page.getByRole('textbox', { name: /Destination folder/ }).fill(destination);
  await page.getByRole('button', { name: 'Export', exact: true }).click();

  await expect(page.getByRole('status')).toContainText(
    'Export finished: 1 clips exported, 1 excluded.',
  );
  const reportPanel = page.getByRole('region', { name: 'Export report' });
  await expect(reportPanel.getByRole('list', { name: /Exported/ })).toContainText('cfr30.mp4');
  await expect(reportPanel.getByRole('list', { name: /Excluded/ })).toContainText(
    'no_labels_in_status',
  );
  const coco = JSON.parse(readFileSync(join(destination, 'coco_keypoints.json'), 'utf8')) as {
    images: unknown[];
  };
  expect(coco.images).toHaveLength(11);
  expect(existsSync(join(destination, 'hand_object.json'))).toBe(false);
  expect(existsSync(join(destination, 'checksums.sha256'))).toBe(true);
});

import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, openApp, repoRoot, test } from './fixtures';

const FIXTURES = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

let work: string;
test.beforeAll(() => {
  if (!existsSync(join(FIXTURES, 'rotated.mov'))) throw new Error('Run `npm run fixtures` first.');
  work = mkdtempSync(join(tmpdir(), 'framewise-e2e-governance-'));
});
test.afterAll(() => rmSync(work, { recursive: true, force: true }));

test('the clip list shows each clip its consent and the batch its privacy report', async ({
  page,
  host,
}) => {
  const folder = join(work, 'phone-session');
  mkdirSync(folder);
  for (const file of ['rotated.mov', 'cfr30.mp4']) {
    cpSync(join(FIXTURES, file), join(folder, file));
  }
  writeFileSync(
    join(folder, 'batch.json'),
    JSON.stringify({
      version: 1,
      batchId: 'phone-session',
      contributor: { pseudonym: 'contrib_phone', region: 'PT' },
      consent: {
        id: 'consent-old',
        scope: ['training'],
        grantedAt: '2020-01-01',
        expiresAt: '2021-01-01',
      },
      clips: [{ path: 'rotated.mov' }, { path: 'cfr30.mp4' }],
    }),
  );
  await openApp(page, host);
  await page.getByLabel('Folder to import').fill(folder);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('list', { name: 'Files in this import' })).toBeVisible();
  const batches = page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
  await batches.getByRole('row').nth(1).getByRole('button').click();

  const clips = page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Consent' }) });
  const row = clips
    .getByRole('row')
    .filter({ has: page.getByRole('button', { name: 'rotated.mov', exact: true }) });
  const badge = row.locator('[data-consent]');
  await expect(badge).toHaveAttribute('data-consent', 'expired');
  await expect(badge).toContainText('Expired');
  await expect(badge).toHaveAttribute('title', 'Consent consent-old expired on 2021-01-01.');

  const privacy = page.getByRole('region', { name: 'Privacy' });
  await expect(privacy).toContainText('2 clips: 1 with a location');
  await expect(privacy).toContainText('0 can be exported');
  const report = privacy.getByRole('table', { name: 'Metadata found and stripped on export' });
  const phone = report.getByRole('row').filter({ hasText: 'rotated.mov' });
  await expect(phone).toContainText('Location: +37.7749-122.4194/');
  await expect(phone.getByRole('cell').nth(2)).toContainText('Location, Device make, Device model');
});

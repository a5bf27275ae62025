import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../../src/server/db/Db';
import { addUser, issueToken } from '../../src/server/team';
import { spawnServer } from '../integration/server/serverHarness';
import { freshMigratedPgliteDir } from '../support/migratedPgliteTemplate';
import { expect, openApp, repoRoot, test } from './fixtures';
import { signIn } from './signIn';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

test.describe('sync settings', () => {
  // The loopback host answers a refused sign-in with an error status, which Chromium logs.
  test.use({
    allowedConsoleErrors: [/Failed to load resource: the server responded with a status of/],
  });

  test('an annotator signs in to the team server and sees the sync state; a bad token is refused', async ({
    page,
    host,
  }) => {
    const dataDir = await freshMigratedPgliteDir('fw-e2e-server-');
    const db = await openDb({ dataDir });
    await addUser(db, 'ana', 'annotator');
    const { token } = await issueToken(db, 'ana');
    await db.close();
    const server = await spawnServer({ dataDir });
    try {
      await openApp(page, host);
      await page.getByRole('button', { name: 'Sync settings' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Sync settings' })).toBeVisible();
      await expect(page.getByTestId('sync-online')).toHaveText('Not signed in');

      await page.getByLabel('Server address').fill(server.url);
      await page.getByLabel('API token').fill('fwt_this_token_was_never_issued');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('sync-error')).toContainText('refused the token');

      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('sync-online')).toHaveText('Online');
      // Records are made by the account from now on, and the page says who that is.
      await expect(page.getByTestId('sync-account')).toHaveText('ana (annotator)');
      await expect(page.getByTestId('sync-pending')).toHaveText('0');
      // The browser host keeps the token for this session only, and says so.
      await expect(page.getByTestId('sync-token-storage')).toContainText('This session only');
      await expect(page.getByLabel('API token')).toHaveValue('');
      await expect(page.getByTestId('sync-indicator')).toContainText('Online · 0 to send');

      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect(page.getByTestId('sync-report')).toContainText('0 sent, 0 refused');
      await expect(page.getByRole('heading', { name: 'Conflicts' })).toBeVisible();
      await expect(page.getByText('None: everything sent was accepted.')).toBeVisible();
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('labels the server refuses show on Sync settings and on the clip, with the reason and what to do', async ({
    page,
    host,
  }) => {
    const clipName = 'cfr60.mp4';
    const clipRef = createHash('sha256')
      .update(readFileSync(join(BATCH_FOLDER, clipName)))
      .digest('hex');
    // Ana is an annotator with no assignment: the lead has not given her this clip.
    const dataDir = await freshMigratedPgliteDir('fw-e2e-refused-');
    const db = await openDb({ dataDir });
    await addUser(db, 'ana', 'annotator');
    const { token } = await issueToken(db, 'ana');
    await db.close();
    const server = await spawnServer({ dataDir });
    try {
      await openApp(page, host);
      const imported = await page.request.post(`${host.origin}/api/importBatch`, {
        data: { folder: BATCH_FOLDER },
        timeout: 90_000,
      });
      expect(((await imported.json()) as { ok: boolean }).ok).toBe(true);
      await page.reload();
      await signIn(page, server.url, token);
      await page.getByRole('button', { name: 'Back to batches' }).click();

      const batches = page
        .getByRole('table')
        .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
      await batches.getByRole('row').nth(1).getByRole('button').click();
      await page.getByRole('button', { name: clipName, exact: true }).click();
      await expect(page.getByLabel('Current frame')).toHaveText('0');
      await page.getByRole('button', { name: 'Submit for review' }).click();
      await expect(page.getByLabel('Annotation status')).toHaveText('submitted');
      await page.getByRole('button', { name: 'Back to batch' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();

      await page.getByRole('button', { name: 'Sync settings' }).click();
      await page.getByRole('button', { name: 'Sync now' }).click();
      const issue = page.getByTestId('sync-issue').filter({ hasText: clipRef });
      await expect(issue).toContainText('Labels refused');
      await expect(issue.getByTestId('sync-issue-reason')).toContainText(
        `NOT_FOUND: No assignment of clip ${clipRef} to you.`,
      );
      await expect(issue.getByTestId('sync-issue-advice')).toContainText(
        'Ask your team lead to assign it',
      );
      await expect(issue.getByRole('button', { name: 'Retry' })).toBeVisible();
      await expect(issue.getByRole('button', { name: 'Discard' })).toBeVisible();
      // The status agrees with the list: never "none" beside a refusal.
      await expect(page.getByTestId('sync-refused')).not.toHaveText('0');
      await expect(page.getByTestId('sync-last-error')).toContainText('NOT_FOUND');

      // The clip says so too.
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await batches.getByRole('row').nth(1).getByRole('button').click();
      await page.getByRole('button', { name: clipName, exact: true }).click();
      const onClip = page.getByRole('status', { name: 'Not sent to the server' });
      await expect(onClip).toContainText(`No assignment of clip ${clipRef}`);
      await expect(onClip).toContainText('Ask your team lead to assign it');

      // Discard takes it off both lists; the labels stay submitted here.
      await onClip.getByRole('button', { name: 'Discard' }).click();
      await expect(onClip).toHaveCount(0);
      await expect(page.getByLabel('Annotation status')).toHaveText('submitted');
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/server/db/Db';
import { migrateServerDb } from '../../src/server/db/migrations';
import { addUser, issueToken } from '../../src/server/team';
import { spawnServer } from '../integration/server/serverHarness';
import { expect, openApp, test } from './fixtures';

test.describe('sync settings', () => {
  // The loopback host answers a refused sign-in with an error status, which Chromium logs.
  test.use({
    allowedConsoleErrors: [/Failed to load resource: the server responded with a status of/],
  });

  test('an annotator signs in to the team server and sees the sync state; a bad token is refused', async ({
    page,
    host,
  }) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fw-e2e-server-'));
    const db = await openDb({ dataDir });
    await migrateServerDb(db);
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
});

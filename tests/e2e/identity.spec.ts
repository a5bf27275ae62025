import { rmSync } from 'node:fs';
import { openDb } from '../../src/server/db/Db';
import { addUser, issueToken } from '../../src/server/team';
import { spawnServer } from '../integration/server/serverHarness';
import { freshMigratedPgliteDir } from '../support/migratedPgliteTemplate';
import { expect, openApp, test } from './fixtures';
import { signIn } from './signIn';

// A file of its own: the host (one per file) starts with an empty database, as on first run.
test('first run asks for a name, which makes the records until an account signs in', async ({
  page,
  host,
}) => {
  const dataDir = await freshMigratedPgliteDir('fw-e2e-identity-');
  const db = await openDb({ dataDir });
  await addUser(db, 'ana', 'annotator');
  const { token } = await issueToken(db, 'ana');
  await db.close();
  const server = await spawnServer({ dataDir });
  try {
    await openApp(page, host);
    const prompt = page.getByRole('form', { name: 'Your name' });
    await expect(prompt).toBeVisible();
    await prompt.getByLabel(/Your name on this workstation/).fill('Ana Local');
    await prompt.getByRole('button', { name: 'Save name' }).click();
    await expect(prompt).toBeHidden();

    await page.getByRole('button', { name: 'Sync settings' }).click();
    await expect(page.getByTestId('sync-account')).toHaveText(
      'nobody (records are made by Ana Local)',
    );
    await signIn(page, server.url, token);
    await expect(page.getByTestId('sync-account')).toHaveText('ana (annotator)');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByTestId('sync-account')).toHaveText(
      'nobody (records are made by Ana Local)',
    );
    // The name is asked once: it is kept in the workstation's database.
    await page.reload();
    await page.getByRole('button', { name: 'Sync settings' }).click();
    await expect(page.getByTestId('sync-account')).toHaveText(
      'nobody (records are made by Ana Local)',
    );
    // Identity is loaded now: back on the batches screen, no question.
    await page.getByRole('button', { name: 'Back to batches' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Batches' })).toBeVisible();
    await expect(page.getByRole('form', { name: 'Your name' })).toHaveCount(0);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

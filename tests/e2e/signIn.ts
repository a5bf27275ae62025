import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/**
 * Signs in to a team server from Sync settings as a person does: opens Sync settings (unless it
 * is showing), signs out whoever is signed in (the host keeps a spec file's account between its
 * tests), enters the server's address and the token, and waits until the page says Online.
 * Stays on Sync settings.
 */
export async function signIn(page: Page, serverUrl: string, token: string): Promise<void> {
  const heading = page.getByRole('heading', { level: 1, name: 'Sync settings' });
  const open = page.getByRole('button', { name: 'Sync settings' });
  // The button is on every other screen; on Sync settings itself there is only the heading.
  await expect(heading.or(open).first()).toBeVisible();
  if (!(await heading.isVisible())) await open.click();
  await expect(heading).toBeVisible();
  // Rendered with the page, so the Sign out check below sees the page as it is.
  await expect(page.getByTestId('sync-online')).toBeVisible();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) {
    await signOut.click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  }
  await page.getByLabel('Server address').fill(serverUrl);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sync-online')).toHaveText('Online');
}

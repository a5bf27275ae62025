import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron } from '@playwright/test';
import { electronBinary, electronSqliteBinding } from '../../scripts/electronRuntime.mjs';
import { expect, repoRoot, test } from './fixtures';

const fixtureBatch = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

test('the desktop app imports a batch through IPC and plays a clip over its media protocol', async () => {
  const binary = electronBinary();
  if (!binary) {
    const banner = '!'.repeat(78);
    console.warn(
      `\n${banner}\n!! ELECTRON E2E SKIPPED: the Electron binary is not installed on this machine\n` +
        `!! (ELECTRON_SKIP_BINARY_DOWNLOAD). The renderer was tested in Chromium over the\n` +
        `!! loopback host instead; run this test where \`npm install\` fetched Electron.\n${banner}\n`,
    );
    test.info().skip(true, 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD)');
    return;
  }
  const binding = electronSqliteBinding();
  if (!binding) throw new Error('Could not build better-sqlite3 for Electron.');
  const dataDir = mkdtempSync(join(tmpdir(), 'framewise-electron-'));
  const app = await electron.launch({
    executablePath: binary,
    args: [repoRoot],
    env: { ...process.env, FRAMEWISE_SQLITE_BINDING: binding, FRAMEWISE_DATA_DIR: dataDir },
  });
  try {
    const window = await app.firstWindow();
    const exposed = await window.evaluate(() =>
      ['require', 'process', 'module'].filter((name) => name in globalThis),
    );
    expect(exposed, 'no Node globals in the renderer').toEqual([]);
    await window.getByLabel('Folder to import').fill(fixtureBatch);
    await window.getByRole('button', { name: 'Import' }).click();
    await expect(window.getByRole('list', { name: 'Files in this import' })).toContainText(
      'TRUNCATED',
    );
    const batches = window
      .getByRole('table')
      .filter({ has: window.getByRole('columnheader', { name: 'Contributor' }) });
    await batches.getByRole('row').nth(1).getByRole('button').click();
    await window.getByRole('button', { name: 'cfr30.mp4', exact: true }).click();
    await expect
      .poll(() => window.locator('video').evaluate((v: { readyState: number }) => v.readyState))
      .toBeGreaterThanOrEqual(2);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

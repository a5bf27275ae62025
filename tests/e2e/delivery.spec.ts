import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from '@playwright/test';
import { frameTableSha256 } from '../../src/node/media/frameTableHash';
import { probeVideo } from '../../src/node/media/probeVideo';
import { startLossyProxy } from '../support/lossyProxy';
import { goToFrame } from './clipScreen';
import { expect, openApp, readShownFrame, repoRoot, startHost, test } from './fixtures';
import { signIn } from './signIn';
import { pageErrors, startTeamServer } from './teamLoop';

const GENERATED = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');
/** Where to save screenshots of the clip list while clips download (unset: none taken). */
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR;
const VIEWPORT = { width: 1440, height: 900 };

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function shoot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const size of [VIEWPORT, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size.width}.png`) });
  }
  await page.setViewportSize(VIEWPORT);
}

/** My work's row of a clip, found by the short reference it is shown under. */
function rowOf(page: Page, clipRef: string) {
  return page
    .getByRole('table', { name: 'My work' })
    .getByRole('row')
    .filter({ hasText: `Clip ${clipRef.slice(0, 12)}…` });
}

/** From any screen: Sync settings (the header's sync button), Sync now once, then My work. */
async function syncNowThenMyWork(page: Page): Promise<void> {
  await page.getByTestId('sync-indicator').click();
  const answered = page.waitForResponse((response) => response.url().endsWith('/api/syncNow'));
  await page.getByRole('button', { name: 'Sync now' }).click();
  await answered;
  await page.getByRole('button', { name: 'Back to batches' }).click();
  await page.getByRole('button', { name: 'My work', exact: true }).click();
}

test('clip delivery: an empty workstation fetches its two assigned clips through a lossy link, opens them, and a withdrawal removes them everywhere', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const work = mkdtempSync(join(tmpdir(), 'fw-e2e-delivery-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // A contributor's session: a phone clip with its GPS position and a plain one, both assigned
    // below, and a third that stays on the server.
    const folder = join(work, 'market-12');
    mkdirSync(folder);
    copyFileSync(join(GENERATED, 'rotated.mov'), join(folder, 'phone.mov'));
    copyFileSync(join(GENERATED, 'cfr30.mp4'), join(folder, 'cfr30.mp4'));
    copyFileSync(join(GENERATED, 'clip.webm'), join(folder, 'clip.webm'));
    writeFileSync(
      join(folder, 'batch.json'),
      JSON.stringify({
        version: 1,
        batchId: 'market-12',
        contributor: { pseudonym: 'contrib_market' },
        consent: { id: 'consent-market', scope: ['training'], grantedAt: '2026-01-01' },
      }),
    );
    const phoneRef = sha256(readFileSync(join(folder, 'phone.mov')));
    const cfrRef = sha256(readFileSync(join(folder, 'cfr30.mp4')));
    const original = await probeVideo(join(folder, 'phone.mov'));
    const location = original.flagged.location;
    expect(location, 'the fixture carries a location to strip').not.toBeNull();

    const server = await startTeamServer();
    cleanups.push(server.stop);
    const tokens = new Map<string, string>();
    for (const [name, role] of [
      ['ana', 'annotator'],
      ['rita', 'reviewer'],
      ['lee', 'lead'],
    ] as const) {
      await server.admin('user', 'add', name, '--role', role);
      tokens.set(name, (await server.admin<{ token: string }>('token', 'issue', name)).token);
    }
    const token = (name: string) => tokens.get(name) ?? '';
    const { projectId } = await server.admin<{ projectId: string }>(
      'project',
      'create',
      'Market',
      '--lead',
      'lee',
    );
    // The lead puts the batch on the server from their machine (the resumable upload route).
    const report = await server.asAccount<{ ingested: number; errors: number }>(
      token('lee'),
      'ingest',
      folder,
      '--project',
      projectId,
    );
    expect(report).toMatchObject({ ingested: 3, errors: 0 });
    const blobsDir = join(server.dataDir, 'blobs');
    const blobFiles = () => readdirSync(blobsDir, { recursive: true, encoding: 'utf8' });
    expect(blobFiles().some((path) => path.endsWith(phoneRef))).toBe(true);

    // The annotator's machine reaches the server through a link that will cut 30 % of requests
    // and responses: clean for the sign-in, lossy from then on.
    const link = await startLossyProxy(server.url, { seed: 18, maxCutBytes: 400 });
    cleanups.push(() => link.close());
    const running = await startHost();
    cleanups.push(running.stop);
    const clipsDir = join(dirname(running.host.databasePath), 'clips');
    const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
    const errors = pageErrors(page);
    await openApp(page, running.host);
    await page.getByLabel(/Your name on this workstation/).fill('Ana at the market desk');
    await page.getByRole('button', { name: 'Save name' }).click();
    await signIn(page, link.url, token('ana'));
    await page.getByRole('button', { name: 'Back to batches' }).click();
    link.setDropShare(0.3);
    // The first clip's download (11 kB) hangs a third of the way in, so the list can be seen
    // mid-way.
    link.stallResponseTo(`/v1/clips/${phoneRef}/file`, 4_000);

    for (const clipRef of [phoneRef, cfrRef]) {
      await server.asAccount(
        token('lee'),
        'assign',
        clipRef,
        '--project',
        projectId,
        '--annotator',
        'ana',
        '--reviewer',
        'rita',
      );
    }

    // The empty workstation lists both as not here, with their progress, and the total.
    await expect(async () => {
      await syncNowThenMyWork(page);
      await expect(rowOf(page, phoneRef)).toContainText('Downloading', { timeout: 3_000 });
    }).toPass({ timeout: 90_000 });
    const phoneRow = rowOf(page, phoneRef);
    await expect(phoneRow.getByRole('progressbar')).toBeVisible();
    await expect(phoneRow).toContainText(/Downloading \d+ %/);
    await expect(phoneRow.getByRole('button')).toHaveCount(0);
    await expect(rowOf(page, cfrRef)).toContainText('Queued for download');
    await expect(page.getByTestId('delivery-total')).toContainText(
      '0 of 2 clips from the team server here',
    );
    await shoot(page, 'delivery-in-progress');

    // The link gives up on the hung answer; the download resumes and both arrive, verified, and
    // open without a reload.
    link.releaseStalled();
    await expect(rowOf(page, phoneRef).getByRole('button')).toBeVisible({ timeout: 90_000 });
    await expect(rowOf(page, cfrRef).getByRole('button')).toBeVisible({ timeout: 90_000 });
    await expect(page.getByTestId('delivery-total')).toHaveText(
      'All 2 clips from the team server are here.',
    );
    expect(link.stats.cut, 'the link cut connections').toBeGreaterThan(1);
    console.log(
      `delivery link: ${link.stats.cut} of ${link.stats.connections} connections cut, ` +
        `${link.stats.bytesDown} bytes down`,
    );
    await shoot(page, 'delivery-done');

    // What arrived is the stripped copy: no location bytes, the source's frame table.
    const phoneCopy = join(clipsDir, `${phoneRef}.mov`);
    const copy = await probeVideo(phoneCopy);
    expect(copy.flagged).toEqual({ location: null, make: null, model: null, creationTime: null });
    expect(readFileSync(phoneCopy).includes(Buffer.from(location ?? '', 'latin1'))).toBe(false);
    expect(frameTableSha256(copy.frameTimes)).toBe(frameTableSha256(original.frameTimes));
    const cfrCopy = await probeVideo(join(clipsDir, `${cfrRef}.mp4`));
    const cfrSource = await probeVideo(join(folder, 'cfr30.mp4'));
    expect(frameTableSha256(cfrCopy.frameTimes)).toBe(frameTableSha256(cfrSource.frameTimes));
    // The clip left on the server was not fetched.
    expect(readdirSync(clipsDir).sort()).toEqual([`${cfrRef}.mp4`, `${phoneRef}.mov`].sort());

    // Both open, and Chromium decodes their pictures: frame 5 shows the index drawn into it.
    for (const [clipRef, rotation] of [
      [cfrRef, 0],
      [phoneRef, 90],
    ] as const) {
      await rowOf(page, clipRef).getByRole('button').click();
      await expect(page.getByLabel('Current frame')).toHaveText('0');
      await goToFrame(page, 5);
      const shown = await readShownFrame(page, 5, rotation);
      expect(shown).toMatchObject({ pixels: 5, readout: 5, timedOut: false });
      await page.getByRole('button', { name: 'Back to batch' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await page.getByRole('button', { name: 'My work', exact: true }).click();
    }

    // The contributor withdraws consent for the phone clip: the server deletes both its blobs at
    // once, and the workstation its copy when its sync hears of it.
    const deliveredSha = sha256(readFileSync(phoneCopy));
    expect(blobFiles().some((path) => path.endsWith(deliveredSha))).toBe(true);
    await server.admin('consent', 'withdraw', phoneRef, '--reason', 'contributor asked');
    expect(blobFiles().filter((p) => p.endsWith(phoneRef) || p.endsWith(deliveredSha))).toEqual([]);
    await expect(async () => {
      await syncNowThenMyWork(page);
      await expect(rowOf(page, phoneRef)).toContainText('Withdrawn', { timeout: 3_000 });
    }).toPass({ timeout: 90_000 });
    await expect(rowOf(page, phoneRef)).toContainText('Deleted (consent withdrawn)');
    await expect(rowOf(page, phoneRef).getByRole('button')).toHaveCount(0);
    expect(existsSync(phoneCopy)).toBe(false);
    expect(readdirSync(clipsDir)).toEqual([`${cfrRef}.mp4`]);
    // The other clip is untouched and still opens.
    await expect(rowOf(page, cfrRef).getByRole('button')).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

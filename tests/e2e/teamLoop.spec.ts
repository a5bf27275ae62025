import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from '@playwright/test';
import { clickVideoPixel, goToFrame, pointStates } from './clipScreen';
import { expect, openApp, repoRoot, startHost, test, type RunningHost } from './fixtures';
import {
  labelFiles,
  openLink,
  pageErrors,
  signIn,
  startTeamServer,
  syncUntilSent,
  type TeamServer,
} from './teamLoop';

const CLIP = 'cfr30.mp4';
const VIDEO = { width: 320, height: 240 };
const FORMATS = 'coco,cvat,epic,provenance';
const REASON = 'Two actions here: split the segment at frame 15';

/** Where to save screenshots of the screens this loop passes through (unset: none taken). */
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR;
const VIEWPORT = { width: 1440, height: 900 };

async function shoot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const size of [VIEWPORT, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size.width}.png`) });
  }
  await page.setViewportSize(VIEWPORT);
}

type Workstation = { page: Page; errors: string[]; running: RunningHost };

async function openWorkstation(browser: Browser): Promise<Workstation> {
  const running = await startHost();
  const page = await (await browser.newContext({ viewport: VIEWPORT })).newPage();
  const errors = pageErrors(page);
  await openApp(page, running.host);
  return { page, errors, running };
}

/** Imports the session folder from the batches screen, as a person does. */
async function importFolder(page: Page, folder: string): Promise<void> {
  await page.getByLabel('Folder to import').fill(folder);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(
    page.getByRole('list', { name: 'Files in this import' }).getByRole('listitem'),
  ).toContainText(`${CLIP}Imported`);
}

/** From the batches screen, the clip of the (only) batch, on its first frame. */
async function openClip(page: Page): Promise<void> {
  await page
    .getByRole('table')
    .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) })
    .getByRole('row')
    .nth(1)
    .getByRole('button')
    .click();
  await page.getByRole('button', { name: CLIP, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: CLIP })).toBeVisible();
  await expect(page.getByLabel('Current frame')).toHaveText('0');
}

async function backToBatches(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Back to batch' }).click();
  await page.getByRole('button', { name: 'Back to batches' }).click();
}

async function saved(page: Page): Promise<void> {
  await expect(page.getByRole('status', { name: 'Save status' })).toHaveText('All changes saved');
}

/** Types into the picker's verb and noun boxes, takes the first match of each, saves. */
async function pickLabel(page: Page, picker: Locator, verb: string, noun: string): Promise<void> {
  await picker.getByRole('combobox', { name: /verb/i }).fill(verb);
  await page.keyboard.press('Enter');
  await picker.getByRole('combobox', { name: /noun/i }).fill(noun);
  await page.keyboard.press('Enter');
  await picker.getByRole('button', { name: 'Save' }).click();
}

test('the team loop closes: assign, label, send back, fix, accept, and the lead exports it twice alike', async ({
  browser,
}) => {
  const work = mkdtempSync(join(tmpdir(), 'fw-e2e-loop-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // One recording session with the contributor's consent, as a lead hands it out.
    const folder = join(work, 'kitchen-07');
    mkdirSync(folder);
    copyFileSync(
      join(repoRoot, 'tests', 'fixtures', 'generated', 'batch', CLIP),
      join(folder, CLIP),
    );
    writeFileSync(
      join(folder, 'batch.json'),
      JSON.stringify({
        version: 1,
        batchId: 'kitchen-07',
        contributor: { pseudonym: 'contrib_loop' },
        consent: { id: 'consent-loop', scope: ['training'], grantedAt: '2020-01-01' },
        clips: [{ path: CLIP }],
      }),
    );
    const sha = createHash('sha256')
      .update(readFileSync(join(folder, CLIP)))
      .digest('hex');

    const server: TeamServer = await startTeamServer();
    cleanups.push(server.stop);
    const [annotator, reviewer, lead] = await Promise.all([
      openWorkstation(browser),
      openWorkstation(browser),
      openWorkstation(browser),
    ]);
    for (const ws of [annotator, reviewer, lead]) cleanups.push(ws.running.stop);
    // The annotator's machine reaches the server through a link the test can cut.
    const link = await openLink(server.url);
    cleanups.push(link.close);

    // The admin makes the accounts and the project while the server runs; the lead assigns the
    // clip with their own token, through the same CLI.
    const users = new Map<string, string>();
    const tokens = new Map<string, string>();
    for (const [name, role] of [
      ['ana', 'annotator'],
      ['ben', 'annotator'],
      ['rita', 'reviewer'],
      ['lee', 'lead'],
    ] as const) {
      users.set(name, (await server.admin<{ id: string }>('user', 'add', name, '--role', role)).id);
      tokens.set(name, (await server.admin<{ token: string }>('token', 'issue', name)).token);
    }
    const token = (name: string) => tokens.get(name) ?? '';
    const { projectId } = await server.admin<{ projectId: string }>(
      'project',
      'create',
      'Kitchen loop',
      '--lead',
      'lee',
    );
    await server.asAccount(
      token('lee'),
      'assign',
      sha,
      '--project',
      projectId,
      '--annotator',
      'ana',
      '--reviewer',
      'rita',
    );

    // The annotator's workstation: first run asks a name, then the session is imported and the
    // annotator signs in.
    const a = annotator.page;
    await a.getByLabel(/Your name on this workstation/).fill('Ana at the desk');
    await a.getByRole('button', { name: 'Save name' }).click();
    await importFolder(a, folder);
    await signIn(a, link.url, token('ana'), 'ana (annotator)');
    await syncUntilSent(a);
    await a.getByRole('button', { name: 'My work', exact: true }).click();
    await expect(a.getByRole('table', { name: 'My work' }).getByRole('row').nth(1)).toContainText(
      'Assigned',
    );
    await a.getByRole('button', { name: CLIP, exact: true }).click();
    await expect(a.getByLabel('Current frame')).toHaveText('0');

    // A person with three points placed and the rest marked "not labeled", and one action.
    const overlay = a.getByTestId('label-overlay');
    await a.getByRole('button', { name: 'Add person' }).click();
    for (const at of [
      { x: 150, y: 60 },
      { x: 140, y: 100 },
      { x: 170, y: 100 },
    ]) {
      await clickVideoPixel(a, overlay, VIDEO, at);
    }
    for (let i = 3; i < 17; i++) {
      await a.keyboard.press('v');
      await a.keyboard.press('n');
    }
    await saved(a);
    const points = await pointStates(a);
    expect(points.filter((p) => p.includes(': visible at '))).toHaveLength(3);
    expect(points.filter((p) => p.includes('not labeled'))).toHaveLength(14);
    const segments = a.getByRole('region', { name: 'Action segments' });
    await goToFrame(a, 5);
    await a.keyboard.press('[');
    await goToFrame(a, 25);
    await a.keyboard.press(']');
    await expect(segments).toContainText('1 segment, 1 without a label');
    await a.keyboard.press('e');
    const picker = a.getByRole('dialog', { name: 'Label segment' });
    await pickLabel(a, picker, 'open', 'cupboard');
    await expect(a.getByLabel('Selected segment')).toContainText('open cupboard');
    await saved(a);
    await a.getByRole('button', { name: 'Submit for review' }).click();
    await expect(a.getByLabel('Annotation status')).toHaveText('submitted');
    await backToBatches(a);
    await syncUntilSent(a);

    // The reviewer, on a machine of their own, sends it back with a reason.
    const r = reviewer.page;
    await signIn(r, server.url, token('rita'), 'rita (reviewer)');
    await syncUntilSent(r);
    // A reviewer's My work lists what waits for their verdict; a row opens it.
    await r.getByRole('button', { name: 'My work', exact: true }).click();
    const toReview = r.getByRole('table', { name: 'To review' }).getByRole('row').nth(1);
    await expect(toReview).toContainText('ana');
    await expect(toReview).toContainText('Waiting for your verdict');
    await shoot(r, 'reviewer-my-work');
    await toReview.getByRole('button', { name: /rev\. 1/ }).click();
    await r.getByLabel('Reason for changes').fill(REASON);
    await r.getByRole('button', { name: 'Request changes' }).click();
    await expect(r.getByText('Verdict given: request changes')).toBeVisible();
    await r.getByRole('button', { name: 'Back to the review queue' }).click();
    await r.getByRole('button', { name: 'Back to batches' }).click();
    await syncUntilSent(r);

    // The annotator sees why, in My work and on the clip, and starts the fix.
    await syncUntilSent(a);
    await a.getByRole('button', { name: 'My work', exact: true }).click();
    const firstRow = a.getByRole('table', { name: 'My work' }).getByRole('row').nth(1);
    await expect(firstRow).toContainText('Changes requested');
    await expect(firstRow).toContainText(`rita: ${REASON}`);
    await shoot(a, 'annotator-my-work');
    await firstRow.getByRole('button', { name: CLIP, exact: true }).click();
    await expect(a.getByRole('note', { name: 'Changes requested' })).toContainText(
      `rita: ${REASON}`,
    );
    await goToFrame(a, 15);
    await a.keyboard.press('s');
    await expect(segments).toContainText('2 segments.');
    await saved(a);

    // Mid-fix, this machine signs in as another annotator: none of ana's work shows.
    await backToBatches(a);
    await signIn(a, link.url, token('ben'), 'ben (annotator)');
    await syncUntilSent(a);
    await a.getByRole('button', { name: 'My work', exact: true }).click();
    await expect(a.getByText('Nothing assigned to you or started here.')).toBeVisible();
    await a.getByRole('button', { name: 'Back to batches' }).click();
    await openClip(a);
    await expect(a.getByRole('button', { name: /^Person 1/ })).toHaveCount(0);
    await expect(a.getByRole('note', { name: 'Changes requested' })).toHaveCount(0);
    await backToBatches(a);

    // Back as ana: the fix is where she left it. She resubmits with the network down, so the
    // delivery waits; then ben signs in again: it keeps waiting for ana, never goes as ben's.
    await signIn(a, link.url, token('ana'), 'ana (annotator)');
    await openClip(a);
    await expect(segments).toContainText('2 segments.');
    await expect(a.getByRole('button', { name: /^Person 1/ })).toBeVisible();
    link.cut();
    await a.getByRole('button', { name: 'Submit for review' }).click();
    await expect(a.getByLabel('Annotation status')).toHaveText('submitted');
    await backToBatches(a);
    await a.getByRole('button', { name: 'Sync settings' }).click();
    await expect(a.getByTestId('sync-online')).toHaveText('Offline');
    await expect(a.getByTestId('sync-pending')).toHaveText('1');
    await expect(a.getByTestId('sync-issue')).toContainText(`Labels waiting · ${CLIP}`);
    await a.getByRole('button', { name: 'Sign out' }).click();
    await a.getByRole('button', { name: 'Back to batches' }).click();
    link.restore();
    await signIn(a, link.url, token('ben'), 'ben (annotator)');
    await syncUntilSent(a);
    await a.getByRole('button', { name: 'Sync settings' }).click();
    await expect(a.getByTestId('sync-waiting-for-others')).toHaveText('1 for ana');
    // Ana's delivery is not ben's to retry or discard: it is not on his list.
    await expect(a.getByTestId('sync-issues-none')).toBeVisible();
    await shoot(a, 'sync-settings-waiting-for-ana');
    await a.getByRole('button', { name: 'Back to batches' }).click();
    await signIn(a, link.url, token('ana'), 'ana (annotator)');
    await syncUntilSent(a);

    // The reviewer sees what changed since their review and accepts.
    await syncUntilSent(r);
    await r.getByRole('button', { name: 'Review', exact: true }).click();
    await r
      .getByRole('table', { name: 'Review queue' })
      .getByRole('button', { name: /rev\. 3/ })
      .click();
    await expect(
      r.getByRole('heading', { name: 'Changes since your review of revision 1' }),
    ).toBeVisible();
    await r.getByRole('button', { name: 'Accept' }).click();
    await expect(r.getByText('Verdict given: accept')).toBeVisible();
    await r.getByRole('button', { name: 'Back to the review queue' }).click();
    await r.getByRole('button', { name: 'Back to batches' }).click();
    await syncUntilSent(r);
    await syncUntilSent(a);
    await a.getByRole('button', { name: 'My work', exact: true }).click();
    await expect(a.getByRole('table', { name: 'My work' }).getByRole('row').nth(1)).toContainText(
      'Accepted',
    );

    // The lead: the same session imported, signed in; the Team screen counts the loop.
    const l = lead.page;
    await importFolder(l, folder);
    await signIn(l, server.url, token('lee'), 'lee (lead)');
    await syncUntilSent(l);
    await l.getByRole('button', { name: 'Team' }).click();
    await l.getByRole('button', { name: 'Refresh from the server' }).click();
    const project = l.getByRole('article', { name: 'Kitchen loop' });
    const byStatus = project.getByRole('table', { name: 'Clips by status' });
    await expect(byStatus.locator('td[data-status="accepted"]')).toHaveText('1');
    await expect(byStatus.locator('td[data-status="changes_requested"]')).toHaveText('0');
    // Assigned, submitted, accepted, sent back (clips), rejection rate (verdicts); the rate per
    // working day depends on the calendar, and is left out.
    const anaRow = project.getByRole('table', { name: 'Annotators' }).getByRole('row', {
      name: 'ana',
    });
    for (const [column, text] of ['1', '1', '1', '1', '50 %'].entries()) {
      await expect(anaRow.getByRole('cell').nth(column)).toHaveText(text);
    }
    const ritaRow = project.getByRole('table', { name: 'Reviewers' }).getByRole('row', {
      name: 'rita',
    });
    await expect(ritaRow.getByRole('cell')).toHaveText(['0', '2']);
    await shoot(l, 'lead-team');
    await project.page().getByRole('button', { name: 'Back to batches' }).click();

    // The lead's Export screen, and the server's export through its CLI.
    const fromWorkstation = join(work, 'export-workstation');
    await l.getByRole('button', { name: 'Export…' }).click();
    await l.getByRole('checkbox', { name: /kitchen-07/ }).check();
    await l.getByRole('radio', { name: 'Accepted only' }).check();
    await l.getByRole('checkbox', { name: /Hand-object/ }).uncheck();
    await l.getByRole('textbox', { name: /Destination folder/ }).fill(fromWorkstation);
    await l.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(l.getByRole('status')).toContainText(
      'Export finished: 1 clips exported, 0 excluded.',
    );
    const fromServer = join(work, 'export-server');
    const serverReport = await server.admin<{ exported: number; excluded: unknown[] }>(
      'export',
      '--project',
      projectId,
      '--format',
      FORMATS,
      '--out',
      fromServer,
      '--status',
      'accepted',
    );
    expect(serverReport).toMatchObject({ exported: 1, excluded: [] });

    const workstationFiles = labelFiles(fromWorkstation);
    const serverFiles = labelFiles(fromServer);
    expect([...workstationFiles.keys()].sort()).toEqual([...serverFiles.keys()].sort());
    for (const [path, text] of workstationFiles) expect(serverFiles.get(path), path).toBe(text);
    expect([...workstationFiles.keys()]).toEqual(
      expect.arrayContaining([
        'coco_keypoints.json',
        `cvat/${sha}.xml`,
        'actions.csv',
        'provenance.jsonl',
      ]),
    );
    const coco = JSON.parse(workstationFiles.get('coco_keypoints.json') ?? '') as {
      images: { video_id: string }[];
      annotations: { keypoints: number[]; num_keypoints: number }[];
    };
    expect(new Set(coco.images.map((image) => image.video_id))).toEqual(new Set([sha]));
    expect(coco.annotations.some((annotation) => annotation.num_keypoints === 3)).toBe(true);
    const actions = (workstationFiles.get('actions.csv') ?? '').trim().split('\n');
    // A header, then the two actions the fix split the one into, both of this clip.
    expect(actions).toHaveLength(3);
    for (const row of actions.slice(1)) expect(row).toContain(sha);
    const provenance = (workstationFiles.get('provenance.jsonl') ?? '')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(provenance).toEqual([
      expect.objectContaining({
        source_sha256: sha,
        annotators: ['ana'],
        reviewers: ['rita'],
        review_status: 'accepted',
      }),
    ]);

    // Nothing went to the server under ben's account: the audit trail names ana for every push.
    const auditFile = join(work, 'audit.jsonl');
    await server.admin('audit', 'export', '--project', projectId, '--out', auditFile);
    const audit = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { actor: string; action: string });
    expect(audit.filter((entry) => entry.actor === users.get('ben'))).toEqual([]);
    const pushes = audit.filter((entry) => entry.action === 'set.push');
    expect(pushes.length).toBe(2);
    for (const push of pushes) expect(push.actor).toBe(users.get('ana'));

    for (const ws of [annotator, reviewer, lead]) expect(ws.errors).toEqual([]);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
});

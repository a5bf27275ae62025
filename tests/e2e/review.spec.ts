import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openDb } from '../../src/server/db/Db';
import { addUser, assignClip, createProject, issueToken } from '../../src/server/team';
import { COCO_BODY_KEYPOINTS, COCO_BODY_TEMPLATE_ID } from '../../src/shared/domain/labels';
import { call, clipRefOf, spawnServer } from '../integration/server/serverHarness';
import { freshMigratedPgliteDir } from '../support/migratedPgliteTemplate';
import { expect, openApp, repoRoot, test } from './fixtures';
import { signIn } from './signIn';

const BATCH_FOLDER = join(repoRoot, 'tests', 'fixtures', 'generated', 'batch');

const labels = {
  tracks: [
    {
      id: 'p1',
      kind: 'person',
      templateId: COCO_BODY_TEMPLATE_ID,
      label: 'Person 1',
      color: '#3366cc',
      keyframes: [
        {
          frame: 1,
          points: COCO_BODY_KEYPOINTS.map((_, i) => ({
            x: 10 + i,
            y: 20,
            visibility: 'visible',
            source: i < 5 ? 'model' : 'manual',
            ...(i < 5 ? { model: 'blazepose', score: 0.9 } : {}),
          })),
        },
      ],
    },
  ],
  segments: [{ id: 's1', startFrame: 3, endFrame: 6, verbId: 0, nounId: 0, actor: 'p1', note: '' }],
  contacts: [],
};

/**
 * A real framewise-server on PGlite in a fresh folder with ana (annotator), rita (reviewer) and
 * lee (lead), and `clipRef` assigned to ana for rita; `stop` ends it and removes the folder.
 */
async function startReviewTeam(name: string, clipRef: string) {
  const dataDir = await freshMigratedPgliteDir(`fw-e2e-${name}-`);
  const db = await openDb({ dataDir });
  await addUser(db, 'ana', 'annotator');
  await addUser(db, 'rita', 'reviewer');
  await addUser(db, 'lee', 'lead');
  const annToken = (await issueToken(db, 'ana')).token;
  const revToken = (await issueToken(db, 'rita')).token;
  const leadToken = (await issueToken(db, 'lee')).token;
  const { projectId } = await createProject(db, name, 'lee');
  const { setId } = await assignClip(db, {
    clipRef,
    projectId,
    annotator: 'ana',
    reviewer: 'rita',
  });
  await db.close();
  const server = await spawnServer({ dataDir });
  const stop = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { server, annToken, revToken, leadToken, setId, stop };
}

/**
 * Sync settings' Sync now, waiting for this round's answer: "0 to send" and a report from an
 * earlier round are on screen before the round has pulled anything.
 */
async function syncNow(page: Page): Promise<void> {
  const answered = page.waitForResponse((response) => response.url().endsWith('/api/syncNow'));
  await page.getByRole('button', { name: 'Sync now' }).click();
  await answered;
}

test.describe('review', () => {
  test('a reviewer pulls the queue, comments on a frame and requests changes with a reason', async ({
    page,
    host,
  }) => {
    const clipRef = clipRefOf('e2e-review-clip');
    const { server, annToken, revToken, setId, stop } = await startReviewTeam(
      'review-e2e',
      clipRef,
    );
    try {
      const pushed = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token: annToken,
        key: 'e2e-review-push-1',
        body: { baseRevision: 0, labels, localSetId: 'local', localRevision: 1 },
      });
      expect(pushed.status).toBe(200);

      await openApp(page, host);
      await signIn(page, server.url, revToken);
      await syncNow(page);
      await expect(page.getByTestId('sync-report')).toBeVisible();
      await page.getByRole('button', { name: 'Back to batches' }).click();

      await page.getByRole('button', { name: 'Review', exact: true }).click();
      const queue = page.getByRole('table', { name: 'Review queue' });
      await expect(queue).toContainText('ana');
      // 5 of 17 points are still the model's.
      await expect(queue).toContainText('29 %');
      await queue.getByRole('button', { name: /rev\. 1/ }).click();

      await page.getByLabel('Current frame').fill('1');
      await page.getByRole('textbox', { name: 'Comment' }).fill('The person leaves the frame here');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await expect(page.getByRole('list', { name: 'Review comments' })).toContainText(
        'frame 1: The person leaves the frame here',
      );

      const requestChanges = page.getByRole('button', { name: 'Request changes' });
      await expect(requestChanges).toBeDisabled();
      await page.getByLabel('Reason for changes').fill('Wrist drifts after frame 1');
      await requestChanges.click();
      await expect(page.getByText('Verdict given: request changes')).toBeVisible();

      await page.getByRole('button', { name: 'Back to the review queue' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await page.getByRole('button', { name: 'Sync settings' }).click();
      await syncNow(page);
      await expect(page.getByTestId('sync-pending')).toHaveText('0');

      const onServer = await call(server.url, 'GET', `/v1/sets/${setId}`, { token: annToken });
      expect(onServer.body).toMatchObject({ status: 'changes_requested', revision: 2 });
      const events = await call(server.url, 'GET', '/v1/events', { token: annToken });
      const reviews = (
        events.body as { events: { kind: string; reason?: string }[] }
      ).events.filter((e) => e.kind === 'review');
      expect(reviews).toEqual([
        expect.objectContaining({
          reason: 'Wrist drifts after frame 1',
          comments: [expect.objectContaining({ frame: 1 })],
        }),
      ]);
    } finally {
      await stop();
    }
  });

  test('on the player, the labels under review carry comment pins and J goes to the commented frame', async ({
    page,
    host,
  }) => {
    const clipFile = join(BATCH_FOLDER, 'cfr30.mp4');
    if (!existsSync(clipFile))
      throw new Error(`${BATCH_FOLDER} is missing: run \`npm run fixtures\`.`);
    const clipRef = createHash('sha256').update(readFileSync(clipFile)).digest('hex');
    const { server, annToken, revToken, stop } = await startReviewTeam('review-player', clipRef);
    try {
      const pushed = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token: annToken,
        key: 'e2e-review-player-push-1',
        body: { baseRevision: 0, labels, localSetId: 'local', localRevision: 1 },
      });
      expect(pushed.status).toBe(200);

      await openApp(page, host);
      const imported = await page.request.post(`${host.origin}/api/importBatch`, {
        data: { folder: BATCH_FOLDER },
        timeout: 90_000,
      });
      expect(((await imported.json()) as { ok: boolean }).ok).toBe(true);
      await page.reload();
      await signIn(page, server.url, revToken);
      await syncNow(page);
      await expect(page.getByTestId('sync-report')).toBeVisible();
      await page.getByRole('button', { name: 'Back to batches' }).click();

      // The clip is known here once its checksum is in; reopen the queue until it is.
      await expect(async () => {
        await page.getByRole('button', { name: 'Review', exact: true }).click();
        // Listed by its file name, as the annotator imported it.
        await page
          .getByRole('table', { name: 'Review queue' })
          .getByRole('button', { name: 'cfr30.mp4 (rev. 1)' })
          .click();
        await expect(page.getByRole('button', { name: 'Review on the player' })).toBeVisible({
          timeout: 1_000,
        });
      }).toPass({ timeout: 120_000 });
      await page.getByRole('button', { name: 'Review on the player' }).click();
      await expect(page.getByLabel('Current frame')).toHaveText('0');

      // A comment on point 9 of frame 1, added on the player with the point selected by default.
      await page.getByRole('spinbutton', { name: 'Frame' }).fill('1');
      await page.getByRole('spinbutton', { name: 'Frame' }).press('Enter');
      await expect(page.getByLabel('Current frame')).toHaveText('1');
      await page.getByRole('combobox', { name: 'Pin to' }).selectOption('point');
      await page.getByRole('spinbutton', { name: 'Point' }).fill('9');
      await page.getByRole('textbox', { name: 'Comment' }).fill('Left wrist is off');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await expect(page.getByRole('list', { name: 'Review comments' })).toContainText(
        'left_wrist of Person 1, frame 1: Left wrist is off',
      );

      // Away from the frame, J comes back to it.
      await page.getByRole('spinbutton', { name: 'Frame' }).fill('5');
      await page.getByRole('spinbutton', { name: 'Frame' }).press('Enter');
      await expect(page.getByLabel('Current frame')).toHaveText('5');
      await page.getByRole('spinbutton', { name: 'Frame' }).blur();
      await page.keyboard.press('j');
      await expect(page.getByLabel('Current frame')).toHaveText('1');

      // A segment comment is pinned on the overlay for as long as the frame is in the segment.
      await page.getByRole('combobox', { name: 'Pin to' }).selectOption('segment');
      await page.getByRole('textbox', { name: 'Comment' }).fill('Starts too early');
      await page.getByRole('button', { name: 'Add comment' }).click();
      const list = page.getByRole('list', { name: 'Review comments' });
      await expect(list).toContainText('Person 1 segment, frames 3–6: Starts too early');
      const badge = page.getByTestId('span-comments');
      await expect(badge).toHaveCount(0);
      // J visits it too, at the segment's first frame.
      await page.getByRole('textbox', { name: 'Comment' }).blur();
      await page.keyboard.press('j');
      await expect(page.getByLabel('Current frame')).toHaveText('3');
      await expect(badge).toContainText('Starts too early');
      await page.keyboard.press('Shift+J');
      await expect(page.getByLabel('Current frame')).toHaveText('1');
      await expect(badge).toHaveCount(0);
      await page.getByRole('spinbutton', { name: 'Frame' }).fill('6');
      await page.getByRole('spinbutton', { name: 'Frame' }).press('Enter');
      await expect(page.getByLabel('Current frame')).toHaveText('6');
      // Choosing the pin brings its comment forward in the list.
      await badge.getByRole('button', { name: /Starts too early/ }).click();
      await expect(
        list.getByRole('listitem').filter({ hasText: 'Starts too early' }),
      ).toBeFocused();
      await page.getByRole('spinbutton', { name: 'Frame' }).fill('7');
      await page.getByRole('spinbutton', { name: 'Frame' }).press('Enter');
      await expect(page.getByLabel('Current frame')).toHaveText('7');
      await expect(badge).toHaveCount(0);
    } finally {
      await stop();
    }
  });

  test('the annotator sees the comments, resolves them and resubmits; the reviewer sees the diff and accepts', async ({
    page,
    host,
  }) => {
    const clipName = 'ntsc2997.mp4';
    const clipRef = createHash('sha256')
      .update(readFileSync(join(BATCH_FOLDER, clipName)))
      .digest('hex');
    const { server, annToken, revToken, setId, stop } = await startReviewTeam(
      'review-cycle',
      clipRef,
    );
    // One workstation plays both people here, switching accounts in Sync settings.
    const signInAndSync = async (token: string) => {
      await signIn(page, server.url, token);
      await syncNow(page);
      await expect(page.getByTestId('sync-pending')).toHaveText('0');
      await page.getByRole('button', { name: 'Back to batches' }).click();
    };
    const openClip = async () => {
      const batches = page
        .getByRole('table')
        .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) });
      await batches.getByRole('row').nth(1).getByRole('button').click();
      await page.getByRole('button', { name: clipName, exact: true }).click();
      await expect(page.getByLabel('Current frame')).toHaveText('0');
    };
    const openQueued = async () => {
      await page.getByRole('button', { name: 'Review', exact: true }).click();
      await page
        .getByRole('table', { name: 'Review queue' })
        .getByRole('button', { name: /rev\. \d/ })
        .click();
    };
    try {
      await openApp(page, host);
      const imported = await page.request.post(`${host.origin}/api/importBatch`, {
        data: { folder: BATCH_FOLDER },
        timeout: 90_000,
      });
      expect(((await imported.json()) as { ok: boolean }).ok).toBe(true);
      await page.reload();

      // The annotator signs in first: the host may still hold an earlier test's account, whose
      // stopped server would put the submit into backoff. Then submits (an empty set is complete).
      await signInAndSync(annToken);
      await openClip();
      await page.getByRole('button', { name: 'Submit for review' }).click();
      await page.getByRole('button', { name: 'Back to batch' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await signInAndSync(annToken);

      // The reviewer comments on a frame and requests changes.
      await signInAndSync(revToken);
      await openQueued();
      await page.getByLabel('Current frame').fill('2');
      await page.getByRole('textbox', { name: 'Comment' }).fill('Label the person');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await page.getByLabel('Reason for changes').fill('Nobody is labelled');
      await page.getByRole('button', { name: 'Request changes' }).click();
      await expect(page.getByText('Verdict given: request changes')).toBeVisible();
      await page.getByRole('button', { name: 'Back to the review queue' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await signInAndSync(revToken);

      // The annotator pulls the comment, resolves it and resubmits.
      await signInAndSync(annToken);
      // My work puts the clip sent back first, with the reviewer's reason.
      await page.getByRole('button', { name: 'My work', exact: true }).click();
      const work = page.getByRole('table', { name: 'My work' });
      await expect(work.getByRole('row').nth(1)).toContainText('Changes requested');
      await expect(work.getByRole('row').nth(1)).toContainText('rita: Nobody is labelled');
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await page
        .getByRole('table')
        .filter({ has: page.getByRole('columnheader', { name: 'Contributor' }) })
        .getByRole('row')
        .nth(1)
        .getByRole('button')
        .click();
      // The batch screen shows it too, and filters by it.
      await page.getByLabel('Show').selectOption('changes_requested');
      const clipsTable = page.getByRole('table', { name: 'Clips' });
      await expect(clipsTable.getByRole('row')).toHaveCount(2);
      await expect(clipsTable.locator('[data-work-status]')).toHaveText('Changes requested');
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await openClip();
      // Beside the comments, the reason for the changes.
      await expect(page.getByRole('note', { name: 'Changes requested' })).toContainText(
        'rita: Nobody is labelled',
      );
      const comments = page.getByRole('list', { name: 'Review comments' });
      await expect(comments).toContainText('frame 2: Label the person');
      await comments.getByRole('button', { name: 'Resolve' }).click();
      await expect(comments).toContainText('Resolved by');
      await page.getByRole('button', { name: 'Submit for review' }).click();
      await page.getByRole('button', { name: 'Back to batch' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await signInAndSync(annToken);

      // The reviewer sees what changed since their review and accepts.
      await signInAndSync(revToken);
      await openQueued();
      await expect(
        page.getByRole('heading', { name: 'Changes since your review of revision 1' }),
      ).toBeVisible();
      await expect(page.getByRole('list', { name: 'Review comments' })).toContainText(
        'Resolved by ana',
      );
      await page.getByRole('button', { name: 'Accept' }).click();
      await expect(page.getByText('Verdict given: accept')).toBeVisible();
      await page.getByRole('button', { name: 'Back to the review queue' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await signInAndSync(revToken);

      const onServer = await call(server.url, 'GET', `/v1/sets/${setId}`, { token: annToken });
      expect(onServer.body).toMatchObject({ status: 'accepted', revision: 4 });
      const events = await call(server.url, 'GET', '/v1/events', { token: annToken });
      const verdicts = (events.body as { events: { kind: string; verdict?: string }[] }).events
        .filter((e) => e.kind === 'review')
        .map((e) => e.verdict);
      expect(verdicts).toEqual(['request_changes', 'accept']);
    } finally {
      await stop();
    }
  });

  test('a verdict refused as stale shows its reason; review again carries the comments that fit and the accept goes through once', async ({
    page,
    host,
  }) => {
    const clipRef = clipRefOf('e2e-review-stale-clip');
    const { server, annToken, revToken, leadToken, setId, stop } = await startReviewTeam(
      'review-stale',
      clipRef,
    );
    const syncAndBack = async () => {
      await page.getByRole('button', { name: 'Sync settings' }).click();
      await syncNow(page);
      await expect(page.getByTestId('sync-pending')).toHaveText('0');
      await page.getByRole('button', { name: 'Back to batches' }).click();
    };
    try {
      const pushed = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token: annToken,
        key: 'e2e-review-stale-push-1',
        body: { baseRevision: 0, labels, localSetId: 'local', localRevision: 1 },
      });
      expect(pushed.status).toBe(200);

      await openApp(page, host);
      await signIn(page, server.url, revToken);
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await syncAndBack();
      await page.getByRole('button', { name: 'Review', exact: true }).click();
      await page
        .getByRole('table', { name: 'Review queue' })
        .getByRole('button', { name: /rev\. 1/ })
        .click();
      await page.getByLabel('Current frame').fill('1');
      await page.getByRole('textbox', { name: 'Comment' }).fill('Blur on this frame');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await page.getByRole('combobox', { name: 'Pin to' }).selectOption('segment');
      await page.getByRole('textbox', { name: 'Comment' }).fill('Starts too early');
      await page.getByRole('button', { name: 'Add comment' }).click();
      await expect(page.getByRole('list', { name: 'Review comments' })).toContainText(
        'Person 1 segment, frames 3–6: Starts too early',
      );

      // Meanwhile the lead sends the set back and the annotator resubmits without the segment.
      const leadReview = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
        token: leadToken,
        key: 'e2e-review-stale-lead',
        body: {
          verdict: 'request_changes',
          baseRevision: 1,
          comments: [],
          reason: 'Not an action',
        },
      });
      expect(leadReview.status).toBe(200);
      const resubmitted = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token: annToken,
        key: 'e2e-review-stale-push-2',
        body: {
          baseRevision: 2,
          labels: { ...labels, segments: [] },
          localSetId: 'local',
          localRevision: 2,
        },
      });
      expect(resubmitted.status).toBe(200);

      // The reviewer's accept on revision 1 is refused as stale: shown with the server's reason.
      await page.getByRole('button', { name: 'Accept' }).click();
      await expect(page.getByText('Verdict given: accept')).toBeVisible();
      await page.getByRole('button', { name: 'Back to the review queue' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await syncAndBack();
      await page.getByRole('button', { name: 'Review', exact: true }).click();
      const queue = page.getByRole('table', { name: 'Review queue' });
      await expect(queue).toContainText('accept refused (STALE_REVISION)');
      await queue.getByRole('button', { name: /rev\. 3/ }).click();
      const refused = page
        .getByRole('alert')
        .filter({ hasText: 'The server refused your verdict' });
      await expect(refused).toContainText('STALE_REVISION');
      await expect(refused).toContainText('revision 3');
      await expect(page.getByRole('button', { name: 'Accept' })).toHaveCount(0);

      await refused.getByRole('button', { name: 'Review again' }).click();
      await expect(
        page.getByRole('heading', { name: /Reviewing again: revision 3/ }),
      ).toBeVisible();
      await expect(page.getByRole('list', { name: 'Comments not carried over' })).toContainText(
        'Starts too early',
      );
      await expect(
        page.getByRole('heading', { name: 'Changes since your review of revision 1' }),
      ).toBeVisible();
      await expect(page.getByRole('list', { name: 'Review comments' })).toContainText(
        'frame 1: Blur on this frame',
      );
      await page.getByRole('button', { name: 'Accept' }).click();
      await expect(page.getByText('Verdict given: accept')).toBeVisible();
      await page.getByRole('button', { name: 'Back to the review queue' }).click();
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await syncAndBack();

      const onServer = await call(server.url, 'GET', `/v1/sets/${setId}`, { token: annToken });
      expect(onServer.body).toMatchObject({ status: 'accepted', revision: 4 });
      const events = await call(server.url, 'GET', '/v1/events', { token: annToken });
      const reviews = (
        events.body as { events: { kind: string; verdict?: string; comments?: unknown[] }[] }
      ).events.filter((e) => e.kind === 'review');
      expect(reviews.map((e) => e.verdict)).toEqual(['request_changes', 'accept']);
      expect(reviews[1]?.comments).toEqual([
        expect.objectContaining({ text: 'Blur on this frame', frame: 1 }),
      ]);
    } finally {
      await stop();
    }
  });
});

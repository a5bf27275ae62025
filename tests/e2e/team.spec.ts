import { rmSync } from 'node:fs';
import { openDb } from '../../src/server/db/Db';
import { pushSet, reviewSet } from '../../src/server/sets';
import { addUser, assignClip, createProject, issueToken } from '../../src/server/team';
import { clipRefOf, spawnServer } from '../integration/server/serverHarness';
import { freshMigratedPgliteDir } from '../support/migratedPgliteTemplate';
import { expect, openApp, test } from './fixtures';
import { signIn } from './signIn';

const EMPTY = { tracks: [], segments: [], contacts: [] };

test.describe('the Team screen', () => {
  test("a lead sees the team's progress, and still sees it with the server gone", async ({
    page,
    host,
  }) => {
    const dataDir = await freshMigratedPgliteDir('fw-e2e-team-');
    const db = await openDb({ dataDir });
    const ana = await addUser(db, 'ana', 'annotator');
    const rita = await addUser(db, 'rita', 'reviewer');
    await addUser(db, 'lee', 'lead');
    const { token } = await issueToken(db, 'lee');
    const { projectId } = await createProject(db, 'Kitchen 2026', 'lee');
    const annUser = { id: ana.id, name: 'ana', role: 'annotator' as const };
    const revUser = { id: rita.id, name: 'rita', role: 'reviewer' as const };
    // Two clips handed in: one sent back once, then accepted; one waiting. A third not started.
    const clips = ['team-a', 'team-b', 'team-c'].map(clipRefOf);
    const sets = [];
    for (const clipRef of clips) {
      sets.push(await assignClip(db, { clipRef, projectId, annotator: 'ana', reviewer: 'rita' }));
    }
    const push = (clipRef: string, baseRevision: number) =>
      db.transaction((tx) =>
        pushSet(tx, annUser, clipRef, {
          baseRevision,
          labels: EMPTY,
          localSetId: 'l',
          localRevision: 1,
        }),
      );
    const review = (setId: string, baseRevision: number, verdict: 'accept' | 'request_changes') =>
      db.transaction((tx) =>
        reviewSet(tx, revUser, setId, { verdict, baseRevision, comments: [], reason: 'wrist' }),
      );
    await push(clips[0] ?? '', 0);
    await review(sets[0]?.setId ?? '', 1, 'request_changes');
    await push(clips[0] ?? '', 2);
    await review(sets[0]?.setId ?? '', 3, 'accept');
    await push(clips[1] ?? '', 0);
    await db.close();

    let server: Awaited<ReturnType<typeof spawnServer>> | null = await spawnServer({ dataDir });
    try {
      await openApp(page, host);
      await signIn(page, server.url, token);
      await page.getByRole('button', { name: 'Back to batches' }).click();

      await page.getByRole('button', { name: 'Team' }).click();
      await page.getByRole('button', { name: 'Refresh from the server' }).click();
      const project = page.getByRole('article', { name: 'Kitchen 2026' });
      await expect(project).toBeVisible();
      const byStatus = project.getByRole('table', { name: 'Clips by status' });
      await expect(byStatus.locator('td[data-status="accepted"]')).toHaveText('1');
      await expect(byStatus.locator('td[data-status="submitted"]')).toHaveText('1');
      await expect(byStatus.locator('td[data-status="assigned"]')).toHaveText('1');
      const ana = project.getByRole('table', { name: 'Annotators' }).getByRole('row', {
        name: 'ana',
      });
      await expect(ana.getByRole('cell')).toHaveText(['3', '2', '1', '1', '50 %', '3.0']);
      const rita = project.getByRole('table', { name: 'Reviewers' }).getByRole('row', {
        name: 'rita',
      });
      await expect(rita.getByRole('cell')).toHaveText(['1', '2']);
      await expect(project.getByRole('img', { name: /^Clips submitted per day/ })).toBeVisible();

      // The lead asks sync for handed-in sets too (for an export of submitted work); it stays so.
      const alsoSubmitted = page.getByRole('checkbox', { name: /Also pull sets still submitted/ });
      await expect(alsoSubmitted).not.toBeChecked();
      await alsoSubmitted.click();
      await expect(alsoSubmitted).toBeChecked();

      // The server goes away: the screen reads the last pull from this workstation's database.
      await server.stop();
      server = null;
      await page.getByRole('button', { name: 'Back to batches' }).click();
      await page.getByRole('button', { name: 'Team' }).click();
      await expect(
        page.getByRole('article', { name: 'Kitchen 2026' }).getByRole('row', { name: 'ana' }),
      ).toBeVisible();
      await expect(alsoSubmitted).toBeChecked();
    } finally {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import {
  call,
  clipRefOf,
  pushBody,
  startTeamServer,
  type TeamServer,
} from '../server/serverHarness';
import { addTrack } from '../store/labelsSeed';
import { clipIdOf, seedWorkstation } from './workstationSeed';

async function count(server: TeamServer, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await server.db.query<{ n: number }>(sql, params);
  return rows[0]?.n ?? -1;
}

/**
 * Issue #15, point 1: while signed in the server account is the actor of every record; before
 * that, a local profile name; each account's pending work is its own and waits for it.
 */
describe('one identity per workstation user (real server, PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-identity-'));
  const mine = clipRefOf('identity-annotated');
  const toReview = clipRefOf('identity-to-review');
  const early = clipRefOf('identity-before-sign-in');
  const handedIn = clipRefOf('identity-handed-in');
  const beforeAnyName = clipRefOf('identity-before-any-name');
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([mine, toReview, early, handedIn, beforeAnyName]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the local profile before sign-in and the account after, never the OS user', async () => {
    const file = join(dir, 'profile.sqlite');
    seedWorkstation(file, [early, mine], 'seed', { submit: false });
    // No actor given: what the app does, where the OS user would be the fallback.
    const services = createServices({ databasePath: file });
    services.sync.stop();
    const { handlers } = services;
    const osUser = userInfo().username;
    try {
      expect((await handlers.getIdentity({})).source).toBe('os');
      expect(await handlers.setLocalProfile({ name: '  Ana Local ' })).toEqual({
        actor: 'Ana Local',
        source: 'profile',
        localProfile: 'Ana Local',
      });
      const before = await handlers.openAnnotationSet({ clipId: clipIdOf(early) });
      expect(before.annotator).toBe('Ana Local');
      await handlers.applyLabelEdit({ setId: before.id, command: addTrack, expectedSeq: 0 });

      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.ann1 });
      expect(await handlers.getIdentity({})).toMatchObject({ actor: 'ann1', source: 'account' });
      expect((await handlers.getSyncStatus({})).account).toEqual({
        name: 'ann1',
        role: 'annotator',
      });
      // The first account here takes over what was started under the local profile.
      const adopted = await handlers.openAnnotationSet({ clipId: clipIdOf(early) });
      expect(adopted).toMatchObject({ id: before.id, annotator: 'ann1', seq: 1 });
      const after = await handlers.openAnnotationSet({ clipId: clipIdOf(mine) });
      expect(after.annotator).toBe('ann1');
      await handlers.applyLabelEdit({ setId: after.id, command: addTrack, expectedSeq: 0 });
      expect((await handlers.submitAnnotationSet({ setId: after.id })).submitted).toBe(true);
      expect((await handlers.syncNow({})).delivered).toHaveLength(1);

      const actors = services.store.audit
        .list({ limit: 100 })
        .filter((e) => e.action.startsWith('labels.') || e.action.startsWith('sync.'))
        .map((e) => e.actor);
      expect(actors).toContain('Ana Local');
      expect(actors).toContain('ann1');
      expect(actors).not.toContain(osUser);
      // The server names the account too.
      expect(
        await count(
          server,
          "SELECT count(*)::int AS n FROM set_versions v JOIN users u ON u.id = v.pushed_by WHERE u.name = 'ann1'",
        ),
      ).toBeGreaterThan(0);

      // Signing out returns to the local profile; the account's name stays on its records.
      await handlers.syncSignOut({});
      expect(await handlers.getIdentity({})).toMatchObject({
        actor: 'Ana Local',
        source: 'profile',
      });
    } finally {
      services.close();
    }
  });

  it('the first account takes over what was labeled before any name was given, under the OS user', async () => {
    const file = join(dir, 'os-user.sqlite');
    seedWorkstation(file, [beforeAnyName], 'seed', { submit: false });
    const services = createServices({ databasePath: file, actor: 'os-user' });
    services.sync.stop();
    const { handlers } = services;
    try {
      // Labeled at once, the name question left unanswered: the OS user makes the records.
      expect((await handlers.getIdentity({})).source).toBe('os');
      const early = await handlers.openAnnotationSet({ clipId: clipIdOf(beforeAnyName) });
      expect(early.annotator).toBe('os-user');
      await handlers.applyLabelEdit({ setId: early.id, command: addTrack, expectedSeq: 0 });

      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.ann1 });
      const adopted = await handlers.openAnnotationSet({ clipId: clipIdOf(beforeAnyName) });
      expect(adopted).toMatchObject({ id: early.id, annotator: 'ann1', seq: 1 });
      expect((await handlers.submitAnnotationSet({ setId: adopted.id })).submitted).toBe(true);
      expect((await handlers.syncNow({})).delivered.map((d) => d.setId)).toEqual([early.id]);

      // Only the first account does: a second one on this machine starts its own.
      await handlers.syncSignOut({});
      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.ann2 });
      const theirs = await handlers.openAnnotationSet({ clipId: clipIdOf(beforeAnyName) });
      expect(theirs.id).not.toBe(early.id);
      expect(theirs.annotator).toBe('ann2');
    } finally {
      services.close();
    }
  });

  it("switching accounts shows each one's work, sends nothing under the other's token, drops nothing", async () => {
    const file = join(dir, 'shared.sqlite');
    const setId = seedWorkstation(file, [toReview], 'ann1', { submit: false }).get(toReview) ?? '';
    const services = createServices({ databasePath: file, actor: 'os-user' });
    services.sync.stop();
    const { handlers } = services;
    // Someone (another workstation) handed in a set for rev1 to review.
    const other = handedIn;
    const pushed = await call(server.url, 'PUT', `/v1/clips/${other}/set`, {
      token: server.team.tokens.ann1,
      key: 'identity-other-push',
      body: pushBody(0),
    });
    expect(pushed.status).toBe(200);
    try {
      // The reviewer signs in, pulls the queue and requests changes, but has not synced it yet.
      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.rev1 });
      await handlers.syncNow({});
      const queue = await handlers.listReviewQueue({});
      expect(queue.map((q) => q.clipRef)).toContain(other);
      const reviewed = queue.find((q) => q.clipRef === other);
      await handlers.submitReview({
        setId: reviewed?.setId ?? '',
        verdict: 'request_changes',
        reason: 'Start again',
      });
      await handlers.syncSignOut({});

      // The annotator signs in on the same workstation: the reviewer's queue is not theirs.
      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.ann1 });
      expect(await handlers.listReviewQueue({})).toEqual([]);
      const set = await handlers.openAnnotationSet({ clipId: clipIdOf(toReview) });
      expect(set.id).toBe(setId);
      await handlers.applyLabelEdit({ setId, command: addTrack, expectedSeq: 0 });
      expect((await handlers.submitAnnotationSet({ setId })).submitted).toBe(true);
      const round = await handlers.syncNow({});
      expect(round.delivered.map((d) => d.setId)).toEqual([setId]);
      // rev1's verdict waited: not sent under ann1's token, not refused, not dropped.
      expect(await count(server, 'SELECT count(*)::int AS n FROM reviews')).toBe(0);
      // It is not the annotator's to send: shown as waiting for the reviewer, not as pending.
      expect(await handlers.getSyncStatus({})).toMatchObject({
        pending: 0,
        waitingForOthers: [{ account: 'rev1', count: 1 }],
      });
      expect(await handlers.listSyncIssues({})).toEqual([]);
      await handlers.syncSignOut({});

      // Back as the reviewer: the verdict goes, under the reviewer's token.
      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.rev1 });
      await handlers.syncNow({});
      expect(await handlers.getSyncStatus({})).toMatchObject({ pending: 0, waitingForOthers: [] });
      expect(
        await count(
          server,
          "SELECT count(*)::int AS n FROM reviews r JOIN users u ON u.id = r.reviewer_id WHERE u.name = 'rev1'",
        ),
      ).toBe(1);
      // And the annotator's set stays the annotator's: the reviewer opens a set of their own.
      const reviewerSet = await handlers.openAnnotationSet({ clipId: clipIdOf(toReview) });
      expect(reviewerSet.id).not.toBe(setId);
      expect(reviewerSet.annotator).toBe('rev1');
    } finally {
      services.close();
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { SyncService } from '../../../src/main/services/sync/syncService';
import { assignClip, issueToken, revokeToken } from '../../../src/server/team';
import { calls } from '../../../src/shared/api/contract';
import { call, clipRefOf, startTeamServer, type TeamServer } from '../server/serverHarness';
import { addTrack, placedPose } from '../store/labelsSeed';
import { clipIdOf, seedWorkstation } from './workstationSeed';

const FAST = { baseMs: 5, capMs: 50 };
// Sets are made by the signed-in account, as the app makes them.
const ME = 'ann1';

/**
 * Issue #15, point 6: each way a delivery can fail shows as an issue with the server's reason and
 * what to do, on the list Sync settings and the clip screen read, and the status agrees with it.
 * One test per refusal class, against the real server.
 */
describe('refused and failed deliveries are visible and actionable (real server, PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-refusals-'));
  const stale = clipRefOf('refusal-stale');
  const unassigned = clipRefOf('refusal-not-assigned');
  const revoked = clipRefOf('refusal-revoked');
  const forbidden = clipRefOf('refusal-forbidden');
  const gone = clipRefOf('refusal-server-gone');
  const discardClip = clipRefOf('refusal-discard');
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([stale, revoked, forbidden, gone, discardClip]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A workstation whose annotator labeled `clipRef` and submitted it, signed in with `token`. */
  const submitted = (name: string, clipRef: string, token: string, serverUrl = server.url) => {
    const file = join(dir, `${name}.sqlite`);
    const setId = seedWorkstation(file, [clipRef], ME, { submit: false }).get(clipRef) ?? '';
    const services = createServices({ databasePath: file, actor: ME });
    services.sync.stop();
    const labels = services.store.labels;
    labels.applyLabelEdit(setId, addTrack, 0, ME);
    labels.applyLabelEdit(setId, placedPose, 1, ME);
    expect(labels.submitAnnotationSet(setId, ME).submitted).toBe(true);
    const sync = new SyncService({ store: services.store, actor: ME, backoff: FAST });
    sync.signIn(serverUrl, token);
    return { services, sync, setId };
  };

  it('not assigned: says to ask the lead; Retry delivers once the lead has assigned it', async () => {
    const ws = submitted('not-assigned', unassigned, server.team.tokens.ann1);
    try {
      const report = await ws.sync.syncNow(10_000);
      expect(report.conflicts).toEqual([expect.objectContaining({ code: 'NOT_FOUND' })]);
      const [issue] = ws.sync.issues();
      expect(issue).toMatchObject({
        kind: 'labels',
        state: 'refused',
        clipId: clipIdOf(unassigned),
        code: 'NOT_FOUND',
        actions: ['retry', 'discard'],
      });
      expect(issue?.message).toMatch(/No assignment of clip/);
      expect(issue?.advice).toMatch(/not assigned to you.*Ask your team lead/);
      // The status says the same as the list, not "none, 0 refused".
      expect(ws.sync.status()).toMatchObject({ refused: 1, pending: 0 });
      expect(ws.sync.status().lastError).toMatch(/^NOT_FOUND: No assignment/);
      // The contract's conflicts call answers in its own shape (it used to leak outboxId).
      const conflicts = await ws.services.handlers.listSyncConflicts({});
      expect(() => calls.listSyncConflicts.output.parse(conflicts)).not.toThrow();
      expect(conflicts).toHaveLength(1);
      // Shown on its clip too.
      const onClip = await ws.services.handlers.listSyncIssues({ clipId: clipIdOf(unassigned) });
      expect(onClip.map((i) => i.id)).toEqual([issue?.id]);

      await assignClip(server.db, {
        clipRef: unassigned,
        projectId: server.team.projectId,
        annotator: 'ann1',
        reviewer: 'rev1',
      });
      expect(ws.sync.retryIssue(issue?.id ?? '')).toBe(true);
      const again = await ws.sync.syncNow(10_000);
      expect(again.delivered).toHaveLength(1);
      expect(ws.sync.issues()).toEqual([]);
      expect(ws.sync.status()).toMatchObject({ refused: 0, lastError: null });
    } finally {
      ws.services.close();
    }
  });

  it('stale revision: names the server revision; Retry sends these labels on top of it', async () => {
    const first = submitted('stale-laptop', stale, server.team.tokens.ann1);
    const second = submitted('stale-desktop', stale, server.team.tokens.ann1);
    try {
      const [delivered] = (await first.sync.syncNow(10_000)).delivered;
      await second.sync.syncNow(10_000);
      const [issue] = second.sync.issues();
      expect(issue).toMatchObject({ code: 'STALE_REVISION', actions: ['retry', 'discard'] });
      expect(issue?.advice).toMatch(/revision 1/);
      expect(second.sync.status().refused).toBe(1);

      // Too early: revision 1 waits for review, which the refusal says, and nothing is lost.
      expect(second.sync.retryIssue(issue?.id ?? '')).toBe(true);
      await second.sync.syncNow(10_000);
      const [locked] = second.sync.issues();
      expect(locked).toMatchObject({ code: 'SET_LOCKED', actions: ['retry', 'discard'] });
      expect(locked?.advice).toMatch(
        /waiting for review.*Retry after the reviewer requests changes/,
      );

      const review = await call(
        server.url,
        'POST',
        `/v1/sets/${delivered?.serverSetId ?? ''}/review`,
        {
          token: server.team.tokens.rev1,
          key: 'stale-review-1',
          body: { verdict: 'request_changes', baseRevision: 1, comments: [], reason: 'Redo' },
        },
      );
      expect(review.status).toBe(200);
      // The next round pulls the request for changes (and the revision it made), then Retry.
      await second.sync.syncNow(10_000);
      expect(second.sync.retryIssue(locked?.id ?? '')).toBe(true);
      const report = await second.sync.syncNow(10_000);
      // Revision 1 the laptop's, 2 the request for changes, 3 these labels.
      expect(report.delivered).toEqual([expect.objectContaining({ revision: 3 })]);
      expect(second.sync.issues()).toEqual([]);
    } finally {
      first.services.close();
      second.services.close();
    }
  });

  it('stale revision: Discard keeps the server version and sends nothing', async () => {
    const first = submitted('discard-laptop', discardClip, server.team.tokens.ann1);
    const ws = submitted('discard-desktop', discardClip, server.team.tokens.ann1);
    try {
      await first.sync.syncNow(10_000);
      await ws.sync.syncNow(10_000);
      const [issue] = ws.sync.issues();
      expect(issue?.code).toBe('STALE_REVISION');
      expect(ws.sync.discardIssue(issue?.id ?? '')).toBe(true);
      expect(ws.sync.issues()).toEqual([]);
      await ws.sync.syncNow(10_000);
      expect(ws.sync.status()).toMatchObject({ pending: 0, refused: 0 });
      // The labels stay on this workstation as they were.
      expect(ws.services.store.labels.loadLabels(ws.setId).doc.tracks).toHaveLength(1);
      expect(ws.services.store.audit.list({ limit: 5 }).map((e) => e.action)).toContain(
        'sync.refusal_discarded',
      );
    } finally {
      first.services.close();
      ws.services.close();
    }
  });

  it('revoked token: the work waits, says to sign in again, and goes under the new token', async () => {
    const old = await issueToken(server.db, 'ann1');
    await revokeToken(server.db, old.tokenId);
    const ws = submitted('revoked', revoked, old.token);
    try {
      await expect(ws.sync.syncNow(10_000)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      const [issue] = ws.sync.issues();
      expect(issue).toMatchObject({ state: 'waiting', code: 'UNAUTHORIZED', actions: [] });
      expect(issue?.advice).toMatch(/sign in again/);
      expect(ws.sync.status()).toMatchObject({ pending: 1 });
      expect(ws.sync.status().lastError).toMatch(/refused the token/);

      ws.sync.signIn(server.url, server.team.tokens.ann1);
      expect((await ws.sync.syncNow(10_000)).delivered).toHaveLength(1);
      expect(ws.sync.issues()).toEqual([]);
    } finally {
      ws.services.close();
    }
  });

  it("forbidden: a reviewer's account cannot send labels; says to ask the lead", async () => {
    const ws = submitted('forbidden', forbidden, server.team.tokens.rev1);
    try {
      await ws.sync.syncNow(10_000);
      const [issue] = ws.sync.issues();
      expect(issue).toMatchObject({ state: 'refused', code: 'FORBIDDEN' });
      expect(issue?.message).toMatch(/Only the annotator/);
      expect(issue?.advice).toMatch(/may not send labels.*team lead/);
      expect(ws.sync.status().refused).toBe(1);
    } finally {
      ws.services.close();
    }
  });

  it('server gone: the work waits with the transport error, retried by itself or by Retry', async () => {
    // Nothing listens on port 9 of this machine (discard service, never run in test images).
    const ws = submitted('gone', gone, server.team.tokens.ann1, 'http://127.0.0.1:9');
    try {
      const report = await ws.sync.syncNow(200);
      expect(report.retries).toBeGreaterThan(0);
      expect(report.delivered).toEqual([]);
      const [issue] = ws.sync.issues();
      expect(issue).toMatchObject({ state: 'waiting', code: 'NETWORK', actions: ['retry'] });
      expect(issue?.advice).toMatch(/did not answer/);
      expect(ws.sync.status()).toMatchObject({ online: false, pending: 1, refused: 0 });

      ws.sync.signIn(server.url, server.team.tokens.ann1);
      expect(ws.sync.retryIssue(issue?.id ?? '')).toBe(true);
      expect((await ws.sync.syncNow(10_000)).delivered).toHaveLength(1);
      expect(ws.sync.issues()).toEqual([]);
    } finally {
      ws.services.close();
    }
  });
});

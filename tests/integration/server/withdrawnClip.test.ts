import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHead, auditTrail, verifyAudit } from '../../../src/server/audit';
import type { Db } from '../../../src/server/db/Db';
import { assignClip, reassign, withdrawConsent } from '../../../src/server/team';
import { rowCounts } from './migrations/migrationHarness';
import {
  backends,
  call,
  clipRefOf,
  pushBody,
  startTeamServer,
  type Team,
  type TeamServer,
} from './serverHarness';

/**
 * Issue #14: the server took a verdict, with comments, on a set whose consent was already
 * withdrawn, and still listed the set in the reviewer's queue, so the reviewer's workstation
 * cached its labels again after its own purge.
 */
describe.each(backends)('a withdrawn clip on the server (%s)', (backend) => {
  let server: TeamServer;
  let db: Db;
  let team: Team;
  const clipRef = clipRefOf('withdrawn-while-in-review');
  let setId = '';
  let assignmentId = '';
  let commentId = '';

  beforeAll(async () => {
    server = await startTeamServer([], undefined, backend);
    ({ db, team } = server);
    ({ setId, assignmentId } = await assignClip(db, {
      clipRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    }));
    const push = (key: string, baseRevision: number) =>
      call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token: team.tokens.ann1,
        key,
        body: pushBody(baseRevision),
      });
    expect((await push('wd-push-1', 0)).status).toBe(200);
    const review = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
      token: team.tokens.rev1,
      key: 'wd-review-1',
      body: {
        verdict: 'request_changes',
        baseRevision: 1,
        reason: 'the hands are off',
        comments: [{ text: 'frame 3: left hand', frame: 3 }],
      },
    });
    expect(review.status).toBe(200);
    const queue = await call(server.url, 'GET', '/v1/review-queue', { token: team.tokens.rev1 });
    commentId = (queue.body as { sets: { comments: { id: string }[] }[] }).sets[0]?.comments[0]
      ?.id as string;
    // Resubmitted: the set waits in rev1's queue when the contributor withdraws.
    expect((await push('wd-push-2', 2)).status).toBe(200);
  });

  afterAll(() => server.close());

  const queueOf = async (token: string) =>
    (
      (await call(server.url, 'GET', '/v1/review-queue', { token })).body as {
        sets: { setId: string }[];
      }
    ).sets.map((s) => s.setId);
  const assignedClips = async (token: string) =>
    (
      (await call(server.url, 'GET', '/v1/assignments', { token })).body as {
        assignments: { clipRef: string }[];
      }
    ).assignments.map((a) => a.clipRef);

  it('leaves every queue and listing once withdrawn', async () => {
    expect(await queueOf(team.tokens.rev1)).toContain(setId);
    expect(await queueOf(team.tokens.lead1)).toContain(setId);
    await withdrawConsent(db, clipRef, 'contributor asked');
    expect(await queueOf(team.tokens.rev1)).not.toContain(setId);
    expect(await queueOf(team.tokens.lead1)).not.toContain(setId);
    for (const token of [team.tokens.ann1, team.tokens.rev1, team.tokens.lead1]) {
      expect(await assignedClips(token)).not.toContain(clipRef);
      // A 404, which workstations already read as "gone" (their double-annotation pull does).
      const set = await call(server.url, 'GET', `/v1/sets/${setId}`, { token });
      expect(set).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    }
  });

  it('refuses a late verdict with comments, a resolve and a push with 410, changing nothing', async () => {
    const countsBefore = await rowCounts(db);
    const headBefore = await auditHead(db);
    const verdict = {
      verdict: 'request_changes',
      baseRevision: 3,
      reason: 'still off',
      comments: [{ text: 'frame 5: right hand', frame: 5 }],
    };
    const refused = { status: 410, body: { error: { code: 'CONSENT_WITHDRAWN' } } };
    const review = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
      token: team.tokens.rev1,
      key: 'wd-review-late',
      body: verdict,
    });
    expect(review).toMatchObject(refused);
    // The project's lead may review too: the same answer.
    expect(
      await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
        token: team.tokens.lead1,
        key: 'wd-review-lead',
        body: { verdict: 'accept', baseRevision: 3, comments: [] },
      }),
    ).toMatchObject(refused);
    // A retry under the same key is answered the same, from the stored answer.
    const replay = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
      token: team.tokens.rev1,
      key: 'wd-review-late',
      body: verdict,
    });
    expect(replay).toMatchObject(refused);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(
      await call(server.url, 'POST', `/v1/sets/${setId}/comments/${commentId}/resolve`, {
        token: team.tokens.ann1,
        key: 'wd-resolve-late',
      }),
    ).toMatchObject(refused);
    expect(
      await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token: team.tokens.ann1,
        key: 'wd-push-late',
        body: pushBody(3),
      }),
    ).toMatchObject(refused);
    // Only the refusals' keys were stored (so retries are answered alike); the chain did not move.
    expect(await rowCounts(db)).toEqual({
      ...countsBefore,
      idempotency_keys: (countsBefore.idempotency_keys ?? 0) + 4,
    });
    expect(await auditHead(db)).toEqual(headBefore);
    const stored = await db.query<{ response: unknown }>(
      'SELECT response FROM idempotency_keys WHERE key = $1',
      ['wd-review-late'],
    );
    expect(JSON.stringify(stored)).not.toContain('right hand');
  });

  it('tells someone who never worked on the set nothing', async () => {
    const answer = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
      token: team.tokens.rev2,
      key: 'wd-review-stranger',
      body: { verdict: 'accept', baseRevision: 3, comments: [] },
    });
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    const push = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
      token: team.tokens.ann2,
      key: 'wd-push-stranger',
      body: pushBody(0),
    });
    expect(push).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });

  it('refuses to assign the clip again or move its assignment', async () => {
    await expect(
      assignClip(db, { clipRef, projectId: team.projectId, annotator: 'ann2', reviewer: 'rev1' }),
    ).rejects.toMatchObject({ code: 'CONSENT_WITHDRAWN' });
    await expect(reassign(db, assignmentId, 'ann2')).rejects.toMatchObject({
      code: 'CONSENT_WITHDRAWN',
    });
    expect(await db.query('SELECT 1 FROM assignments WHERE clip_ref = $1', [clipRef])).toEqual([]);
  });

  it("keeps the withdrawal in the project's audit trail, which still verifies", async () => {
    const trail = await auditTrail(db, { projectId: team.projectId, clipRef });
    expect(trail.map((e) => e.action)).toEqual([
      'assignment.create',
      'set.push',
      'set.review',
      'set.push',
      'consent.withdraw',
    ]);
    expect(trail.at(-1)?.details).toMatchObject({ setsDeleted: 1, versionsDeleted: 2 });
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it('never keeps an assignment made while the clip was being withdrawn', async () => {
    // On PostgreSQL the two run on separate connections, as two server processes would.
    const clips = Array.from({ length: 12 }, (_, i) => clipRefOf(`race-${backend}-${i}`));
    const outcomes = await Promise.all(
      clips.flatMap((ref) => [
        withdrawConsent(db, ref, 'contributor asked').then(() => 'withdrawn'),
        assignClip(db, { clipRef: ref, projectId: team.projectId, annotator: 'ann2' }).then(
          () => 'assigned',
          (error: unknown) => (error as { code?: string }).code,
        ),
      ]),
    );
    // Either order is fine: assigned then purged, or refused; nothing else may happen.
    for (const outcome of outcomes) {
      expect(['withdrawn', 'assigned', 'CONSENT_WITHDRAWN']).toContain(outcome);
    }
    expect(
      await db.query('SELECT clip_ref FROM assignments WHERE clip_ref = ANY($1::text[])', [clips]),
    ).toEqual([]);
  });
});

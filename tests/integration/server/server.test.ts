import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/db/Db';
import { assignClip, issueToken, revokeToken, withdrawConsent } from '../../../src/server/team';
import {
  call,
  clipRefOf,
  listenInProcess,
  openTestDb,
  pushBody,
  seedTeam,
  type Backend,
  type Team,
} from './serverHarness';

const backends: Backend[] = ['pglite', 'postgres'];

describe.each(backends)('central server on %s', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let server: { url: string; close: () => Promise<void> };
  let team: Team;

  beforeAll(async () => {
    const opened = await openTestDb(backend);
    db = opened.db;
    dispose = opened.dispose;
    team = await seedTeam(db);
    server = await listenInProcess(db);
  });

  afterAll(async () => {
    await server.close();
    await dispose();
  });

  const setOf = async (token: string, setId: string) =>
    (await call(server.url, 'GET', `/v1/sets/${setId}`, { token })).body as {
      revision: number;
      status: string;
      labels: unknown;
    };

  it('answers health without a token', async () => {
    const answer = await call(server.url, 'GET', '/v1/health');
    expect(answer).toMatchObject({ status: 200, body: { ok: true, database: backend } });
  });

  it('refuses privileged fields in a push and stores nothing', async () => {
    for (const extra of [{ status: 'accepted' }, { reviewer: 'ann1' }, { annotator: 'ann2' }]) {
      const answer = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
        token: team.tokens.ann1,
        key: `privileged-${Object.keys(extra)[0] ?? ''}`,
        body: pushBody(0, extra),
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    }
    expect(await setOf(team.tokens.ann1, team.setA)).toMatchObject({
      revision: 0,
      status: 'in_progress',
      labels: null,
    });
  });

  it('replays the stored answer for the same key and payload, once stored', async () => {
    const first = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      key: 'push-a-1',
      body: pushBody(0),
    });
    expect(first).toMatchObject({ status: 200, body: { revision: 1, status: 'submitted' } });
    const again = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      key: 'push-a-1',
      body: pushBody(0),
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const versions = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM set_versions WHERE set_id = $1',
      [team.setA],
    );
    expect(versions[0]?.n).toBe(1);
  });

  it('refuses the same key with a different payload (422)', async () => {
    const answer = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      key: 'push-a-1',
      body: pushBody(0, { localRevision: 7 }),
    });
    expect(answer).toMatchObject({
      status: 422,
      body: { error: { code: 'IDEMPOTENCY_KEY_REUSED' } },
    });
  });

  it('answers a stale base revision with 409 and the server copy, overwriting nothing', async () => {
    const doc = {
      tracks: [],
      segments: [],
      contacts: [],
    };
    const answer = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      key: 'push-a-stale',
      body: { ...pushBody(0), labels: doc, localRevision: 3 },
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      error: {
        code: 'STALE_REVISION',
        currentRevision: 1,
        current: { revision: 1, status: 'submitted' },
      },
    });
    expect((await setOf(team.tokens.ann1, team.setA)).revision).toBe(1);
  });

  it('carries a review to the annotator through the events feed, and takes the resubmission', async () => {
    const queue = await call(server.url, 'GET', '/v1/review-queue', { token: team.tokens.rev1 });
    expect((queue.body as { sets: { setId: string }[] }).sets.map((s) => s.setId)).toEqual([
      team.setA,
    ]);
    const verdict = await call(server.url, 'POST', `/v1/sets/${team.setA}/review`, {
      token: team.tokens.rev1,
      key: 'review-a-1',
      body: {
        verdict: 'request_changes',
        reason: 'missing the person',
        baseRevision: 1,
        comments: [{ text: 'left wrist drifts', frame: 12, trackId: 't1', pointIndex: 9 }],
      },
    });
    expect(verdict).toMatchObject({
      status: 200,
      body: { status: 'changes_requested', revision: 2 },
    });
    const feed = await call(server.url, 'GET', '/v1/events?cursor=0', { token: team.tokens.ann1 });
    const { events } = feed.body as { events: { kind: string }[] };
    expect(events.map((e) => e.kind)).toEqual(['assigned', 'review']);
    expect(events[1]).toMatchObject({
      setId: team.setA,
      status: 'changes_requested',
      revision: 2,
      reviewer: 'rev1',
      comments: [{ text: 'left wrist drifts', frame: 12 }],
    });
    const resubmit = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      key: 'push-a-2',
      body: pushBody(2, { localRevision: 5 }),
    });
    expect(resubmit).toMatchObject({ status: 200, body: { revision: 3, status: 'submitted' } });
  });

  it.each([
    ['team 1 reaching for team 2', ['ann1', 'rev1', 'lead1'], 'B'],
    ['team 2 reaching for team 1', ['ann2', 'rev2', 'lead2'], 'A'],
  ] as const)(
    'gives every role only 403 or 404 for an object that is not theirs (%s)',
    async (_, users, target) => {
      const { tokens } = team;
      const clipB = target === 'B' ? team.clipB : team.clipA;
      const setB = target === 'B' ? team.setB : team.setA;
      const ownSet = target === 'B' ? team.setA : team.setB;
      const [annotator] = users;
      const attempts: {
        who: keyof Team['tokens'];
        method: string;
        path: string;
        body?: unknown;
      }[] = [];
      for (const who of users) {
        attempts.push(
          { who, method: 'GET', path: `/v1/sets/${setB}` },
          { who, method: 'PUT', path: `/v1/clips/${clipB}/set`, body: pushBody(0) },
          {
            who,
            method: 'POST',
            path: `/v1/sets/${setB}/review`,
            body: { verdict: 'accept', baseRevision: 0, comments: [] },
          },
        );
      }
      // An annotator never reviews, not even their own set.
      attempts.push({
        who: annotator,
        method: 'POST',
        path: `/v1/sets/${ownSet}/review`,
        body: { verdict: 'accept', baseRevision: 3, comments: [] },
      });
      attempts.push({ who: annotator, method: 'GET', path: '/v1/review-queue' });
      for (const [index, attempt] of attempts.entries()) {
        const answer = await call(server.url, attempt.method, attempt.path, {
          token: tokens[attempt.who],
          ...(attempt.body === undefined
            ? {}
            : { body: attempt.body, key: `matrix-${target}-${index}` }),
        });
        expect([403, 404], `${attempt.who} ${attempt.method} ${attempt.path}`).toContain(
          answer.status,
        );
      }
      // Lists never show the other team's objects.
      for (const who of users) {
        const list = await call(server.url, 'GET', '/v1/assignments', { token: tokens[who] });
        const refs = (list.body as { assignments: { clipRef: string }[] }).assignments.map(
          (a) => a.clipRef,
        );
        expect(refs, who).not.toContain(clipB);
        const feed = await call(server.url, 'GET', '/v1/events', { token: tokens[who] });
        expect(JSON.stringify(feed.body), who).not.toContain(clipB);
      }
      for (const who of users.slice(1)) {
        const queue = await call(server.url, 'GET', '/v1/review-queue', { token: tokens[who] });
        expect(JSON.stringify(queue.body), who).not.toContain(setB);
      }
      const owner = target === 'B' ? tokens.ann2 : tokens.ann1;
      const before = target === 'B' ? 0 : 3;
      expect((await setOf(owner, setB)).revision).toBe(before);
    },
  );

  it('refuses forged, revoked and expired tokens with 401', async () => {
    const revoked = await issueToken(db, 'ann1');
    await revokeToken(db, revoked.tokenId);
    const expired = await issueToken(db, 'ann1', { expiresInDays: -1 });
    for (const header of [
      undefined,
      'fwt_forgedforgedforgedforgedforgedforgedforged',
      revoked.token,
      expired.token,
      'not a bearer token at all',
    ]) {
      const answer = await call(server.url, 'GET', '/v1/assignments', {
        ...(header === undefined ? {} : { token: header }),
      });
      expect(answer.status, String(header)).toBe(401);
    }
  });

  it('refuses bad input: oversized, malformed, __proto__, unknown fields and queries', async () => {
    const push = (rawBody: string, key: string) =>
      call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
        token: team.tokens.ann1,
        key,
        rawBody,
      });
    const huge = JSON.stringify(pushBody(3, { localSetId: 'x'.repeat(9 * 1024 * 1024) }));
    expect((await push(huge, 'bad-1')).status).toBe(413);
    expect((await push('{"baseRevision": 3,', 'bad-2')).status).toBe(400);
    expect((await push('{"__proto__": {"admin": true}, "baseRevision": 3}', 'bad-3')).status).toBe(
      400,
    );
    expect(
      (await push(JSON.stringify({ ...pushBody(3), labels: { tracks: 'no' } }), 'bad-4')).status,
    ).toBe(400);
    const noKey = await call(server.url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      body: pushBody(3),
    });
    expect(noKey.status).toBe(400);
    const query = await call(server.url, 'GET', '/v1/assignments?all=true', {
      token: team.tokens.lead1,
    });
    expect(query.status).toBe(400);
    expect((await setOf(team.tokens.ann1, team.setA)).revision).toBe(3);
  });

  it('limits requests per user, not per address', async () => {
    const limited = await listenInProcess(db, { rateLimitPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        statuses.push(
          (await call(limited.url, 'GET', '/v1/assignments', { token: team.tokens.ann1 })).status,
        );
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      expect(
        (await call(limited.url, 'GET', '/v1/assignments', { token: team.tokens.ann2 })).status,
      ).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('deletes the labels the server holds for the clip and refuses them ever after', async () => {
    const clipRef = clipRefOf('withdrawn-on-server');
    const { setId } = await assignClip(db, {
      clipRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    const labels = {
      tracks: [],
      segments: [
        {
          id: 's1',
          startFrame: 0,
          endFrame: 9,
          verbId: 1,
          nounId: 2,
          actor: 'camera_wearer',
          note: 'kitchen at home',
        },
      ],
      contacts: [],
    };
    const pushed = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
      token: team.tokens.ann1,
      key: 'withdrawn-push-1',
      body: { ...pushBody(0), labels },
    });
    expect(pushed.status).toBe(200);
    const review = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
      token: team.tokens.rev1,
      key: 'withdrawn-review-1',
      body: {
        verdict: 'request_changes',
        baseRevision: 1,
        reason: 'check the start',
        comments: [{ text: 'the kitchen counter is visible at frame 3', frame: 3 }],
      },
    });
    expect(review.status).toBe(200);

    await withdrawConsent(db, clipRef, 'contributor asked');

    // The set, its versions and its review go; a tombstone of ids remains.
    const stored = await db.query<{ sets: number; versions: number; reviews: number }>(
      `SELECT (SELECT count(*)::int FROM annotation_sets WHERE id = $1) AS sets,
              (SELECT count(*)::int FROM set_versions WHERE set_id = $1) AS versions,
              (SELECT count(*)::int FROM reviews WHERE set_id = $1) AS reviews`,
      [setId],
    );
    expect(stored[0]).toEqual({ sets: 0, versions: 0, reviews: 0 });
    // A workstation that was offline pushes the labels again: refused, nothing stored.
    const late = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
      token: team.tokens.ann1,
      key: 'withdrawn-push-2',
      body: { ...pushBody(2), labels },
    });
    expect(late.status).toBe(410);
    expect(late.body).toMatchObject({ error: { code: 'CONSENT_WITHDRAWN' } });
    const after = await db.query(
      `SELECT 1 FROM assignments a JOIN annotation_sets s ON s.assignment_id = a.id
       WHERE a.clip_ref = $1`,
      [clipRef],
    );
    expect(after).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/server/app';
import { routesOf } from '../../../src/server/boundary';
import type { Db } from '../../../src/server/db/Db';
import { PushSetBody, ReviewBody } from '../../../src/shared/api/syncProtocol';
import {
  call,
  pushBody,
  seededServer,
  type Answer,
  type Backend,
  type DeliveryFixture,
  type Team,
} from './serverHarness';
import { databaseState } from './databaseState';
import { review, samples } from './routeSamples';

const backends: Backend[] = ['pglite', 'postgres'];

const NUL = '\u0000';
const LONE = '\uD800';

const track = (label: string) => ({
  id: 't1',
  kind: 'person',
  templateId: 'coco17',
  label,
  color: '#ff0000',
  keyframes: [],
});

function nestedBatch(depth: number): unknown {
  let command: unknown = { type: 'removeTrack', trackId: 't1' };
  for (let i = 0; i < depth; i++) command = { type: 'batch', commands: [command] };
  return command;
}

/** A refusal in the project's shape: `{ error: { code, message } }`, a 4xx. */
function expectRefused(answer: Answer, status = 400): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({
    error: { code: expect.any(String) as unknown, message: expect.any(String) as unknown },
  });
}

describe.each(backends)('hostile input to the central server on %s', (backend) => {
  let db: Db;
  let url: string;
  let team: Team;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, team, url, close } = await seededServer(backend));
    // A pushed set with one review comment, so the review and resolve routes have real targets.
    const pushed = await call(url, 'PUT', `/v1/clips/${team.clipA}/set`, {
      token: team.tokens.ann1,
      key: 'hostile-push',
      body: pushBody(0),
    });
    expect(pushed.status).toBe(200);
    const reviewed = await call(url, 'POST', `/v1/sets/${team.setA}/review`, {
      token: team.tokens.rev1,
      key: 'hostile-review',
      body: review(),
    });
    expect(reviewed.status).toBe(200);
  });

  afterAll(() => close());

  /** Sends the request and proves it was refused with nothing in the database changed. */
  async function refusedUnchanged(
    method: string,
    path: string,
    options: Parameters<typeof call>[3],
    status = 400,
  ): Promise<Answer> {
    const before = await databaseState(db);
    const answer = await call(url, method, path, options);
    expectRefused(answer, status);
    expect(await databaseState(db)).toEqual(before);
    return answer;
  }

  it('refuses a NUL in a path or query id with 400, not a database error', async () => {
    const { ann1, rev1, lead1 } = team.tokens;
    await refusedUnchanged('GET', '/v1/sets/%00', { token: ann1 });
    await refusedUnchanged('POST', '/v1/sets/%00/review', {
      token: rev1,
      key: 'nul-review-1',
      body: review(),
    });
    await refusedUnchanged('POST', `/v1/sets/%00/comments/c1/resolve`, {
      token: ann1,
      key: 'nul-resolve-1',
    });
    await refusedUnchanged('POST', `/v1/sets/${team.setA}/comments/c%00/resolve`, {
      token: ann1,
      key: 'nul-resolve-2',
    });
    await refusedUnchanged('GET', '/v1/audit?projectId=%00', { token: lead1 });
    await refusedUnchanged('GET', '/v1/double-annotation/sets?cursor=%00', { token: lead1 });
  });

  it('bounds the events cursor by its 32-bit column', async () => {
    await refusedUnchanged('GET', '/v1/events?cursor=2147483648', { token: team.tokens.ann1 });
    await refusedUnchanged('GET', '/v1/events?cursor=99999999999', { token: team.tokens.ann1 });
    const last = await call(url, 'GET', '/v1/events?cursor=2147483647', {
      token: team.tokens.ann1,
    });
    expect(last).toMatchObject({ status: 200, body: { events: [], cursor: 2147483647 } });
  });

  it('bounds revisions in a body by their 32-bit column', async () => {
    await refusedUnchanged('PUT', `/v1/clips/${team.clipB}/set`, {
      token: team.tokens.ann2,
      key: 'big-revision-1',
      body: pushBody(2 ** 31),
    });
  });

  it('refuses a NUL or a lone surrogate in a track label, a review reason or a comment', async () => {
    const valid = {
      ...pushBody(0),
      labels: { tracks: [track('person 1')], segments: [], contacts: [] },
    };
    expect(PushSetBody.safeParse(valid).success).toBe(true);
    for (const bad of [NUL, LONE, `a${NUL}b`, `\uDC00${LONE}`]) {
      await refusedUnchanged('PUT', `/v1/clips/${team.clipB}/set`, {
        token: team.tokens.ann2,
        key: `label-${bad.codePointAt(0) ?? 0}-${bad.length}`,
        body: { ...valid, labels: { ...valid.labels, tracks: [track(`person${bad}`)] } },
      });
      await refusedUnchanged('POST', `/v1/sets/${team.setB}/review`, {
        token: team.tokens.rev2,
        key: `reason-${bad.codePointAt(0) ?? 0}-${bad.length}`,
        body: review({ baseRevision: 0, reason: `drifts${bad}` }),
      });
      await refusedUnchanged('POST', `/v1/sets/${team.setB}/review`, {
        token: team.tokens.rev2,
        key: `comment-${bad.codePointAt(0) ?? 0}-${bad.length}`,
        body: review({ baseRevision: 0 }, { text: `look${bad}` }),
      });
    }
  });

  it('refuses a suggestion nested 1,000 batches deep with 400, not a stack overflow', async () => {
    const shallow = review({}, { suggestion: nestedBatch(3) });
    expect(ReviewBody.safeParse(shallow).success).toBe(true);
    const answer = await refusedUnchanged('POST', `/v1/sets/${team.setB}/review`, {
      token: team.tokens.rev2,
      key: 'deep-suggestion-1',
      body: review({ baseRevision: 0 }, { suggestion: nestedBatch(1000) }),
    });
    expect(JSON.stringify(answer.body)).toContain('deeper');
  });

  it('refuses a body on the resolve route and leaves the comment unresolved', async () => {
    await refusedUnchanged('POST', `/v1/sets/${team.setA}/comments/c1/resolve`, {
      token: team.tokens.ann1,
      key: 'resolve-with-body-1',
      body: { resolved: true },
    });
    const rows = await db.query('SELECT 1 FROM comment_resolutions WHERE comment_id = $1', ['c1']);
    expect(rows).toEqual([]);
  });

  it('answers an unknown route and a malformed path escape in the project shape', async () => {
    expectRefused(await call(url, 'GET', '/v1/nothing-here', { token: team.tokens.ann1 }), 404);
    expectRefused(await call(url, 'GET', '/v1/sets/%E0%A4%A', { token: team.tokens.ann1 }));
  });
});

describe('every route of the central server', () => {
  let db: Db;
  let app: FastifyInstance;
  let url: string;
  let team: Team;
  let close: () => Promise<void>;

  let delivery: DeliveryFixture | undefined;

  beforeAll(async () => {
    // With the clip delivery routes, which a server with a blob store serves.
    ({ db, team, app, url, close, delivery } = await seededServer('pglite', undefined, {
      delivery: true,
    }));
  });

  afterAll(() => close());

  it('has a sample request for each registered route', () => {
    const registered = routesOf(app).map((r) => `${r.method} ${r.url}`);
    expect(registered.length).toBeGreaterThanOrEqual(16);
    expect(registered.sort()).toEqual(Object.keys(samples(team, delivery)).sort());
  });

  it('refuses an unknown body field, query parameter and a NUL in each path parameter', async () => {
    const table = samples(team, delivery);
    for (const route of routesOf(app)) {
      const sample = table[`${route.method} ${route.url}`];
      if (sample === undefined) throw new Error(`no sample for ${route.method} ${route.url}`);
      const name = `${route.method} ${route.url}`;
      const before = await databaseState(db);
      const query = await call(
        url,
        route.method,
        `${sample.path}${sample.path.includes('?') ? '&' : '?'}unexpected=1`,
        {
          token: sample.token,
          key: `unknown-query-${name}`,
          ...(sample.body === undefined ? {} : { body: sample.body }),
        },
      );
      expect(query.status, name).toBe(400);
      expect(query.body, name).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      if (sample.body !== undefined) {
        const body = await call(url, route.method, sample.path, {
          token: sample.token,
          key: `unknown-body-${name}`,
          body: { ...(sample.body as object), unexpected: true },
        });
        expect(body.status, name).toBe(400);
        expect(JSON.stringify(body.body), name).toContain('additional properties');
      }
      const [samplePath = '', sampleQuery] = sample.path.split('?');
      for (const [index, segment] of route.url.split('/').entries()) {
        if (!segment.startsWith(':')) continue;
        const segments = samplePath.split('/');
        segments[index] = `${(segments[index] ?? '').slice(0, 4)}%00`;
        const path = `${segments.join('/')}${sampleQuery === undefined ? '' : `?${sampleQuery}`}`;
        const nul = await call(url, route.method, path, {
          token: sample.token,
          key: `nul-param-${name}-${segment}`,
          ...(sample.body === undefined ? {} : { body: sample.body }),
        });
        expect(nul.status, `${name} ${segment}`).toBe(400);
      }
      expect(await databaseState(db), name).toEqual(before);
    }
  });

  it('refuses to register a write route whose body schema lets unknown fields through', async () => {
    const probe = await buildServer({ db });
    expect(() =>
      probe.post(
        '/v1/open',
        {
          schema: {
            querystring: { type: 'object', additionalProperties: false },
            body: { type: 'object' },
          },
        },
        () => ({}),
      ),
    ).toThrow(/body schema must refuse unknown fields/);
    await probe.close();
  });
});

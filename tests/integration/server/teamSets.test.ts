import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProjectSchema } from '../../../src/main/services/labels/defaultProject';
import { backends, call, pushBody, seededServer, type SeededServer } from './serverHarness';

const clip = {
  fileName: 'session/a.mp4',
  width: 1920,
  height: 1080,
  rotation: 90,
  frameTimes: [0, 0.033, 0.067],
  lastFrameDurationSeconds: 0.033,
  frameTableSource: 'mp4box',
  contributor: 'contrib_7',
  region: 'PT',
  consent: {
    id: 'c-1',
    scope: ['training'],
    grantedAt: '2020-01-01',
    expiresAt: null,
    withdrawn: false,
  },
};

type Page = {
  sets: { setId: string; status: string; labels: unknown; project: unknown; reviewers: string[] }[];
  cursor: number;
  more: boolean;
};

describe.each(backends)("GET /v1/team-sets: a lead's pull of the team's work (%s)", (backend) => {
  let server: SeededServer;

  beforeAll(async () => {
    server = await seededServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  const pull = async (token: string, query: string) => {
    const answer = await call(server.url, 'GET', `/v1/team-sets${query}`, { token });
    return { status: answer.status, page: answer.body as Page };
  };

  it('refuses a push whose clip facts are malformed, and stores nothing', async () => {
    const answer = await call(server.url, 'PUT', `/v1/clips/${server.team.clipA}/set`, {
      token: server.team.tokens.ann1,
      key: 'bad-facts-1',
      body: pushBody(0, { clip: { ...clip, rotation: 45 } }),
    });
    expect(answer.status).toBe(400);
    expect((await pull(server.team.tokens.lead1, '?status=submitted')).page.sets).toEqual([]);
  });

  it('gives the lead each change once, labels only in the statuses asked for', async () => {
    const { tokens, clipA, setA } = server.team;
    const pushed = await call(server.url, 'PUT', `/v1/clips/${clipA}/set`, {
      token: tokens.ann1,
      key: 'push-with-facts-1',
      body: pushBody(0, { clip, project: defaultProjectSchema() }),
    });
    expect(pushed.status).toBe(200);

    const submitted = await pull(tokens.lead1, '?status=submitted');
    expect(submitted.page.sets).toEqual([
      expect.objectContaining({ setId: setA, status: 'submitted', reviewers: [] }),
    ]);
    expect(submitted.page.sets[0]?.labels).not.toBeNull();
    expect(submitted.page.sets[0]?.project).toEqual(defaultProjectSchema());
    // Asked for accepted sets only: the change is listed, without labels.
    const accepted = await pull(tokens.lead1, '?status=accepted');
    expect(accepted.page.sets.map((s) => [s.setId, s.labels])).toEqual([[setA, null]]);

    const review = await call(server.url, 'POST', `/v1/sets/${setA}/review`, {
      token: tokens.rev1,
      key: 'accept-a-1',
      body: { verdict: 'accept', baseRevision: 1, comments: [] },
    });
    expect(review.status).toBe(200);
    const after = await pull(tokens.lead1, `?status=accepted&cursor=${accepted.page.cursor}`);
    expect(after.page.sets).toEqual([
      expect.objectContaining({ setId: setA, status: 'accepted', reviewers: ['rev1'] }),
    ]);
    expect(after.page.sets[0]?.labels).not.toBeNull();
    // Nothing changed since: an unchanged re-pull is empty and keeps the cursor.
    const again = await pull(tokens.lead1, `?status=accepted&cursor=${after.page.cursor}`);
    expect(again.page).toEqual({ sets: [], cursor: after.page.cursor, more: false });
  });

  it("shows a lead only their projects' sets, pages them, and refuses everyone else", async () => {
    const { tokens } = server.team;
    expect((await pull(tokens.lead2, '?status=submitted')).page.sets).toEqual([]);
    const paged = await pull(tokens.lead1, '?status=submitted&limit=1');
    expect(paged.page.sets).toHaveLength(1);
    expect(paged.page.more).toBe(false);
    for (const token of [tokens.ann1, tokens.rev1]) {
      expect((await pull(token, '')).status).toBe(403);
    }
    expect((await pull(tokens.lead1, '?status=in_progress')).status).toBe(400);
    expect((await pull(tokens.lead1, '?cursor=-1')).status).toBe(400);
  });
});

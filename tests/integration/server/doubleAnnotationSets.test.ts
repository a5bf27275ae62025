import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markDoubleAnnotation } from '../../../src/server/doubleAnnotation';
import { assignClip, withdrawConsent } from '../../../src/server/team';
import type { Db } from '../../../src/server/db/Db';
import {
  DoubleAnnotationPage,
  DoubleAnnotationSummaryPage,
} from '../../../src/shared/api/syncProtocol';
import {
  call,
  clipRefOf,
  listenInProcess,
  openTestDb,
  pushBody,
  seedTeam,
  type Team,
} from './serverHarness';

const PATH = '/v1/double-annotation/sets';

describe('GET /v1/double-annotation/sets (PGlite)', () => {
  let db: Db;
  let team: Team;
  let server: { url: string; close: () => Promise<void> };
  let dispose: () => Promise<void>;
  const clipX = clipRefOf('double-sets-x');
  const clipGone = clipRefOf('double-sets-withdrawn');

  beforeAll(async () => {
    const opened = await openTestDb('pglite');
    db = opened.db;
    dispose = opened.dispose;
    team = await seedTeam(db);
    for (const clipRef of [clipX, clipGone]) {
      await assignClip(db, {
        clipRef,
        projectId: team.projectId,
        annotator: 'ann1',
        reviewer: 'rev1',
      });
    }
    // Every clip of lead1's project (A, X, gone) gets ann2 as its second annotator.
    const marked = await markDoubleAnnotation(db, {
      projectId: team.projectId,
      share: 1,
      annotators: ['ann2'],
    });
    expect(marked.marked).toHaveLength(3);
    server = await listenInProcess(db);
    const push = async (token: string, clipRef: string) => {
      const answer = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
        token,
        key: `push-${token.slice(-12)}-${clipRef.slice(0, 12)}`,
        body: pushBody(0),
      });
      expect(answer.status).toBe(200);
    };
    // Clip A: both in. Clip X: only ann1 (ann2's set stays in progress). Gone: both, then withdrawn.
    await push(team.tokens.ann1, team.clipA);
    await push(team.tokens.ann2, team.clipA);
    await push(team.tokens.ann1, clipX);
    await push(team.tokens.ann1, clipGone);
    await push(team.tokens.ann2, clipGone);
    await withdrawConsent(db, clipGone, 'contributor asked');
  });

  afterAll(async () => {
    await server.close();
    await dispose();
  });

  const page = async (token: string, query = '') => {
    const answer = await call(server.url, 'GET', `${PATH}${query}`, { token });
    expect(answer.status).toBe(200);
    return DoubleAnnotationPage.parse(answer.body);
  };

  it("gives the lead every handed-in set of their project's double clips, with labels", async () => {
    const { sets, nextCursor } = await page(team.tokens.lead1);
    expect(nextCursor).toBeNull();
    expect(sets.map((s) => [s.clipRef, s.annotator, s.status, s.revision]).sort()).toEqual(
      [
        [team.clipA, 'ann1', 'submitted', 1],
        [team.clipA, 'ann2', 'submitted', 1],
        [clipX, 'ann1', 'submitted', 1],
      ].sort(),
    );
    expect(sets.every((s) => s.projectId === team.projectId)).toBe(true);
    expect(sets[0]?.labels).toEqual({ tracks: [], segments: [], contacts: [] });
    // The clip's reviewer sees the same sets; another project's lead and reviewer see none.
    expect((await page(team.tokens.rev1)).sets).toHaveLength(3);
    expect((await page(team.tokens.lead2)).sets).toEqual([]);
    expect((await page(team.tokens.rev2)).sets).toEqual([]);
  });

  it('gives the same sets without labels as summaries', async () => {
    const full = await page(team.tokens.lead1);
    const answer = await call(server.url, 'GET', `${PATH}?fields=summary`, {
      token: team.tokens.lead1,
    });
    expect(answer.status).toBe(200);
    const summaries = DoubleAnnotationSummaryPage.parse(answer.body);
    expect(summaries.sets).toEqual(
      full.sets.map((s) => ({
        setId: s.setId,
        clipRef: s.clipRef,
        projectId: s.projectId,
        annotator: s.annotator,
        status: s.status,
        revision: s.revision,
        updatedAt: s.updatedAt,
      })),
    );
    const annotator = await call(server.url, 'GET', `${PATH}?fields=summary`, {
      token: team.tokens.ann2,
    });
    expect(annotator.status).toBe(403);
    const bad = await call(server.url, 'GET', `${PATH}?fields=labels`, {
      token: team.tokens.lead1,
    });
    expect(bad.status).toBe(400);
  });

  it('refuses annotators, unknown parameters and missing tokens', async () => {
    const annotator = await call(server.url, 'GET', PATH, { token: team.tokens.ann1 });
    expect(annotator.status).toBe(403);
    expect(annotator.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const extra = await call(server.url, 'GET', `${PATH}?project=all`, {
      token: team.tokens.lead1,
    });
    expect(extra.status).toBe(400);
    expect((await call(server.url, 'GET', PATH)).status).toBe(401);
  });

  it('pages by set id without skipping or repeating a set', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const next: DoubleAnnotationPage = await page(
        team.tokens.lead1,
        `?limit=1${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      seen.push(...next.sets.map((s) => s.setId));
      cursor = next.nextCursor;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([...new Set(seen)].sort());
    expect(seen).toHaveLength(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/db/Db';
import { markDoubleAnnotation } from '../../../src/server/doubleAnnotation';
import { addUser } from '../../../src/server/team';
import { bulkAssign, clipRefOf, openTestDb, seedTeam, type Team } from './serverHarness';

describe('double annotation (PGlite)', () => {
  let db: Db;
  let team: Team;
  let dispose: () => Promise<void>;
  const clips = Array.from({ length: 19 }, (_, i) => clipRefOf(`double-${i}`));

  beforeAll(async () => {
    const opened = await openTestDb('pglite');
    db = opened.db;
    dispose = opened.dispose;
    team = await seedTeam(db);
    await addUser(db, 'ann3', 'annotator');
    // 20 clips in project p1 (clip A plus these), all with ann1 except one with ann3.
    await bulkAssign(db, {
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
      clipRefs: clips.slice(1),
    });
    await bulkAssign(db, {
      projectId: team.projectId,
      annotator: 'ann3',
      reviewer: 'rev1',
      clipRefs: clips.slice(0, 1),
    });
  });

  afterAll(async () => {
    await dispose();
  });

  it('gives 10 % of the project clips a second annotator, once, with the same reviewer', async () => {
    const first = await markDoubleAnnotation(db, { projectId: team.projectId, share: 0.1 });
    expect(first).toMatchObject({ clips: 20, target: 2 });
    expect(first.marked).toHaveLength(2);
    for (const m of first.marked) expect(m.second).not.toBe(m.first);

    // Running it again tops up to the share instead of doubling more.
    expect(
      (await markDoubleAnnotation(db, { projectId: team.projectId, share: 0.1 })).marked,
    ).toEqual([]);
    const rows = await db.query<{ clip_ref: string; n: number; reviewers: number }>(
      `SELECT clip_ref, count(*)::int AS n, count(DISTINCT reviewer_id)::int AS reviewers
       FROM assignments WHERE project_id = $1 GROUP BY clip_ref HAVING count(*) > 1`,
      [team.projectId],
    );
    expect(rows.map((r) => r.clip_ref).sort()).toEqual(first.marked.map((m) => m.clipRef).sort());
    expect(rows.every((r) => r.n === 2 && r.reviewers === 1)).toBe(true);
    const events = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE kind = 'assigned' AND payload->>'clipRef' = ANY($1::text[])",
      [first.marked.map((m) => m.clipRef)],
    );
    // One 'assigned' event per second annotator (bulkAssign sends none for the first).
    expect(events[0]?.n).toBe(2);

    // Another team's annotator is not a candidate unless named, and a bad share is refused.
    await expect(
      markDoubleAnnotation(db, { projectId: team.projectId, share: 0 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const more = await markDoubleAnnotation(db, {
      projectId: team.projectId,
      share: 0.2,
      annotators: ['ann2'],
    });
    expect(more.marked).toHaveLength(2);
    expect(more.marked.every((m) => m.second === 'ann2')).toBe(true);
  });
});

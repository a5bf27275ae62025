import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../../../../src/server/auth';
import { pushSet, teamSets } from '../../../../src/server/sets';
import { LATEST_SERVER_SCHEMA } from '../../../../src/server/db/migrations';
import { backends } from '../serverHarness';
import { CLIP_KEPT, databaseAt, seedV1, seedV2, seedV4 } from './migrationHarness';

const ann: AuthUser = { id: 'u-ann', name: 'ann', role: 'annotator' };
const lead: AuthUser = { id: 'u-lead', name: 'lead', role: 'lead' };

describe.each(backends)('server migration 006 (team sets) on %s', (backend) => {
  it("numbers the sets pushed before it, so a lead's first pull finds them, then numbers on", async () => {
    const fixture = await databaseAt(backend, 4);
    await seedV1(fixture.db);
    await seedV2(fixture.db);
    await seedV4(fixture.db);
    // Migration 5 purges the withdrawn clip the seed planted; what is left is a live set.
    await fixture.migrateTo(5);
    const before = await fixture.db.query(
      'SELECT id, status, revision, labels FROM annotation_sets ORDER BY id',
    );

    expect(await fixture.migrateTo(6)).toEqual([6]);
    expect(
      await fixture.db.query(
        'SELECT id, status, revision, labels FROM annotation_sets ORDER BY id',
      ),
    ).toEqual(before);
    // Today's pull reads columns later migrations add (010: the sets' sizes).
    await fixture.migrateTo(LATEST_SERVER_SCHEMA);
    const first = await teamSets(fixture.db, lead, { status: 'submitted', cursor: 0, limit: 50 });
    expect(first.sets.map((s) => [s.setId, s.clipRef, s.changeSeq, s.labels])).toEqual([
      // Changes requested: listed (so a copy would be dropped) without its labels.
      ['s-kept', CLIP_KEPT, 1, null],
    ]);

    // A push after the migration takes the next number and carries the clip's facts.
    await fixture.db.transaction((tx) =>
      pushSet(tx, ann, CLIP_KEPT, {
        baseRevision: 2,
        labels: { tracks: [], segments: [], contacts: [] },
        localSetId: 'l',
        localRevision: 3,
      }),
    );
    const next = await teamSets(fixture.db, lead, { status: 'submitted', cursor: 1, limit: 50 });
    expect(next.sets.map((s) => [s.setId, s.status, s.changeSeq])).toEqual([
      ['s-kept', 'submitted', 2],
    ]);
    expect(next.sets[0]?.labels).toEqual({ tracks: [], segments: [], contacts: [] });
    expect(next.cursor).toBe(2);
  });
});

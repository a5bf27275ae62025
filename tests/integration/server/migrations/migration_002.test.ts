import { describe, expect, it } from 'vitest';
import { backends } from '../serverHarness';
import { databaseAt, seedV1, seedV2 } from './migrationHarness';

describe.each(backends)('server migration 002 (review workflow) on %s', (backend) => {
  it('adds reasons, resolutions and double marks to a populated version 1 database', async () => {
    const fixture = await databaseAt(backend, 1);
    await seedV1(fixture.db);
    const reviewsBefore = await fixture.db.query(
      'SELECT id, set_id, verdict, revision, comments FROM reviews ORDER BY id',
    );
    expect(await fixture.migrateTo(2)).toEqual([2]);
    expect(await fixture.version()).toBe(2);
    // Earlier reviews keep everything and have no reason.
    expect(
      await fixture.db.query(
        'SELECT id, set_id, verdict, revision, comments FROM reviews ORDER BY id',
      ),
    ).toEqual(reviewsBefore);
    expect(await fixture.db.query('SELECT reason FROM reviews')).toEqual([
      { reason: null },
      { reason: null },
    ]);
    await seedV2(fixture.db);
    expect(await fixture.db.query(`SELECT reason FROM reviews WHERE id = 'r-kept'`)).toEqual([
      { reason: 'kept reason' },
    ]);
    // A comment is resolved once: a second row for it is refused.
    await expect(
      fixture.db.query(
        `INSERT INTO comment_resolutions (set_id, comment_id, resolved_by)
         VALUES ('s-kept', 'c-1', 'u-rev')`,
      ),
    ).rejects.toThrow(/unique|duplicate/i);
    // A resolution names a set that exists.
    await expect(
      fixture.db.query(
        `INSERT INTO comment_resolutions (set_id, comment_id, resolved_by)
         VALUES ('no-such-set', 'c-1', 'u-ann')`,
      ),
    ).rejects.toThrow(/foreign key/i);
    expect(await fixture.db.query('SELECT count(*)::int AS n FROM double_annotation')).toEqual([
      { n: 1 },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { serverMigrations } from '../../../../src/server/db/migrations';
import { backends } from '../serverHarness';
import type { AuthUser } from '../../../../src/server/auth';
import { pushSet, resolveComment, reviewSet } from '../../../../src/server/sets';
import {
  allRowsAsText,
  CLIP_KEPT,
  CLIP_WITHDRAWN,
  databaseAt,
  seedV1,
  seedV2,
  seedV4,
} from './migrationHarness';

const ann: AuthUser = { id: 'u-ann', name: 'ann', role: 'annotator' };
const rev: AuthUser = { id: 'u-rev', name: 'rev', role: 'reviewer' };
const EMPTY = { tracks: [], segments: [], contacts: [] };

describe.each(backends)('server migration 005 (withdrawn sets) on %s', (backend) => {
  it('purges clips withdrawn before it down to tombstones and keeps every other row', async () => {
    const fixture = await databaseAt(backend, 4);
    await seedV1(fixture.db);
    await seedV2(fixture.db);
    await seedV4(fixture.db);
    const kept = async () => ({
      sets: await fixture.db.query(`SELECT * FROM annotation_sets WHERE id = 's-kept'`),
      versions: await fixture.db.query(`SELECT * FROM set_versions WHERE set_id = 's-kept'`),
      reviews: await fixture.db.query(`SELECT * FROM reviews WHERE set_id = 's-kept'`),
      resolutions: await fixture.db.query(
        `SELECT * FROM comment_resolutions WHERE set_id = 's-kept'`,
      ),
      keys: await fixture.db.query(`SELECT * FROM idempotency_keys WHERE key = 'key-kept'`),
      consent: await fixture.db.query('SELECT * FROM consent_records WHERE clip_ref = $1', [
        CLIP_KEPT,
      ]),
      events: await fixture.db.query(
        `SELECT * FROM events WHERE payload ->> 'clipRef' = $1 ORDER BY id`,
        [CLIP_KEPT],
      ),
    });
    const before = await kept();
    expect(before.reviews).toHaveLength(1);
    expect(await allRowsAsText(fixture.db)).toContain('gone comment');

    expect(await fixture.migrateTo(5)).toEqual([5]);
    expect(await fixture.version()).toBe(5);
    expect(await kept()).toEqual(before);

    const text = await allRowsAsText(fixture.db);
    for (const planted of ['gone comment', 'gone reason', 'gone-labels']) {
      expect(text).not.toContain(planted);
    }
    for (const table of ['assignments', 'double_annotation', 'consent_records']) {
      expect(
        await fixture.db.query(`SELECT 1 FROM ${table} WHERE clip_ref = $1`, [CLIP_WITHDRAWN]),
      ).toEqual([]);
    }
    for (const table of ['set_versions', 'reviews', 'comment_resolutions']) {
      expect(await fixture.db.query(`SELECT 1 FROM ${table} WHERE set_id = 's-gone'`)).toEqual([]);
    }
    expect(await fixture.db.query(`SELECT 1 FROM annotation_sets WHERE id = 's-gone'`)).toEqual([]);
    // Review events (their comments) go; notices of ids stay, the withdrawal still to deliver.
    // A retried write is still answered, without the labels it quoted.
    expect(
      await fixture.db.query<{ kind: string }>(
        `SELECT kind FROM events WHERE payload ->> 'clipRef' = $1 ORDER BY id`,
        [CLIP_WITHDRAWN],
      ),
    ).toEqual([{ kind: 'assigned' }, { kind: 'consent_withdrawn' }]);
    expect(
      await fixture.db.query(
        `SELECT status_code, response FROM idempotency_keys WHERE key = 'key-gone'`,
      ),
    ).toEqual([{ status_code: 409, response: { error: { code: 'STALE_REVISION' } } }]);
    expect(await fixture.db.query('SELECT * FROM withdrawn_sets')).toEqual([
      {
        set_id: 's-gone',
        clip_ref: CLIP_WITHDRAWN,
        project_id: 'p-1',
        assignment_id: 'as-gone',
        annotator_id: 'u-ann',
        reviewer_id: 'u-rev',
      },
    ]);

    // The new schema at work: the tombstone refuses late writes; the kept clip takes a push.
    // Today's code runs on today's schema: the later migrations first.
    await fixture.migrateTo(serverMigrations.length);
    const refused = { code: 'CONSENT_WITHDRAWN', status: 410 };
    await expect(
      fixture.db.transaction((tx) =>
        reviewSet(tx, rev, 's-gone', { verdict: 'accept', baseRevision: 2, comments: [] }),
      ),
    ).rejects.toMatchObject(refused);
    await expect(
      fixture.db.transaction((tx) => resolveComment(tx, ann, 's-gone', 'c-9')),
    ).rejects.toMatchObject(refused);
    const push = { baseRevision: 2, labels: EMPTY, localSetId: 'l-1', localRevision: 3 };
    await expect(
      fixture.db.transaction((tx) => pushSet(tx, ann, CLIP_WITHDRAWN, push)),
    ).rejects.toMatchObject(refused);
    const pushed = await fixture.db.transaction((tx) => pushSet(tx, ann, CLIP_KEPT, push));
    expect(pushed.body).toMatchObject({ setId: 's-kept', revision: 3, status: 'submitted' });
  });
});

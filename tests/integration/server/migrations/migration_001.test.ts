import { describe, expect, it } from 'vitest';
import { backends } from '../serverHarness';
import { databaseAt, seedV1, sha } from './migrationHarness';

describe.each(backends)('server migration 001 (initial) on %s', (backend) => {
  it('creates a schema that takes a team, its sets and reviews, and refuses malformed rows', async () => {
    const fixture = await databaseAt(backend, 0);
    expect(await fixture.migrateTo(1)).toEqual([1]);
    expect(await fixture.version()).toBe(1);
    await seedV1(fixture.db);
    expect(
      await fixture.db.query('SELECT id, status, revision FROM annotation_sets ORDER BY id'),
    ).toEqual([
      { id: 's-gone', status: 'changes_requested', revision: 2 },
      { id: 's-kept', status: 'changes_requested', revision: 2 },
    ]);
    // A clip is named by its sha256, a set has one assignment, a status is one of five.
    await expect(
      fixture.db.query(
        `INSERT INTO assignments (id, project_id, clip_ref, annotator_id)
         VALUES ('as-x', 'p-1', 'clip.mp4', 'u-ann')`,
      ),
    ).rejects.toThrow(/check/i);
    await expect(
      fixture.db.query(`INSERT INTO annotation_sets (id, assignment_id) VALUES ('s-2', 'as-kept')`),
    ).rejects.toThrow(/unique|duplicate/i);
    await expect(
      fixture.db.query(`UPDATE annotation_sets SET status = 'done' WHERE id = 's-kept'`),
    ).rejects.toThrow(/check/i);
    await expect(
      fixture.db.query(
        `INSERT INTO api_tokens (id, user_id, token_sha256) VALUES ('t-2', 'u-rev', $1)`,
        [sha('c')],
      ),
    ).rejects.toThrow(/unique|duplicate/i);
    // Event ids are the feed's cursor: given by the database, in insert order.
    const ids = await fixture.db.query<{ id: number }>('SELECT id FROM events ORDER BY id');
    expect(ids.map((row) => row.id)).toEqual([1, 2, 3, 4]);
  });
});

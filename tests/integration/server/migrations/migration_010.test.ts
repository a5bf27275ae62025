import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../../../../src/server/auth';
import { pushSet } from '../../../../src/server/sets';
import { backends } from '../serverHarness';
import { CLIP_KEPT, databaseAt, rowCounts, seedV1, seedV2 } from './migrationHarness';

const ann: AuthUser = { id: 'u-ann', name: 'ann', role: 'annotator' };

const SIZES = /* sql */ `
  SELECT id, labels_bytes, project_schema_bytes, octet_length(labels::text) AS labels_text_bytes
  FROM annotation_sets ORDER BY id`;

describe.each(backends)('server migration 010 (team set sizes) on %s', (backend) => {
  it("measures every stored set's labels, and keeps measuring what is pushed later", async () => {
    const fixture = await databaseAt(backend, 9);
    const { db } = fixture;
    await seedV1(db);
    await seedV2(db);
    const sets = 'SELECT id, status, revision, labels FROM annotation_sets ORDER BY id';
    const before = { rows: await db.query(sets), counts: await rowCounts(db) };

    expect(await fixture.migrateTo(10)).toEqual([10]);
    expect({ rows: await db.query(sets), counts: await rowCounts(db) }).toEqual(before);
    const kept = '{"tracks":[],"segments":[],"contacts":[],"v":"kept-labels"}';
    expect(await db.query(SIZES)).toEqual([
      { id: 's-gone', labels_bytes: null, project_schema_bytes: null, labels_text_bytes: null },
      {
        id: 's-kept',
        labels_bytes: kept.length,
        project_schema_bytes: null,
        labels_text_bytes: kept.length,
      },
    ]);

    // A push measures its labels in UTF-8 bytes (the pull's pages are cut by them).
    const labels = {
      tracks: [],
      segments: [
        { id: 's', startFrame: 0, endFrame: 3, verbId: 1, nounId: 2, actor: 'p', note: 'äöü' },
      ],
      contacts: [],
    };
    await db.transaction((tx) =>
      pushSet(tx, ann, CLIP_KEPT, { baseRevision: 2, labels, localSetId: 'l', localRevision: 3 }),
    );
    const after = await db.query<{ id: string; labels_bytes: number }>(SIZES);
    expect(after.find((row) => row.id === 's-kept')?.labels_bytes).toBe(
      Buffer.byteLength(JSON.stringify(labels)),
    );
    // Written only by the database: a writer cannot set a wrong size.
    await expect(db.query(`UPDATE annotation_sets SET labels_bytes = 1`)).rejects.toThrow(
      /labels_bytes/,
    );
  });
});

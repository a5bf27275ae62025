import { describe, expect, it } from 'vitest';
import type { AuthUser } from '../../../../src/server/auth';
import { pushSet, teamSetsJson } from '../../../../src/server/sets';
import { LATEST_SERVER_SCHEMA } from '../../../../src/server/db/migrations';
import { backends } from '../serverHarness';
import { CLIP_KEPT, databaseAt, seedV1, seedV2, seedV4 } from './migrationHarness';

const ann: AuthUser = { id: 'u-ann', name: 'ann', role: 'annotator' };
const lead: AuthUser = { id: 'u-lead', name: 'lead', role: 'lead' };

describe.each(backends)('server migration 008 (labels as json) on %s', (backend) => {
  it('keeps every stored document and version, and hands pushed labels out as pushed', async () => {
    const fixture = await databaseAt(backend, 7);
    await seedV1(fixture.db);
    await seedV2(fixture.db);
    await seedV4(fixture.db);
    await fixture.migrateTo(7);
    const sets = 'SELECT id, revision, labels FROM annotation_sets ORDER BY id';
    const versions = 'SELECT set_id, revision, labels FROM set_versions ORDER BY set_id, revision';
    const before = [await fixture.db.query(sets), await fixture.db.query(versions)];

    expect(await fixture.migrateTo(8)).toEqual([8]);
    expect([await fixture.db.query(sets), await fixture.db.query(versions)]).toEqual(before);
    const types = await fixture.db.query<{ table_name: string; data_type: string }>(
      `SELECT table_name, data_type FROM information_schema.columns
       WHERE column_name = 'labels' AND table_name IN ('annotation_sets', 'set_versions')
       ORDER BY table_name`,
    );
    expect(types).toEqual([
      { table_name: 'annotation_sets', data_type: 'json' },
      { table_name: 'set_versions', data_type: 'json' },
    ]);

    const labels = {
      tracks: [],
      segments: [
        { id: 's', startFrame: 0, endFrame: 3, verbId: 1, nounId: 2, actor: 'p', note: 'ä"\\' },
      ],
      contacts: [],
    };
    await fixture.db.transaction((tx) =>
      pushSet(tx, ann, CLIP_KEPT, { baseRevision: 2, labels, localSetId: 'l', localRevision: 3 }),
    );
    const stored = await fixture.db.query<{ labels: unknown }>(
      `SELECT labels FROM set_versions WHERE set_id = 's-kept' AND revision = 3`,
    );
    expect(stored[0]?.labels).toEqual(labels);
    // Today's pull reads columns later migrations add (010: the sets' sizes).
    await fixture.migrateTo(LATEST_SERVER_SCHEMA);
    // The lead's pull sends the stored text itself: the pushed document, byte for byte.
    const page = await teamSetsJson(fixture.db, lead, {
      status: 'submitted',
      cursor: 0,
      limit: 50,
    });
    expect(page).toContain(`"labels":${JSON.stringify(labels)},`);
  });
});

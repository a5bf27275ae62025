import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck } from './migrationHarness';

const REF = 'a'.repeat(64);
const LABELS = JSON.stringify({ tracks: [], segments: [], contacts: [] });
const insert = (id: string, revision: number, status = 'submitted') =>
  `INSERT INTO double_annotation_sets (server_set_id, server, clip_ref, project_id, annotator,
     status, revision, labels_json, updated_at, pulled_at)
   VALUES ('${id}', 'http://s', '${REF}', 'p', 'ann1', '${status}', ${revision}, '${LABELS}', 'x', 'x')`;

describe('migration 009 (double-annotated sets pulled from the server)', () => {
  it('adds the table to a populated version 8 database without touching its sets', () => {
    const fixture = databaseAt(8, seedV3());
    const setsBefore = fixture.db.prepare('SELECT id, status, revision FROM annotation_sets').all();
    fixture.migrateTo(9);
    expect(fixture.userVersion()).toBe(9);
    expect(fixture.db.prepare('SELECT id, status, revision FROM annotation_sets').all()).toEqual(
      setsBefore,
    );
    expect(columnNames(fixture.db, 'double_annotation_sets')).toEqual(
      expect.arrayContaining(['server_set_id', 'clip_ref', 'annotator', 'revision', 'labels_json']),
    );
    fixture.db.exec(insert('s1', 1));
    // Keyed by the server's set id; work in progress and revision 0 never arrive.
    expect(() => fixture.db.exec(insert('s1', 2))).toThrow(/UNIQUE/);
    expect(() => fixture.db.exec(insert('s2', 1, 'in_progress'))).toThrow(/CHECK/);
    expect(() => fixture.db.exec(insert('s3', 0))).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      expect(store.doubleSets.list()).toEqual([
        expect.objectContaining({ serverSetId: 's1', clipRef: REF, annotator: 'ann1' }),
      ]);
    } finally {
      store.close();
    }
  });
});

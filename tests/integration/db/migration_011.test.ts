import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { databaseAt, integrityCheck } from './migrationHarness';

const clipRef = 'ab'.repeat(32);
const otherRef = 'cd'.repeat(32);

function queued(serverSetId: string, ref: string): string {
  return `INSERT INTO review_queue (server_set_id, clip_ref, project_id, annotator, revision, status,
      labels_json, submitted_at, model_share, pulled_at)
    VALUES ('${serverSetId}', '${ref}', 'p1', 'ann', 1, 'submitted',
      '{"tracks":[],"segments":[],"contacts":[]}', 'x', 0, 'x');`;
}

describe('migration 011 (review sets by clip)', () => {
  it('maps the cached queue of a populated version 10 database to its clips', () => {
    const fixture = databaseAt(
      10,
      seedV3() +
        queued('srv-1', clipRef) +
        queued('srv-2', otherRef.toUpperCase()) +
        `INSERT INTO reviewed_revisions (server_set_id, reviewer, revision, verdict, labels_json,
           reviewed_at) VALUES ('srv-1', 'rev', 1, 'accept', '{}', 'x');`,
    );
    fixture.migrateTo(11);
    expect(fixture.userVersion()).toBe(11);
    expect(
      fixture.db.prepare('SELECT server_set_id, clip_ref FROM review_sets ORDER BY 1').all(),
    ).toEqual([
      { server_set_id: 'srv-1', clip_ref: clipRef },
      { server_set_id: 'srv-2', clip_ref: otherRef },
    ]);
    expect(() =>
      fixture.db.exec("INSERT INTO review_sets (server_set_id, clip_ref) VALUES ('s', 'short')"),
    ).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    // A withdrawal of the clip now reaches the reviewed revision, though the queue row that named
    // the clip may be gone by then.
    const store = openStore(fixture.file);
    try {
      store.db.write((tx) => {
        store.reviews.purgeClip(tx, {
          clipId: null,
          sha256: clipRef,
          setIds: [],
          serverSetIds: [],
          at: 'x',
        });
      });
      const left = store.db.connection
        .prepare("SELECT count(*) AS n FROM reviewed_revisions WHERE server_set_id = 'srv-1'")
        .get();
      expect(left).toEqual({ n: 0 });
      expect(store.reviews.listQueue('rev').map((item) => item.setId)).toEqual(['srv-2']);
    } finally {
      store.close();
    }
  });
});

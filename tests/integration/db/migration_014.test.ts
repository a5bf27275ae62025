import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { databaseAt, integrityCheck } from './migrationHarness';

const REF = 'a'.repeat(64);
const LABELS = JSON.stringify({ tracks: [], segments: [], contacts: [] });

describe("migration 014 (the lead's pulled labels, checked where they enter)", () => {
  it('keeps every pulled set and its checks but the JSON ones the pull already made', () => {
    const fixture = databaseAt(13, seedV3());
    const insert = (id: string, status: string, labels: string) =>
      fixture.db.exec(`INSERT INTO sync_team_sets (server_set_id, server, clip_ref, project_id,
        annotator, reviewers_json, status, revision, labels_json, project_json, change_seq,
        updated_at, pulled_at) VALUES ('${id}', 'http://s', '${REF}', 'p', 'ann1', '["rev1"]',
        '${status}', 2, '${labels}', NULL, 7, 'u', 'p')`);
    insert('s1', 'accepted', LABELS);
    const before = fixture.db.prepare('SELECT * FROM sync_team_sets').all();
    fixture.migrateTo(14);
    expect(fixture.userVersion()).toBe(14);
    expect(fixture.db.prepare('SELECT * FROM sync_team_sets').all()).toEqual(before);
    expect(
      fixture.db
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name = 'sync_team_sets' ORDER BY name")
        .pluck()
        .all(),
    ).toEqual(['sqlite_autoindex_sync_team_sets_1', 'sync_team_sets', 'sync_team_sets_clip']);
    // The table's other rules hold: work in progress never arrives.
    expect(() => insert('s2', 'in_progress', LABELS)).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    // The sync module still purges the rows of a withdrawn clip.
    const store = openStore(fixture.file);
    try {
      expect(store.sync.teamSetCount()).toBe(1);
      store.db.write((tx) =>
        store.sync.purgeClip(tx, {
          clipId: null,
          sha256: REF,
          setIds: [],
          serverSetIds: [],
          at: 'x',
        }),
      );
      expect(store.sync.teamSetCount()).toBe(0);
    } finally {
      store.close();
    }
  });
});

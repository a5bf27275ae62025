import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck } from './migrationHarness';

const REF = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const LABELS = JSON.stringify({ tracks: [], segments: [], contacts: [] });

describe("migration 012 (the lead's team sets pulled from the server)", () => {
  it('adds the table to a populated version 11 database, and sync stores and purges its rows', () => {
    const fixture = databaseAt(11, seedV3());
    const setsBefore = fixture.db.prepare('SELECT id, status, revision FROM annotation_sets').all();
    fixture.migrateTo(12);
    expect(fixture.userVersion()).toBe(12);
    expect(fixture.db.prepare('SELECT id, status, revision FROM annotation_sets').all()).toEqual(
      setsBefore,
    );
    expect(columnNames(fixture.db, 'sync_team_sets')).toEqual(
      expect.arrayContaining(['server_set_id', 'clip_ref', 'labels_json', 'change_seq']),
    );
    // Work in progress never arrives: only handed-in sets are exported.
    expect(() =>
      fixture.db.exec(`INSERT INTO sync_team_sets (server_set_id, server, clip_ref, project_id,
        annotator, reviewers_json, status, revision, labels_json, project_json, change_seq,
        updated_at, pulled_at) VALUES ('s0', 'http://s', '${REF}', 'p', 'ann1', '[]',
        'in_progress', 1, '${LABELS}', NULL, 1, 'x', 'x')`),
    ).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      const set = (id: string, clipRef: string, changeSeq: number, status = 'accepted') => ({
        setId: id,
        clipRef,
        projectId: 'p',
        annotator: 'ann1',
        reviewer: 'rev1',
        status: status as 'accepted',
        revision: 2,
        changeSeq,
        updatedAt: '2026-01-01T00:00:00.000Z',
        reviewers: ['rev1'],
        labelsJson: LABELS,
        projectJson: null,
      });
      const page = { sets: [set('s1', REF, 3), set('s2', OTHER, 4)], cursor: 4, more: false };
      expect(store.sync.saveTeamSets('http://s', page, 'cursor')).toEqual({
        stored: 2,
        removed: 0,
      });
      // The same page again changes nothing; the cursor moved with it.
      expect(store.sync.saveTeamSets('http://s', page, 'cursor')).toEqual({
        stored: 0,
        removed: 0,
      });
      expect(store.sync.getState('cursor')).toBe('4');
      // A set sent back for changes comes without labels: the copy goes.
      const back = { ...set('s2', OTHER, 5, 'changes_requested'), labelsJson: null };
      expect(
        store.sync.saveTeamSets('http://s', { sets: [back], cursor: 5, more: false }, 'cursor'),
      ).toEqual({ stored: 0, removed: 1 });
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

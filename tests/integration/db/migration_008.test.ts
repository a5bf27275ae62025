import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck } from './migrationHarness';

describe('migration 008 (review)', () => {
  it('adds the review tables to a populated version 7 database without touching its sets', () => {
    const fixture = databaseAt(7, seedV3());
    const setsBefore = fixture.db.prepare('SELECT id, status FROM annotation_sets').all();
    fixture.migrateTo(8);
    expect(fixture.userVersion()).toBe(8);
    expect(fixture.db.prepare('SELECT id, status FROM annotation_sets').all()).toEqual(setsBefore);
    expect(columnNames(fixture.db, 'review_queue')).toEqual(
      expect.arrayContaining(['labels_json', 'model_share', 'submitted_at', 'annotator']),
    );
    expect(columnNames(fixture.db, 'review_comments')).toEqual(
      expect.arrayContaining(['pin_json', 'suggestion_json', 'sent_at', 'resolved_at']),
    );
    // A resolution names both who and when, or neither.
    expect(() =>
      fixture.db.exec(
        `INSERT INTO review_comments (id, server_set_id, revision, author, at, pin_json, text,
           resolved_by) VALUES ('c', 's', 1, 'rev', 'x', '{}', 'fix it', 'ann')`,
      ),
    ).toThrow(/CHECK/);
    expect(() =>
      fixture.db.exec(
        `INSERT INTO review_outbox (id, kind, server_set_id, payload_json, created_at)
         VALUES ('k', 'delete_everything', 's', '{}', 'x')`,
      ),
    ).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      expect(store.media.listBatches().length).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});

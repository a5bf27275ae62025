import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../../src/main/services/audit/verifyAuditChain';
import { openDatabase } from '../../../src/main/services/db/openDatabase';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck, tableNames } from './migrationHarness';

const audit = /* sql */ `
INSERT INTO audit_log (at, actor, action, entity_type, entity_id, details) VALUES
  ('2026-01-01T00:00:00.000Z', 'importer', 'batch.created', 'batch', 'b1', '{"folder":"/data/batch-1"}'),
  ('2026-01-01T00:00:01.000Z', 'importer', 'clip.imported', 'clip', 'c1', '{"batchId":"b1"}'),
  ('2026-01-01T00:00:02.000Z', 'annotator-1', 'labels.set_created', 'annotation_set', 's1', '{"clipId":"c1"}');`;

describe('migration 006 (governance)', () => {
  it('chains the audit entries of a version 5 database in id order, and the store continues the chain', () => {
    const fixture = databaseAt(5, seedV3() + audit);
    fixture.migrateTo(6);
    expect(fixture.userVersion()).toBe(6);
    expect(columnNames(fixture.db, 'audit_log')).toEqual(
      expect.arrayContaining(['prev_hash', 'hash']),
    );
    expect(tableNames(fixture.db)).toEqual(
      expect.arrayContaining(['consent_withdrawals', 'purge_in_progress']),
    );
    expect(integrityCheck(fixture.db)).toBe('ok');
    expect(verifyAuditChain(fixture.db)).toEqual({
      ok: true,
      entries: 3,
      lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    // The append-only triggers are back after the backfill.
    expect(() => fixture.db.exec("UPDATE audit_log SET actor = 'x' WHERE id = 1")).toThrow(
      /append-only/,
    );
    fixture.close();

    const store = openStore(fixture.file);
    try {
      store.audit.record({
        actor: 'lead',
        action: 'test.after_migration',
        entityType: 'batch',
        entityId: 'b1',
        details: {},
      });
      // Old rows still read back; the clip now carries its consent state.
      expect(store.audit.list({ entityId: 'b1' })).toHaveLength(2);
      expect(store.media.getClip('c1')?.consent.state).toBe('missing');
    } finally {
      store.close();
    }
    const db = openDatabase(fixture.file, { readonly: true });
    try {
      expect(verifyAuditChain(db)).toMatchObject({ ok: true, entries: 4 });
    } finally {
      db.close();
    }
  });

  it('keeps the label log append-only except for the clip a purge names', () => {
    const fixture = databaseAt(5, seedV3());
    fixture.migrateTo(6);
    const { db } = fixture;
    expect(() => db.exec("DELETE FROM label_commands WHERE set_id = 's1'")).toThrow(/append-only/);
    expect(() => db.exec("UPDATE label_commands SET actor = 'x'")).toThrow(/append-only/);
    // Another clip under purge does not unlock this one's log.
    db.exec("INSERT INTO purge_in_progress (clip_id, started_at) VALUES ('other', 'x')");
    expect(() => db.exec("DELETE FROM label_commands WHERE set_id = 's1'")).toThrow(/append-only/);
    db.exec("INSERT INTO purge_in_progress (clip_id, started_at) VALUES ('c1', 'x')");
    db.exec("DELETE FROM label_commands WHERE set_id = 's1'");
    expect(db.prepare('SELECT count(*) FROM label_commands').pluck().get()).toBe(0);
    fixture.close();
  });

  it('refuses a withdrawal that names neither a consent nor a clip', () => {
    const fixture = databaseAt(6);
    expect(() =>
      fixture.db.exec(/* sql */ `
        INSERT INTO consent_withdrawals (consent_id, clip_id, withdrawn_at, recorded_at, actor, source)
        VALUES (NULL, NULL, 'x', 'x', 'lead', 'local')`),
    ).toThrow(/CHECK/);
    fixture.close();
  });
});

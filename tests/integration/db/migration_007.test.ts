import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { columnNames, databaseAt, integrityCheck } from './migrationHarness';

const sha = 'ab'.repeat(32);

describe('migration 007 (withdrawal by checksum)', () => {
  it('keeps the withdrawals of a version 6 database and lets a withdrawal name a checksum only', () => {
    const fixture = databaseAt(
      6,
      seedV3() +
        /* sql */ `
        UPDATE clips SET sha256 = '${sha}', checksum_state = 'done' WHERE id = 'c1';
        INSERT INTO consent_withdrawals (consent_id, clip_id, withdrawn_at, recorded_at, actor, source)
        VALUES ('consent-1', NULL, '2026-01-01T00:00:00.000Z', 'x', 'lead', 'local');`,
    );
    fixture.migrateTo(7);
    expect(fixture.userVersion()).toBe(7);
    expect(columnNames(fixture.db, 'consent_withdrawals')).toEqual(
      expect.arrayContaining(['clip_sha256', 'reason']),
    );
    expect(fixture.db.prepare('SELECT consent_id, actor FROM consent_withdrawals').all()).toEqual([
      { consent_id: 'consent-1', actor: 'lead' },
    ]);
    fixture.db
      .prepare(
        `INSERT INTO consent_withdrawals (clip_sha256, withdrawn_at, recorded_at, actor, source, reason)
         VALUES (?, 'x', 'x', 'server', 'server', 'asked by phone')`,
      )
      .run(sha);
    expect(() =>
      fixture.db.exec(
        `INSERT INTO consent_withdrawals (clip_sha256, withdrawn_at, recorded_at, actor, source)
         VALUES ('NOT-HEX', 'x', 'x', 'a', 'server')`,
      ),
    ).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    // The clip whose bytes hash to the withdrawn reference reads as withdrawn.
    const store = openStore(fixture.file);
    try {
      expect(store.media.getClip('c1')?.consent.state).toBe('withdrawn');
    } finally {
      store.close();
    }
  });
});

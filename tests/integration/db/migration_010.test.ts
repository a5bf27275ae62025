import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { seedV3 } from '../store/labelsSeed';
import { databaseAt, integrityCheck } from './migrationHarness';

const sha = 'cd'.repeat(32);

describe('migration 010 (consent records from the server)', () => {
  it('adds server consents to a version 9 database; a record for the clip replaces the missing one', () => {
    const fixture = databaseAt(
      9,
      seedV3() + `UPDATE clips SET sha256 = '${sha}', checksum_state = 'done' WHERE id = 'c1';`,
    );
    fixture.migrateTo(10);
    expect(fixture.userVersion()).toBe(10);
    expect(() =>
      fixture.db.exec(
        `INSERT INTO server_consents (clip_sha256, consent_json, recorded_at, recorded_by, received_at)
         VALUES ('NOT-HEX', '{}', 'x', 'lead', 'x')`,
      ),
    ).toThrow(/CHECK/);
    expect(integrityCheck(fixture.db)).toBe('ok');
    fixture.close();

    const store = openStore(fixture.file);
    try {
      expect(store.media.getClip('c1')?.consent.state).toBe('missing');
      const changed = store.serverConsents.record(
        {
          clipRef: sha.toUpperCase(),
          consent: {
            id: 'srv-1',
            scope: ['training'],
            grantedAt: '2026-01-01',
            expiresAt: null,
            withdrawn: false,
          },
          recordedAt: '2026-02-01T00:00:00.000Z',
          recordedBy: 'lead1',
        },
        'lead1@server',
        '2026-02-01T00:00:01.000Z',
      );
      expect(changed).toBe(true);
      expect(store.media.getClip('c1')?.consent).toMatchObject({
        state: 'valid',
        consentId: 'srv-1',
      });
    } finally {
      store.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { backends } from '../serverHarness';
import { verifyAudit } from '../../../../src/server/audit';
import { recordConsent } from '../../../../src/server/consentRecords';
import {
  CLIP_KEPT,
  CLIP_WITHDRAWN,
  databaseAt,
  rowCounts,
  seedV1,
  seedV2,
} from './migrationHarness';

const CONSENT = { id: 'consent-1', scope: ['training'], grantedAt: '2026-01-01' };

describe.each(backends)('server migration 004 (consent records) on %s', (backend) => {
  it('lets the lead record consent for the clips of a populated version 3 database', async () => {
    const fixture = await databaseAt(backend, 3);
    await seedV1(fixture.db);
    await seedV2(fixture.db);
    const before = await rowCounts(fixture.db);
    expect(await fixture.migrateTo(4)).toEqual([4]);
    expect(await fixture.version()).toBe(4);
    expect(await rowCounts(fixture.db)).toEqual({ ...before, consent_records: 0 });

    // The clip's annotator, reviewer and lead hear of it: three events, one audit entry.
    const recorded = await recordConsent(fixture.db, CLIP_KEPT, CONSENT, 'lead');
    expect(recorded).toMatchObject({ clipRef: CLIP_KEPT, notified: 3 });
    expect(await rowCounts(fixture.db)).toMatchObject({
      consent_records: 1,
      events: (before.events ?? 0) + 3,
      audit_log: 1,
    });
    // The clip withdrawn before this version still refuses a record.
    await expect(recordConsent(fixture.db, CLIP_WITHDRAWN, CONSENT, 'lead')).rejects.toMatchObject({
      code: 'CONSENT_WITHDRAWN',
    });
    expect(await verifyAudit(fixture.db)).toMatchObject({ ok: true });
  });
});

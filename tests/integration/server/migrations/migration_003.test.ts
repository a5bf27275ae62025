import { describe, expect, it } from 'vitest';
import { backends } from '../serverHarness';
import { appendAudit, auditHead, verifyAudit } from '../../../../src/server/audit';
import { GENESIS_HASH } from '../../../../src/shared/domain/auditChain';
import { CLIP_KEPT, databaseAt, rowCounts, seedV1, seedV2 } from './migrationHarness';

describe.each(backends)('server migration 003 (audit log) on %s', (backend) => {
  it('starts an empty, append-only chain beside a populated version 2 database', async () => {
    const fixture = await databaseAt(backend, 2);
    await seedV1(fixture.db);
    await seedV2(fixture.db);
    const before = await rowCounts(fixture.db);
    expect(await fixture.migrateTo(3)).toEqual([3]);
    expect(await fixture.version()).toBe(3);
    const after = await rowCounts(fixture.db);
    expect(after).toEqual({ ...before, audit_log: 0, audit_head: 1 });
    expect(await auditHead(fixture.db)).toEqual({ seq: 0, hash: GENESIS_HASH });

    await fixture.db.transaction((tx) =>
      appendAudit(tx, [
        {
          actor: 'u-ann',
          action: 'set.push',
          projectId: 'p-1',
          clipRef: CLIP_KEPT,
          setId: 's-kept',
        },
        { actor: 'u-rev', action: 'set.review', projectId: 'p-1', setId: 's-kept', revision: 2 },
      ]),
    );
    expect(await verifyAudit(fixture.db)).toMatchObject({ ok: true });
    expect((await auditHead(fixture.db)).seq).toBe(2);
    await expect(fixture.db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(fixture.db.query(`UPDATE audit_log SET actor = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(fixture.db.query('UPDATE audit_head SET seq = 0')).rejects.toThrow(
      /only moves forward/,
    );
  });
});

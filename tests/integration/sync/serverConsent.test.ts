import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { auditTrail } from '../../../src/server/audit';
import { recordConsent } from '../../../src/server/consentRecords';
import type { Db } from '../../../src/server/db/Db';
import { assignClip, withdrawConsent } from '../../../src/server/team';
import { clipRefOf, startTeamServer, type Team, type TeamServer } from '../server/serverHarness';
import { clipIdOf, seedWorkstation } from './workstationSeed';

const GRANTED = { id: 'consent-srv-1', scope: ['training'], grantedAt: '2026-01-01' };

/**
 * Consent that reaches a workstation from the server rather than the batch manifest: the lead
 * records it there (the batch shipped without one, or a renewal), and sync brings it to everyone
 * assigned the clip, where the clip list, the edit lock and export all read it.
 */
describe('consent recorded on the server reaches the workstation by sync (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-server-consent-'));
  const missing = clipRefOf('consent-missing-in-manifest');
  const renewed = clipRefOf('consent-renewed');
  const later = clipRefOf('consent-before-assignment');
  const withdrawn = clipRefOf('consent-withdrawn-first');
  const pulledTogether = [clipRefOf('withdrawn-together-1'), clipRefOf('withdrawn-together-2')];
  let serverDb: Db;
  let team: Team;
  let server: TeamServer;
  let services: Services;

  beforeAll(async () => {
    server = await startTeamServer([missing, renewed, withdrawn, ...pulledTogether]);
    serverDb = server.db;
    team = server.team;
    const file = join(dir, 'annotator.sqlite');
    // The workstation's batch has no manifest, so no consent record: every clip reads `missing`.
    seedWorkstation(file, [missing, renewed, later, withdrawn, ...pulledTogether], 'annotator-1', {
      submit: false,
    });
    services = createServices({ databasePath: file, actor: 'annotator-1' });
    services.sync.signIn(server.url, team.tokens.ann1);
  });

  afterAll(async () => {
    services.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stateOf = (clipRef: string) => services.store.media.getClip(clipIdOf(clipRef))?.consent;

  it('makes a clip without a manifest record valid, audited on both sides', async () => {
    expect(stateOf(missing)?.state).toBe('missing');
    const recorded = await recordConsent(serverDb, missing, GRANTED, 'lead1');
    expect(recorded).toMatchObject({ clipRef: missing, notified: 3 });
    await services.sync.syncNow(10_000);
    expect(stateOf(missing)).toMatchObject({ state: 'valid', consentId: 'consent-srv-1' });

    const serverTrail = await auditTrail(serverDb, {
      projectId: team.projectId,
      clipRef: missing,
    });
    expect(serverTrail.map((e) => e.action)).toContain('consent.record');
    const local = services.store.audit
      .list({ entityId: missing })
      .filter((e) => e.action === 'consent.recorded_on_server');
    expect(local).toHaveLength(1);
    expect(local[0]).toMatchObject({ actor: 'lead1@server' });
    expect(services.governance.verifyAudit()).toMatchObject({ ok: true });
    // Pulled again, nothing changes and nothing is audited twice.
    await services.sync.syncNow(10_000);
    expect(
      services.store.audit
        .list({ entityId: missing })
        .filter((e) => e.action === 'consent.recorded_on_server'),
    ).toHaveLength(1);
  });

  it('keeps the latest record: an expired one is replaced by its renewal, never the reverse', async () => {
    await recordConsent(
      serverDb,
      renewed,
      { ...GRANTED, id: 'consent-old', grantedAt: '2020-01-01', expiresAt: '2021-01-01' },
      'lead1',
    );
    await services.sync.syncNow(10_000);
    expect(stateOf(renewed)).toMatchObject({ state: 'expired', consentId: 'consent-old' });

    const renewal = await recordConsent(
      serverDb,
      renewed,
      { ...GRANTED, id: 'consent-renewed', expiresAt: '2099-12-31' },
      'lead1',
    );
    await services.sync.syncNow(10_000);
    expect(stateOf(renewed)).toMatchObject({ state: 'valid', consentId: 'consent-renewed' });

    // An older record delivered late (a restored server, a replayed feed) does not win.
    const stale = services.store.serverConsents.record(
      {
        clipRef: renewed,
        consent: {
          ...GRANTED,
          id: 'consent-old',
          grantedAt: '2020-01-01',
          expiresAt: '2021-01-01',
          withdrawn: false,
          scope: ['training'],
        },
        recordedAt: new Date(Date.parse(renewal.recordedAt) - 60_000).toISOString(),
        recordedBy: 'lead1',
      },
      'test',
      new Date().toISOString(),
    );
    expect(stale).toBe(false);
    expect(stateOf(renewed)?.consentId).toBe('consent-renewed');
  });

  it('reaches an annotator assigned after the consent was recorded', async () => {
    await recordConsent(serverDb, later, { ...GRANTED, id: 'consent-later' }, 'lead1');
    await services.sync.syncNow(10_000);
    expect(stateOf(later)?.state).toBe('missing');
    await assignClip(serverDb, { clipRef: later, projectId: team.projectId, annotator: 'ann1' });
    await services.sync.syncNow(10_000);
    expect(stateOf(later)).toMatchObject({ state: 'valid', consentId: 'consent-later' });
  });

  it('refuses a record for a withdrawn clip, and a withdrawal still wins over an earlier record', async () => {
    await recordConsent(serverDb, withdrawn, { ...GRANTED, id: 'consent-w' }, 'lead1');
    await withdrawConsent(serverDb, withdrawn, 'contributor asked');
    await expect(
      recordConsent(serverDb, withdrawn, { ...GRANTED, id: 'consent-again' }, 'lead1'),
    ).rejects.toMatchObject({ code: 'CONSENT_WITHDRAWN' });
    await services.sync.syncNow(10_000);
    expect(stateOf(withdrawn)?.state).toBe('withdrawn');
  });

  it('names the field of a bad record and stores nothing', async () => {
    const other = clipRefOf('consent-bad-input');
    await expect(
      recordConsent(serverDb, other, { ...GRANTED, scope: ['selling'] }, 'lead1'),
    ).rejects.toThrow(/scope/);
    await expect(
      recordConsent(serverDb, other, { ...GRANTED, expiresAt: '2025-01-01' }, 'lead1'),
    ).rejects.toThrow(/before it is granted/);
    await expect(recordConsent(serverDb, 'not-a-hash', GRANTED, 'lead1')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(
      await serverDb.query('SELECT 1 FROM consent_records WHERE clip_ref = $1', [other]),
    ).toEqual([]);
  });

  it('purges withdrawals pulled in one page in one run, telling the windows once', async () => {
    const pushed: unknown[] = [];
    const unsubscribe = services.events.subscribe((name, payload) => {
      if (name === 'consentWithdrawn') pushed.push(payload);
    });
    try {
      for (const clipRef of pulledTogether) {
        await withdrawConsent(serverDb, clipRef, 'contributor asked');
      }
      const report = await services.sync.syncNow(10_000);
      expect(report.consentWithdrawals).toEqual(pulledTogether);
      for (const clipRef of pulledTogether) expect(stateOf(clipRef)?.state).toBe('withdrawn');
      expect(pushed).toEqual([
        { clipIds: pulledTogether.map(clipIdOf), reason: 'contributor asked' },
      ]);
    } finally {
      unsubscribe();
    }
  });

  it("reaches the lead's desktop, where exports are made: the record, then the withdrawal", async () => {
    const leadClip = clipRefOf('consent-lead-desktop');
    await assignClip(serverDb, {
      clipRef: leadClip,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    const file = join(dir, 'lead.sqlite');
    seedWorkstation(file, [leadClip], 'lead-1', { submit: false });
    const lead = createServices({ databasePath: file, actor: 'lead-1' });
    try {
      lead.sync.signIn(server.url, team.tokens.lead1);
      const leadState = () => lead.store.media.getClip(clipIdOf(leadClip))?.consent.state;
      expect(leadState()).toBe('missing');
      await recordConsent(serverDb, leadClip, { ...GRANTED, id: 'consent-lead' }, 'lead1');
      await lead.sync.syncNow(10_000);
      expect(leadState()).toBe('valid');
      await withdrawConsent(serverDb, leadClip, 'contributor asked');
      const report = await lead.sync.syncNow(10_000);
      expect(report.consentWithdrawals).toEqual([leadClip]);
      expect(leadState()).toBe('withdrawn');
    } finally {
      lead.close();
    }
  });
});

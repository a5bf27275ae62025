import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { openStore } from '../../../src/main/services/store/openStore';
import { SyncService } from '../../../src/main/services/sync/syncService';
import type { Db } from '../../../src/server/db/Db';
import { withdrawConsent } from '../../../src/server/team';
import { COCO_BODY_KEYPOINTS } from '../../../src/shared/domain/labels';
import {
  call,
  clipRefOf,
  startTeamServer,
  type Team,
  type TeamServer,
} from '../server/serverHarness';
import { addTrack, placedPose } from '../store/labelsSeed';
import { clipIdOf, seedWorkstation } from './workstationSeed';

const CLI = resolve(import.meta.dirname, '../../../bin/framewise.mjs');
const FAST = { baseMs: 5, capMs: 100 };

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('sync flows against the real server (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-flows-'));
  const clip = clipRefOf('flow-clip');
  const cliClip = clipRefOf('cli-clip');
  const withdrawnClip = clipRefOf('withdrawn-clip');
  let serverDb: Db;
  let team: Team;
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([clip, cliClip, withdrawnClip]);
    serverDb = server.db;
    team = server.team;
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workstation = (name: string) => {
    const services = createServices({
      databasePath: join(dir, `${name}.sqlite`),
      actor: 'annotator-1',
    });
    const sync = new SyncService({ store: services.store, actor: 'annotator-1', backoff: FAST });
    sync.signIn(server.url, team.tokens.ann1);
    return { services, sync };
  };

  it('shows a 409 with both versions when another workstation pushed first, keeping local work', async () => {
    // The same annotator labelled the clip on a laptop and on a desktop, and submitted both.
    seedWorkstation(join(dir, 'laptop.sqlite'), [clip], 'annotator-1');
    const desktopSets = seedWorkstation(join(dir, 'desktop.sqlite'), [clip], 'annotator-1', {
      submit: false,
    });
    const desktopSet = desktopSets.get(clip) ?? '';
    const desktop = workstation('desktop');
    desktop.services.store.labels.applyLabelEdit(desktopSet, addTrack, 0, 'annotator-1');
    desktop.services.store.labels.applyLabelEdit(desktopSet, placedPose, 1, 'annotator-1');
    expect(
      desktop.services.store.labels.submitAnnotationSet(desktopSet, 'annotator-1').submitted,
    ).toBe(true);

    const laptop = workstation('laptop');
    try {
      expect((await laptop.sync.syncNow(10_000)).delivered).toHaveLength(1);
      const report = await desktop.sync.syncNow(10_000);
      expect(report.delivered).toEqual([]);
      expect(report.conflicts).toEqual([
        expect.objectContaining({ setId: desktopSet, code: 'STALE_REVISION', serverRevision: 1 }),
      ]);
      const [conflict] = desktop.sync.conflicts();
      expect(conflict?.local.labels.tracks).toHaveLength(1);
      expect(conflict?.server).toMatchObject({ revision: 1, labels: { tracks: [] } });
      expect(desktop.sync.status()).toMatchObject({ pending: 0, conflicts: 1, online: true });
      // The desktop's labels are untouched.
      expect(desktop.services.store.labels.loadLabels(desktopSet).doc.tracks).toHaveLength(1);
      expect(desktop.services.store.labels.getAnnotationSet(desktopSet)?.status).toBe('submitted');
      // Once dealt with, the user dismisses it: off the list, still on record.
      const dismissed = await desktop.services.handlers.dismissSyncConflict({
        conflictId: conflict?.id ?? 0,
      });
      expect(dismissed).toEqual({ dismissed: true });
      expect(desktop.sync.conflicts()).toEqual([]);
      expect(desktop.services.store.audit.list({ limit: 5 }).map((e) => e.action)).toContain(
        'sync.conflict_dismissed',
      );
    } finally {
      desktop.services.close();
      laptop.services.close();
    }
  });

  it('applies a review pulled from the events feed, once, and delivers the resubmission', async () => {
    const laptop = workstation('laptop');
    try {
      const queue = await call(server.url, 'GET', '/v1/review-queue', { token: team.tokens.rev1 });
      const setId = (queue.body as { sets: { setId: string; clipRef: string }[] }).sets.find(
        (s) => s.clipRef === clip,
      )?.setId;
      const verdict = await call(server.url, 'POST', `/v1/sets/${setId ?? ''}/review`, {
        token: team.tokens.rev1,
        key: 'flow-review-1',
        body: {
          verdict: 'request_changes',
          reason: 'the person is missing',
          baseRevision: 1,
          comments: [{ text: 'add the person', frame: 1 }],
        },
      });
      expect(verdict.status).toBe(200);

      const pulled = await laptop.sync.syncNow(10_000);
      // The set seeded under the OS user ('annotator-1') is ann1's since ann1 signed in first.
      const localSet = laptop.services.store.labels.openAnnotationSet(
        clipIdOf(clip),
        'ann1',
        'default',
      );
      expect(pulled.reviewsApplied).toEqual([
        { setId, clipRef: clip, status: 'changes_requested' },
      ]);
      expect(localSet.status).toBe('changes_requested');
      // Pulling again applies nothing twice.
      expect((await laptop.sync.syncNow(10_000)).reviewsApplied).toEqual([]);

      laptop.services.store.labels.applyLabelEdit(localSet.id, addTrack, 0, 'annotator-1');
      laptop.services.store.labels.applyLabelEdit(localSet.id, placedPose, 1, 'annotator-1');
      expect(
        laptop.services.store.labels.submitAnnotationSet(localSet.id, 'annotator-1').submitted,
      ).toBe(true);
      const resubmitted = await laptop.sync.syncNow(10_000);
      expect(resubmitted.delivered).toEqual([
        expect.objectContaining({ setId: localSet.id, revision: 3 }),
      ]);
      const onServer = await call(server.url, 'GET', `/v1/sets/${setId ?? ''}`, {
        token: team.tokens.rev1,
      });
      expect(onServer.body).toMatchObject({
        status: 'submitted',
        revision: 3,
        labels: { tracks: [{ id: 'p1' }] },
      });
    } finally {
      laptop.services.close();
    }
  });

  it('purges a clip here when the server says its contributor withdrew consent', async () => {
    const file = join(dir, 'consent.sqlite');
    const setId =
      seedWorkstation(file, [withdrawnClip], 'annotator-1', { submit: false }).get(withdrawnClip) ??
      '';
    // The app's own services: sync hands withdrawals to governance.
    const services = createServices({ databasePath: file, actor: 'annotator-1' });
    try {
      services.sync.signIn(server.url, team.tokens.ann1);
      expect(services.store.labels.getAnnotationSet(setId)).toBeDefined();
      await withdrawConsent(serverDb, withdrawnClip, 'contributor asked');
      const report = await services.sync.syncNow(10_000);
      expect(report.consentWithdrawals).toEqual([withdrawnClip]);
      // Governance purges the clip's labels (the clip row stays, stripped, as its tombstone).
      expect(services.store.labels.getAnnotationSet(setId)).toBeUndefined();
      // Pulled again from the same cursor, nothing more happens.
      expect((await services.sync.syncNow(10_000)).consentWithdrawals).toEqual([]);
    } finally {
      services.close();
    }
  });

  it('submits and syncs from the command line, as scripts do', async () => {
    const db = join(dir, 'cli.sqlite');
    // The CLI acts as the OS user, as the app does.
    const me = userInfo().username;
    const setId = seedWorkstation(db, [cliClip], me, { submit: false }).get(cliClip) ?? '';
    // A person with a keyframe whose points are all undecided: not complete yet.
    const store = openStore(db);
    try {
      store.labels.applyLabelEdit(setId, addTrack, 0, me);
      store.labels.applyLabelEdit(
        setId,
        {
          type: 'setKeyframe',
          trackId: 'p1',
          keyframe: { frame: 2, points: COCO_BODY_KEYPOINTS.map(() => null) },
        },
        1,
        me,
      );
    } finally {
      store.close();
    }
    const incomplete = await runCli(['submit', clipIdOf(cliClip), '--db', db]);
    expect(incomplete.code, incomplete.stderr).toBe(3);
    expect(JSON.parse(incomplete.stdout)).toMatchObject({
      submitted: false,
      problems: [expect.objectContaining({ kind: 'undecided_points', frames: [2] })],
      queued: 0,
    });
    const fix = openStore(db);
    try {
      fix.labels.applyLabelEdit(setId, placedPose, 2, me);
      fix.labels.applyLabelEdit(setId, { type: 'deleteKeyframe', trackId: 'p1', frame: 2 }, 3, me);
    } finally {
      fix.close();
    }
    const submitted = await runCli(['submit', clipIdOf(cliClip), '--db', db]);
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(JSON.parse(submitted.stdout)).toMatchObject({
      submitted: true,
      queued: 1,
      set: { status: 'submitted' },
    });

    const badToken = await runCli([
      'sync',
      '--server',
      server.url,
      '--token',
      'fwt_not_a_real_token',
      '--db',
      db,
    ]);
    expect(badToken.code).toBe(1);
    expect(JSON.parse(badToken.stdout)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });

    const synced = await runCli([
      'sync',
      '--server',
      server.url,
      '--token',
      team.tokens.ann1,
      '--db',
      db,
    ]);
    expect(synced.code, synced.stderr).toBe(0);
    const report = JSON.parse(synced.stdout) as {
      delivered: { clipId: string; revision: number }[];
      pending: number;
    };
    expect(report.delivered).toEqual([
      expect.objectContaining({ clipId: clipIdOf(cliClip), revision: 1 }),
    ]);
    expect(report.pending).toBe(0);
  });
});

import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/main/services/createServices';
import { DEFAULT_PROJECT_ID } from '../../../src/main/services/labels/defaultProject';
import type { Db } from '../../../src/server/db/Db';
import { assignClip, reassign } from '../../../src/server/team';
import { framewise } from '../runFramewise';
import type { Team } from '../server/serverHarness';
import { startDeliveryServer, type DeliveryServer } from './deliveryServer';

const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The workstation's delivered clips folder as the app runs it (createServices over a real SQLite
 * file, a real server over HTTP): the disk quota evicts only what no one needs here, least
 * recently used first, keeps the setting across restarts, and an evicted clip comes back when it
 * is assigned again; `framewise withdraw` deletes the delivered copy and audits it.
 */
describe('delivered clips on a workstation disk', () => {
  let db: Db;
  let team: Team;
  let url: string;
  let server: DeliveryServer;
  const scratch = mkdtempSync(join(tmpdir(), 'fw-quota-'));
  const dataDir = join(scratch, 'workstation');
  const databasePath = join(dataDir, 'framewise.sqlite');
  const clipsDir = join(dataDir, 'clips');
  const files = { phone: 'rotated.mov', cfr: 'cfr30.mp4', webm: 'clip.webm' } as const;
  const ref = Object.fromEntries(
    Object.entries(files).map(([key, name]) => [
      key,
      sha256(readFileSync(join(GENERATED, 'batch', name))),
    ]),
  ) as Record<keyof typeof files, string>;
  const assignment: Partial<Record<keyof typeof files, string>> = {};
  let services: Services;

  const openWorkstation = (): Services => {
    const opened = createServices({ databasePath, actor: 'ann1-os' });
    opened.sync.signIn(url, team.tokens.ann1);
    return opened;
  };
  const onDisk = () => readdirSync(clipsDir).sort();
  const clipIdOf = (clipRef: string): string => {
    for (const batch of services.store.media.listBatches()) {
      const clip = services.store.media.listClips(batch.id).find((c) => c.sha256 === clipRef);
      if (clip !== undefined) return clip.id;
    }
    throw new Error(`clip ${clipRef} is not imported`);
  };
  const hereOf = async (clipRef: string): Promise<boolean> => {
    const clipId = clipIdOf(clipRef);
    const batch = services.store.media.getClip(clipId)?.batchId ?? '';
    const items = await services.handlers.listWork({ batchId: batch });
    const item = items.find((i) => i.clipId === clipId);
    if (item === undefined) throw new Error('not listed');
    return item.here;
  };

  beforeAll(async () => {
    server = await startDeliveryServer(
      scratch,
      '051',
      Object.fromEntries(Object.values(files).map((name) => [name, name])),
    );
    ({ db, team, url } = server);
    expect(server.ingested.ingested).toBe(3);
    for (const key of Object.keys(files) as (keyof typeof files)[]) {
      ({ assignmentId: assignment[key] } = await assignClip(db, {
        clipRef: ref[key],
        projectId: team.projectId,
        annotator: 'ann1',
        reviewer: 'rev1',
      }));
    }
    services = openWorkstation();
  });
  afterAll(async () => {
    services.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fetches every assigned clip into the clips folder, imported and here', async () => {
    const progress = await services.delivery.refresh();
    expect(progress.clips.map((c) => c.state)).toEqual(['ready', 'ready', 'ready']);
    expect(onDisk()).toEqual([`${ref.phone}.mov`, `${ref.cfr}.mp4`, `${ref.webm}.webm`].sort());
    for (const clipRef of Object.values(ref)) expect(await hereOf(clipRef)).toBe(true);
  });

  it('keeps the quota across a restart, and never evicts a clip still assigned', async () => {
    expect(await services.handlers.setClipQuota({ quotaBytes: 1 })).toMatchObject({
      evicted: 0,
      storage: { quotaBytes: 1, clipCount: 3 },
    });
    services.close();
    services = openWorkstation();
    expect(await services.delivery.quota()).toBe(1);
    await services.delivery.refresh();
    expect(onDisk()).toHaveLength(3);
  });

  it('evicts unassigned clips least recently used first, sparing the one with a draft and the open one', async () => {
    // The phone clip has labels begun here and not sent.
    const draft = services.store.labels.openAnnotationSet(
      clipIdOf(ref.phone),
      'ann1',
      DEFAULT_PROJECT_ID,
    );
    expect(draft.status).toBe('in_progress');
    await services.handlers.setClipQuota({ quotaBytes: null });
    for (const key of Object.keys(files) as (keyof typeof files)[]) {
      await reassign(db, assignment[key] ?? '', 'ann2');
    }
    await services.delivery.refresh();
    // The cfr30 copy was opened long ago, the webm just now: cfr30 is the least recently used.
    const cfrPath = join(clipsDir, `${ref.cfr}.mp4`);
    utimesSync(cfrPath, new Date(2020, 0, 1), new Date(2020, 0, 1));
    await services.delivery.markUsed(ref.webm);
    const cfrSize = statSync(cfrPath).size;
    // Room for all but cfr30: only it goes, though the webm is unassigned and evictable too.
    const room = (await services.delivery.storage()).usedBytes - cfrSize;
    expect(await services.handlers.setClipQuota({ quotaBytes: room })).toMatchObject({
      evicted: 1,
      storage: { quotaBytes: room, usedBytes: room, clipCount: 2 },
    });
    expect(onDisk()).toEqual([`${ref.phone}.mov`, `${ref.webm}.webm`].sort());
    // The window shows the webm: at a quota of nothing, it and the draft's clip still stay.
    services.store.labels.saveWorkspace('ann1', {
      batchId: services.store.media.getClip(clipIdOf(ref.webm))?.batchId ?? '',
      clipId: clipIdOf(ref.webm),
      frame: 3,
      zoom: 1,
      panX: 0,
      panY: 0,
      selectedTrackId: null,
    });
    expect(await services.handlers.setClipQuota({ quotaBytes: 0 })).toMatchObject({ evicted: 0 });
    expect(onDisk()).toEqual([`${ref.phone}.mov`, `${ref.webm}.webm`].sort());
    // The evicted clip stays known (its labels would too) but is shown as not here.
    expect(await hereOf(ref.cfr)).toBe(false);
    expect(await hereOf(ref.phone)).toBe(true);
    const evictions = services.store.audit
      .list()
      .filter((entry) => entry.action === 'delivery.file_evicted');
    expect(evictions.map((e) => e.entityId)).toEqual([ref.cfr]);
    expect(evictions[0]?.details).toMatchObject({ cause: 'disk_quota', sizeBytes: cfrSize });
  });

  it('downloads an evicted clip again when it is assigned again, as the same clip', async () => {
    const clipId = clipIdOf(ref.cfr);
    await reassign(db, assignment.cfr ?? '', 'ann1');
    await services.delivery.refresh();
    expect(onDisk()).toContain(`${ref.cfr}.mp4`);
    expect(await hereOf(ref.cfr)).toBe(true);
    expect(clipIdOf(ref.cfr)).toBe(clipId);
  });

  it('`framewise withdraw` deletes the delivered copy too, and audits it with checksums only', async () => {
    const copy = join(clipsDir, `${ref.cfr}.mp4`);
    const deliveredSha = sha256(readFileSync(copy));
    const deliveredSize = statSync(copy).size;
    services.close();
    const result = await framewise([
      'withdraw',
      '--clip-ref',
      ref.cfr,
      '--db',
      databasePath,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(copy)).toBe(false);
    services = openWorkstation();
    const deleted = services.store.audit
      .list()
      .filter((entry) => entry.action === 'delivery.file_deleted');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({
      entityType: 'clip_ref',
      entityId: ref.cfr,
      details: {
        cause: 'consent_withdrawn',
        files: [{ sha256: deliveredSha, sizeBytes: deliveredSize }],
      },
    });
    // The other clips' files are untouched.
    expect(onDisk()).toEqual([`${ref.phone}.mov`, `${ref.webm}.webm`].sort());
  });
});

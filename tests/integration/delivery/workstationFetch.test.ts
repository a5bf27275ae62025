import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryService } from '../../../src/main/services/delivery/deliveryService';
import type { DeliveryProgress } from '../../../src/shared/api/deliverySchemas';
import { downloadClip, type ClipDelivery } from '../../../src/main/services/delivery/downloadClip';
import { probeVideo } from '../../../src/node/media/probeVideo';
import { frameTableSha256 } from '../../../src/node/media/frameTableHash';
import type { BlobStore } from '../../../src/server/blobs/blobStore';
import type { Db } from '../../../src/server/db/Db';
import { drainBlobDeletions } from '../../../src/server/delivery/withdrawal';
import { assignClip, reassign, withdrawConsent } from '../../../src/server/team';
import { startLossyProxy, type LossyProxy } from '../../support/lossyProxy';
import type { Team } from '../server/serverHarness';
import { startDeliveryServer, type DeliveryServer } from './deliveryServer';

const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The annotator's side of #18: a workstation with an empty clips folder fetches what it is
 * assigned from a real server, through a link that cuts 30 % of connections mid-request or
 * mid-response, and ends with verified files carrying no location and the server's frame table.
 */
describe('a workstation fetches its assigned clips', () => {
  let db: Db;
  let team: Team;
  let blobs: BlobStore;
  let url: string;
  let server: DeliveryServer;
  let proxy: LossyProxy;
  const scratch = mkdtempSync(join(tmpdir(), 'fw-fetch-'));
  const phone = readFileSync(join(GENERATED, 'batch/rotated.mov'));
  const cfr = readFileSync(join(GENERATED, 'batch/cfr30.mp4'));
  const phoneRef = sha256(phone);
  const cfrRef = sha256(cfr);
  let cfrAssignment = '';

  beforeAll(async () => {
    server = await startDeliveryServer(scratch, '050', {
      'phone.mov': 'rotated.mov',
      'cfr30.mp4': 'cfr30.mp4',
      'clip.webm': 'clip.webm',
    });
    ({ db, team, blobs, url } = server);
    expect(server.ingested.ingested).toBe(3);
    // A lead assigns two of the three clips to ann1.
    await assignClip(db, {
      clipRef: phoneRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    ({ assignmentId: cfrAssignment } = await assignClip(db, {
      clipRef: cfrRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    }));
    proxy = await startLossyProxy(url, { dropShare: 0.3, seed: 18, maxCutBytes: 12_000 });
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('downloads both through the lossy link, verified, without location, with the same frame table', async () => {
    const dir = join(scratch, 'ann1-clips');
    const seen: DeliveryProgress[] = [];
    const service = new DeliveryService({
      dir,
      server: () => ({ baseUrl: proxy.url, token: team.tokens.ann1 }),
      download: { pauseMs: () => 10, maxAttempts: 100 },
      onProgress: (progress) => seen.push(structuredClone(progress)),
    });
    const done = await service.refresh();
    expect(done.clips.map((c) => [c.clipRef, c.state]).sort()).toEqual(
      [
        [cfrRef, 'ready'],
        [phoneRef, 'ready'],
      ].sort(),
    );
    expect(proxy.stats.cut).toBeGreaterThan(0);
    expect(done.bytesDone).toBe(done.bytesTotal);
    // Progress was reported per clip and in total while it went.
    expect(seen.some((p) => p.bytesDone > 0 && p.bytesDone < p.bytesTotal)).toBe(true);
    const phonePath = service.pathOf(phoneRef);
    if (phonePath === null) throw new Error('phone.mov is not here');
    const bytes = readFileSync(phonePath);
    const original = await probeVideo(join(GENERATED, 'batch/rotated.mov'));
    const copy = await probeVideo(phonePath);
    expect(copy.flagged).toEqual({ location: null, make: null, model: null, creationTime: null });
    expect(bytes.includes(Buffer.from(original.flagged.location ?? '-', 'latin1'))).toBe(false);
    expect(frameTableSha256(copy.frameTimes)).toBe(frameTableSha256(original.frameTimes));
    // The clip that is not assigned to ann1 was not fetched.
    expect(readdirSync(dir).sort()).toEqual([`${cfrRef}.mp4`, `${phoneRef}.mov`].sort());
  });

  it('continues a download after a restart from the bytes on disk, re-fetching none', async () => {
    const dir = join(scratch, 'restart');
    mkdirSync(dir);
    const list = (await (
      await fetch(`${url}/v1/deliveries`, {
        headers: { authorization: `Bearer ${team.tokens.ann1}` },
      })
    ).json()) as { clips: ClipDelivery[] };
    const delivery = list.clips.find((c) => c.clipRef === phoneRef);
    if (delivery === undefined) throw new Error('phone.mov is not offered');
    // The link hangs 3,000 bytes into the answer (headers included), and the app is quit with
    // what had arrived.
    const cutter = await startLossyProxy(url);
    cutter.cutAtTotal('response', 3000, true);
    const quit = new AbortController();
    await expect(
      downloadClip({ baseUrl: cutter.url, token: team.tokens.ann1 }, delivery, dir, {
        signal: quit.signal,
        onProgress: () => quit.abort(),
      }),
    ).rejects.toThrow();
    await cutter.close();
    const part = join(dir, `${phoneRef}.mov.part`);
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(3000);
    // The next launch asks for the rest only.
    const result = await downloadClip({ baseUrl: url, token: team.tokens.ann1 }, delivery, dir);
    expect(result.resumedFrom).toBe(kept);
    expect(result.bytesReceived).toBe(delivery.sizeBytes - kept);
    expect(sha256(readFileSync(result.path))).toBe(delivery.sha256);
    expect(existsSync(part)).toBe(false);
  });

  it('refuses a file whose bytes are not the ones the server named, and deletes it', async () => {
    const dir = join(scratch, 'corrupt');
    mkdirSync(dir);
    const list = (await (
      await fetch(`${url}/v1/deliveries`, {
        headers: { authorization: `Bearer ${team.tokens.ann1}` },
      })
    ).json()) as { clips: ClipDelivery[] };
    const delivery = list.clips.find((c) => c.clipRef === cfrRef);
    if (delivery === undefined) throw new Error('cfr30 is not offered');
    // A leftover part with other bytes (a disk error, an older copy): the hash catches it.
    writeFileSync(join(dir, `${cfrRef}.mp4.part`), Buffer.alloc(100, 7));
    await expect(
      downloadClip({ baseUrl: url, token: team.tokens.ann1 }, delivery, dir),
    ).rejects.toMatchObject({ code: 'DOWNLOAD_CORRUPT' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('evicts, under the quota, only clips no longer assigned, not open, with nothing unsent', async () => {
    const dir = join(scratch, 'ann1-clips');
    const service = new DeliveryService({
      dir,
      server: () => ({ baseUrl: url, token: team.tokens.ann1 }),
    });
    await service.refresh();
    expect(await service.enforceQuota(0, () => ({ open: false, unsentWork: false }))).toEqual([]);
    await reassign(db, cfrAssignment, 'ann2');
    await service.refresh();
    // Unsent work keeps it even over the quota; once sent, it may go.
    expect(await service.enforceQuota(0, () => ({ open: false, unsentWork: true }))).toEqual([]);
    expect(await service.enforceQuota(0, () => ({ open: false, unsentWork: false }))).toEqual([
      cfrRef,
    ]);
    expect(readdirSync(dir)).toEqual([`${phoneRef}.mov`]);
  });

  it('a withdrawal removes the blobs on the server and the file on the workstation', async () => {
    const dir = join(scratch, 'ann1-clips');
    const service = new DeliveryService({
      dir,
      server: () => ({ baseUrl: url, token: team.tokens.ann1 }),
    });
    await service.refresh();
    await withdrawConsent(db, phoneRef, 'contributor asked', 'admin:test');
    await drainBlobDeletions(db, blobs, 'admin:test');
    expect(await blobs.stat(phoneRef)).toBeNull();
    await service.purgeClip(phoneRef);
    expect(readdirSync(dir)).toEqual([]);
    const after = await service.refresh();
    expect(after.clips).toEqual([]);
  });
});

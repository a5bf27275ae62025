import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/main/services/createServices';
import type { BlobStore } from '../../../src/server/blobs/blobStore';
import type { Db } from '../../../src/server/db/Db';
import { drainBlobDeletions } from '../../../src/server/delivery/withdrawal';
import { assignClip, withdrawConsent } from '../../../src/server/team';
import type { Team } from '../server/serverHarness';
import { startDeliveryServer, type DeliveryServer } from './deliveryServer';

const GENERATED = resolve(import.meta.dirname, '../../fixtures/generated');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The workstation as the app wires it (createServices): an annotator signs in on an empty
 * machine, the assigned clip arrives, is imported under the clip's id (the original's sha256, so
 * sync, review and exports name it as the server does), and a withdrawal on the server removes it
 * from the database and the disk at the next sync.
 */
describe('the workstation receives and loses a delivered clip', () => {
  let db: Db;
  let team: Team;
  let blobs: BlobStore;
  let url: string;
  let server: DeliveryServer;
  let services: Services;
  const scratch = mkdtempSync(join(tmpdir(), 'fw-ws-delivery-'));
  const phoneRef = sha256(readFileSync(join(GENERATED, 'batch/rotated.mov')));

  beforeAll(async () => {
    server = await startDeliveryServer(scratch, '060', { 'phone.mov': 'rotated.mov' });
    ({ db, team, blobs, url } = server);
    await assignClip(db, {
      clipRef: phoneRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    mkdirSync(join(scratch, 'ws'));
    services = createServices({
      databasePath: join(scratch, 'ws', 'framewise.sqlite'),
      actor: 'tester',
    });
  });
  afterAll(async () => {
    services.close();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('imports the delivered copy under the clip id and removes it when consent is withdrawn', async () => {
    services.sync.signIn(url, team.tokens.ann1);
    const progress = await services.delivery.refresh();
    expect(progress.clips).toMatchObject([{ clipRef: phoneRef, state: 'ready' }]);
    const path = services.delivery.pathOf(phoneRef);
    if (path === null) throw new Error('not delivered');
    expect(path).toBe(join(scratch, 'ws', 'clips', `${phoneRef}.mov`));
    const batches = services.store.media.listBatches();
    const delivered = batches.flatMap((b) => services.store.media.listClips(b.id));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ sha256: phoneRef, checksumState: 'done', frameCount: 60 });
    // The copy here carries no location: what the workstation shows and exports is the clean one.
    expect(delivered[0]?.flagged.location ?? null).toBeNull();

    await withdrawConsent(db, phoneRef, 'contributor asked', 'admin:test');
    await drainBlobDeletions(db, blobs, 'admin:test');
    await services.sync.syncNow();
    expect(existsSync(path)).toBe(false);
    // What stays is the workstation's usual tombstone: the clip marked withdrawn, its frame
    // table gone, and (delivery's part) no file.
    const after = services.store.media
      .listBatches()
      .flatMap((b) => services.store.media.listClips(b.id));
    expect(after.map((c) => c.consent.state)).toEqual(['withdrawn']);
    expect(services.store.media.getFrameTable(after[0]?.id ?? '')).toBeUndefined();
    expect(services.delivery.pathOf(phoneRef)).toBeNull();
  });
});

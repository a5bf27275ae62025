import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { call, clipRefOf, startTeamServer, type TeamServer } from '../server/serverHarness';
import { addTrack } from '../store/labelsSeed';
import { clipIdOf, seedWorkstation } from './workstationSeed';

/**
 * Issue #15, point 4: every clip's status for the signed-in account, and My work: assignments
 * across batches, due work first, with the reviewer's reason beside a request for changes.
 */
describe('status and My work for the signed-in annotator (real server, PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-my-work-'));
  const sentBack = clipRefOf('work-sent-back');
  const untouched = clipRefOf('work-untouched');
  const notHere = clipRefOf('work-not-imported');
  const notMine = clipRefOf('work-not-assigned');
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([sentBack, untouched, notHere]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows assigned, submitted, changes requested with the reason, and the batch filterable', async () => {
    const file = join(dir, 'annotator.sqlite');
    const setId = seedWorkstation(file, [sentBack], 'ann1', { submit: false }).get(sentBack) ?? '';
    // Imported here too, but nobody's set yet (another person's, for notMine).
    seedWorkstation(file, [untouched, notMine], 'someone-else', { submit: false });
    const services = createServices({ databasePath: file });
    services.sync.stop();
    const { handlers } = services;
    try {
      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.ann1 });
      await handlers.applyLabelEdit({ setId, command: addTrack, expectedSeq: 0 });
      expect((await handlers.submitAnnotationSet({ setId })).submitted).toBe(true);
      const [delivered] = (await handlers.syncNow({})).delivered;
      const submitted = await handlers.listWork({ batchId: 'sync-batch' });
      expect(submitted.find((w) => w.clipRef === sentBack)?.status).toBe('submitted');

      const review = await call(
        server.url,
        'POST',
        `/v1/sets/${delivered?.serverSetId ?? ''}/review`,
        {
          token: server.team.tokens.rev1,
          key: 'my-work-review',
          body: {
            verdict: 'request_changes',
            baseRevision: 1,
            comments: [],
            reason: 'Wrist drifts',
          },
        },
      );
      expect(review.status).toBe(200);
      await handlers.syncNow({});

      // The set's records name the accounts, annotator and reviewer alike (provenance reads them).
      const actors = new Set(
        services.store.audit
          .list({ limit: 200 })
          .filter((e) => e.entityId === setId)
          .map((e) => e.actor),
      );
      expect([...actors].sort()).toEqual(['ann1', 'rev1']);

      // My work: due first, the reason beside it, an assignment not imported here listed too.
      // (The harness's team also gives ann1 its own clip A; that one is left out here.)
      const work = (await handlers.listWork({})).filter((w) => w.clipRef !== server.team.clipA);
      expect(work.map((w) => [w.clipRef, w.status])).toEqual([
        [sentBack, 'changes_requested'],
        [untouched, 'assigned'],
        [notHere, 'assigned'],
      ]);
      expect(work[0]).toMatchObject({
        clipId: clipIdOf(sentBack),
        batchName: 'sync-batch',
        reason: 'rev1: Wrist drifts',
      });
      expect(work[2]).toMatchObject({ clipId: null, batchId: null });

      // The batch screen: every clip of the batch, the unassigned one said so.
      const batch = await handlers.listWork({ batchId: 'sync-batch' });
      expect(Object.fromEntries(batch.map((w) => [w.clipRef, w.status]))).toEqual({
        [sentBack]: 'changes_requested',
        [untouched]: 'assigned',
        [notMine]: 'not_assigned',
      });

      // Another account on this workstation sees its own statuses, not ann1's.
      await handlers.syncSignOut({});
      await handlers.syncSignIn({ serverUrl: server.url, token: server.team.tokens.ann2 });
      await handlers.syncNow({});
      // Only ann2's own assignment (the harness's clip B, not imported here).
      expect((await handlers.listWork({})).map((w) => w.clipRef)).toEqual([server.team.clipB]);
      const theirs = await handlers.listWork({ batchId: 'sync-batch' });
      expect(theirs.every((w) => w.status === 'not_assigned')).toBe(true);
    } finally {
      services.close();
    }
  });
});

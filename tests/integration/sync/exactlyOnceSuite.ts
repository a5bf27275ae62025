import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { SyncService } from '../../../src/main/services/sync/syncService';
import { openDb, type Db } from '../../../src/server/db/Db';
import {
  bulkAssign,
  call,
  clipRefOf,
  openTestDb,
  seedTeam,
  spawnServer,
  versionsPerClip,
  type Backend,
  type Team,
} from '../server/serverHarness';
import { startLossyProxy, type LossyProxy } from './lossyProxy';
import { seedWorkstation } from './workstationSeed';

const ANNOTATOR = 'annotator-1';
const FAST = { baseMs: 5, capMs: 200 };
/**
 * How long a push may keep retrying: a cap, not a target (syncNow returns once nothing is due;
 * about 20 s alone here). Generous, inside vitest's 10-minute safety net, because other suites
 * and other work share the two cores: the tests assert what arrives, never how fast.
 */
const PUSH_BUDGET_MS = 480_000;

const refs = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => clipRefOf(`${prefix}-${i}`));

/**
 * The exactly-once suite for one backend. Each backend has its own test file so that vitest's two
 * workers run them side by side: together in one file they were the suite's longest file by far,
 * and one worker carried both while the other ran out of work.
 */
export function describeExactlyOnce(backend: Backend): void {
  describe(`sync to the real server through a link dropping 30% (${backend})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'fw-sync-'));
    const main = refs('main', 1000);
    const killed = refs('killed', 300);
    const restart = refs('restart', 50);
    let target: { databaseUrl: string } | { dataDir: string };
    let dispose: () => Promise<void>;
    let db: Db | null;
    let team: Team;
    let server: Awaited<ReturnType<typeof spawnServer>>;
    let proxy: LossyProxy;

    beforeAll(async () => {
      const opened = await openTestDb(backend);
      target = opened.target;
      dispose = opened.dispose;
      team = await seedTeam(opened.db);
      await bulkAssign(opened.db, {
        projectId: team.projectId,
        annotator: 'ann1',
        reviewer: 'rev1',
        clipRefs: [...main, ...killed, ...restart],
      });
      db = opened.db;
      // PGlite belongs to one process: the server's, from here on.
      if (backend === 'pglite') {
        await opened.db.close();
        db = null;
      }
      server = await spawnServer(target);
      proxy = await startLossyProxy([server.url], { dropRequest: 0.3, dropResponse: 0.3 });
    });

    afterAll(async () => {
      await proxy.close();
      await server.stop();
      await dispose();
      rmSync(dir, { recursive: true, force: true });
    });

    const serverSets = async () => {
      const answer = await call(server.url, 'GET', '/v1/assignments', { token: team.tokens.lead1 });
      const list = (
        answer.body as {
          assignments: { clipRef: string; set: { revision: number; status: string } }[];
        }
      ).assignments;
      return new Map(list.map((a) => [a.clipRef, a.set]));
    };

    const client = (databasePath: string) => {
      const services = createServices({ databasePath, actor: ANNOTATOR });
      const sync = new SyncService({
        store: services.store,
        actor: ANNOTATOR,
        backoff: FAST,
        concurrency: 8,
      });
      sync.signIn(proxy.url, team.tokens.ann1);
      return { services, sync };
    };

    it('delivers 1,000 submitted sets exactly once and empties the outbox', async () => {
      const file = join(dir, 'main.sqlite');
      seedWorkstation(file, main, ANNOTATOR);
      const { services, sync } = client(file);
      try {
        expect(services.store.sync.pendingCount()).toBe(1000);
        const report = await sync.syncNow(PUSH_BUDGET_MS);
        expect(report.pending).toBe(0);
        expect(report.conflicts).toEqual([]);
        expect(report.delivered).toHaveLength(1000);
        expect(report.retries).toBeGreaterThan(100);
        expect(proxy.stats.droppedRequests).toBeGreaterThan(100);
        expect(proxy.stats.droppedResponses).toBeGreaterThan(100);
        const sets = await serverSets();
        for (const ref of main)
          expect(sets.get(ref), ref).toEqual({
            ...sets.get(ref),
            revision: 1,
            status: 'submitted',
          });
        // Pushing again changes nothing: nothing is queued.
        const again = await sync.syncNow(10_000);
        expect(again.delivered).toEqual([]);
      } finally {
        services.close();
      }
    });

    it('stays exactly once when the server is killed mid-push and restarted', async () => {
      const file = join(dir, 'killed.sqlite');
      seedWorkstation(file, killed, ANNOTATOR);
      const { services, sync } = client(file);
      try {
        const before = proxy.stats.delivered;
        const running = sync.syncNow(PUSH_BUDGET_MS);
        while (proxy.stats.delivered - before < 60) await new Promise((r) => setTimeout(r, 10));
        server.child.kill('SIGKILL');
        await server.stop();
        server = await spawnServer(target);
        proxy.setUpstreams([server.url]);
        const report = await running;
        expect(report.pending).toBe(0);
        expect(report.conflicts).toEqual([]);
        const sets = await serverSets();
        for (const ref of killed) expect(sets.get(ref)?.revision, ref).toBe(1);
      } finally {
        services.close();
      }
    });

    it('keeps the outbox and its attempts across a restart of the desktop side; a sign-in makes it due', async () => {
      const file = join(dir, 'restart.sqlite');
      seedWorkstation(file, restart, ANNOTATOR);
      proxy.setUpstreams(['http://127.0.0.1:9']); // nothing listens: every request is reset
      const offline = client(file);
      try {
        const report = await offline.sync.syncNow(300);
        expect(report.delivered).toEqual([]);
        expect(report.retries).toBeGreaterThan(0);
        expect(offline.sync.status()).toMatchObject({ online: false, pending: 50 });
      } finally {
        offline.services.close();
      }
      proxy.setUpstreams([server.url]);
      const reopened = client(file);
      try {
        const waiting = reopened.services.store.sync.pending(100);
        expect(Math.max(...waiting.map((item) => item.attempts))).toBeGreaterThan(0);
        // Signing in (done by `client`) makes work that waited out the dead link due at once.
        expect(waiting.every((item) => item.nextAttemptAt === 0)).toBe(true);
        const report = await reopened.sync.syncNow(PUSH_BUDGET_MS);
        expect(report.pending).toBe(0);
        expect(report.delivered).toHaveLength(50);
        const sets = await serverSets();
        for (const ref of restart) expect(sets.get(ref)?.revision, ref).toBe(1);
      } finally {
        reopened.services.close();
      }
    });

    it('stored exactly one document per pushed set', async () => {
      if (backend === 'pglite') {
        await server.stop();
        db = await openDb(target);
      }
      if (db === null) throw new Error('no database');
      const versions = await versionsPerClip(db);
      for (const ref of [...main, ...killed, ...restart]) expect(versions.get(ref), ref).toBe(1);
      // Nothing runs after this check: the server is not started again (afterAll stops only a
      // running one).
      if (backend === 'pglite') {
        await db.close();
        db = null;
      }
    });
  });
}

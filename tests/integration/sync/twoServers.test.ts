import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../src/main/services/createServices';
import { SyncService } from '../../../src/main/services/sync/syncService';
import type { Db } from '../../../src/server/db/Db';
import {
  bulkAssign,
  call,
  clipRefOf,
  EMPTY_DOC,
  openTestDb,
  seedTeam,
  spawnServer,
  versionsPerClip,
  type Team,
} from '../server/serverHarness';
import { startLossyProxy } from './lossyProxy';
import { seedWorkstation } from './workstationSeed';

/** The server is stateless: two processes over one PostgreSQL are one server to the team. */
describe('two server processes over one PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-two-'));
  const viaBoth = Array.from({ length: 300 }, (_, i) => clipRefOf(`both-${i}`));
  const raced = Array.from({ length: 20 }, (_, i) => clipRefOf(`race-${i}`));
  let db: Db;
  let dispose: () => Promise<void>;
  let team: Team;
  let servers: Awaited<ReturnType<typeof spawnServer>>[];

  beforeAll(async () => {
    const opened = await openTestDb('postgres');
    db = opened.db;
    dispose = opened.dispose;
    team = await seedTeam(db);
    await bulkAssign(db, {
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
      clipRefs: [...viaBoth, ...raced],
    });
    servers = await Promise.all([spawnServer(opened.target), spawnServer(opened.target)]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers one key sent to both processes at once with one stored push', async () => {
    const [a, b] = servers;
    if (a === undefined || b === undefined) throw new Error('two servers');
    const answers = await Promise.all(
      raced.flatMap((ref, i) =>
        [a, b].map((server) =>
          call(server.url, 'PUT', `/v1/clips/${ref}/set`, {
            token: team.tokens.ann1,
            key: `race-key-${i}`,
            body: { baseRevision: 0, labels: EMPTY_DOC, localSetId: `l-${i}`, localRevision: 1 },
          }),
        ),
      ),
    );
    for (let i = 0; i < raced.length; i++) {
      const [first, second] = [answers[2 * i], answers[2 * i + 1]];
      expect(first?.status).toBe(200);
      expect(second?.status).toBe(200);
      expect(second?.body).toEqual(first?.body);
    }
    const versions = await versionsPerClip(db);
    for (const ref of raced) expect(versions.get(ref), ref).toBe(1);
  });

  it('delivers 300 sets exactly once through a lossy link that alternates between them', async () => {
    const proxy = await startLossyProxy(
      servers.map((s) => s.url),
      { dropRequest: 0.3, dropResponse: 0.3 },
    );
    const file = join(dir, 'ws.sqlite');
    seedWorkstation(file, viaBoth, 'annotator-1');
    const services = createServices({ databasePath: file, actor: 'annotator-1' });
    const sync = new SyncService({
      store: services.store,
      actor: 'annotator-1',
      backoff: { baseMs: 5, capMs: 200 },
      concurrency: 8,
    });
    sync.signIn(proxy.url, team.tokens.ann1);
    try {
      const report = await sync.syncNow(120_000);
      expect(report.pending).toBe(0);
      expect(report.delivered).toHaveLength(300);
      expect(proxy.stats.droppedResponses).toBeGreaterThan(20);
      const versions = await versionsPerClip(db);
      for (const ref of viaBoth) expect(versions.get(ref), ref).toBe(1);
    } finally {
      services.close();
      await proxy.close();
    }
  });
});

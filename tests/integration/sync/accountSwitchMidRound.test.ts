import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { SyncService } from '../../../src/main/services/sync/syncService';
import {
  call,
  clipRefOf,
  pushBody,
  startTeamServer,
  type TeamServer,
} from '../server/serverHarness';
import { seedWorkstation } from './workstationSeed';

/**
 * A request of one account held on its way to the server until the test lets it go: the account
 * is switched on the workstation while a round of the previous one is in flight.
 */
class Gate {
  #reached: () => void = () => undefined;
  #release: () => void = () => undefined;
  readonly reached = new Promise<void>((done) => (this.#reached = done));
  readonly released = new Promise<void>((done) => (this.#release = done));
  constructor(
    readonly path: string,
    readonly token: string,
  ) {}
  hit(): Promise<void> {
    this.#reached();
    return this.released;
  }
  release(): void {
    this.#release();
  }
}

function gatedFetch(gates: Gate[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : (input as Request).url);
    const auth = (init?.headers as Record<string, string> | undefined)?.authorization;
    const gate = gates.find((g) => url.pathname === g.path && auth === `Bearer ${g.token}`);
    if (gate !== undefined) {
      gates.splice(gates.indexOf(gate), 1);
      await gate.hit();
    }
    return fetch(input, init);
  };
}

async function count(server: TeamServer, sql: string): Promise<number> {
  const rows = await server.db.query<{ n: number }>(sql);
  return rows[0]?.n ?? -1;
}

/** Issue #15, point 1: nothing is ever sent under another account's token, mid-round too. */
describe('switching accounts while a sync round is in flight (real server, PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fw-switch-mid-round-'));
  const mine = clipRefOf('mid-round-annotated');
  const handedIn = clipRefOf('mid-round-handed-in');
  let server: TeamServer;

  beforeAll(async () => {
    server = await startTeamServer([mine, handedIn]);
    // Handed in from another workstation: rev1 has it to review.
    const pushed = await call(server.url, 'PUT', `/v1/clips/${handedIn}/set`, {
      token: server.team.tokens.ann1,
      key: 'mid-round-other-push',
      body: pushBody(0),
    });
    expect(pushed.status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a round started for the reviewer neither names the account nor carries the annotator's work after the switch", async () => {
    const file = join(dir, 'workstation.sqlite');
    // ann1's set on `mine`, submitted here and waiting to be sent.
    seedWorkstation(file, [mine], 'ann1');
    const { tokens } = server.team;
    const meOfReviewer = new Gate('/v1/me', tokens.rev1);
    const store = openStore(file);
    const sync = new SyncService({ store, actor: 'os-user', fetch: gatedFetch([meOfReviewer]) });
    try {
      sync.signIn(server.url, tokens.rev1);
      const round = sync.syncNow(20_000).catch((error: unknown) => error);
      await meOfReviewer.reached;
      // The reviewer hands the machine over before their round learned whose token it is.
      sync.signOut();
      sync.signIn(server.url, tokens.ann1);
      await sync.verify();
      expect(sync.account()?.name).toBe('ann1');
      meOfReviewer.release();
      await round;

      // The reviewer's late answer did not make the reviewer the actor under ann1's token, and
      // ann1's submitted set was not sent under the reviewer's token (nor refused for it).
      expect(sync.account()?.name).toBe('ann1');
      expect(sync.currentActor()).toBe('ann1');
      expect(sync.status()).toMatchObject({ refused: 0, conflicts: 0 });
      expect(
        await count(
          server,
          `SELECT count(*)::int AS n FROM set_versions v JOIN users u ON u.id = v.pushed_by
           WHERE u.name = 'rev1'`,
        ),
      ).toBe(0);

      // Under ann1's own round it goes, as ann1's.
      const own = await sync.syncNow(20_000);
      expect(own.delivered).toHaveLength(1);
      expect(sync.status()).toMatchObject({ pending: 0, refused: 0 });
      expect(
        await count(
          server,
          `SELECT count(*)::int AS n FROM set_versions v JOIN users u ON u.id = v.pushed_by
           JOIN annotation_sets s ON s.id = v.set_id JOIN assignments a ON a.id = s.assignment_id
           WHERE u.name = 'ann1' AND a.clip_ref = '${mine}'`,
        ),
      ).toBe(1);
    } finally {
      sync.stop();
      store.close();
    }
  });

  it("the reviewer's queue, pulled by a round that ends after the switch, is not shown to the annotator", async () => {
    const file = join(dir, 'queue.sqlite');
    seedWorkstation(file, [], 'ann1');
    const { tokens } = server.team;
    const queueOfReviewer = new Gate('/v1/review-queue', tokens.rev1);
    const store = openStore(file);
    const sync = new SyncService({
      store,
      actor: 'os-user',
      fetch: gatedFetch([queueOfReviewer]),
    });
    try {
      sync.signIn(server.url, tokens.rev1);
      await sync.verify();
      const round = sync.syncNow(20_000).catch((error: unknown) => error);
      await queueOfReviewer.reached;
      sync.signOut();
      sync.signIn(server.url, tokens.ann1);
      await sync.verify();
      queueOfReviewer.release();
      await round;

      // The cache holds the reviewer's queue as the reviewer's, never as ann1's.
      expect(sync.reviewQueueOwner()).not.toBe('ann1');
      // A Sync now after the switch is ann1's own round, not the reviewer's still running.
      const own = await sync.syncNow(20_000);
      expect(own.server).toBe(server.url);
      expect(sync.reviewQueueOwner()).not.toBe('ann1');
      expect(store.reviews.listQueue('ann1')).toEqual([]);
    } finally {
      sync.stop();
      store.close();
    }
  });

  it("a round waiting out a backoff ends at the switch; the next account's Sync now does not wait for it", async () => {
    const file = join(dir, 'backoff.sqlite');
    seedWorkstation(file, [handedIn], 'ann1');
    const { tokens } = server.team;
    const store = openStore(file);
    // Once cut, ann1's link to the server is down: every request under ann1's token fails.
    let cut = false;
    const down: typeof fetch = async (input, init) => {
      const auth = (init?.headers as Record<string, string> | undefined)?.authorization;
      if (cut && auth === `Bearer ${tokens.ann1}`) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const sync = new SyncService({
      store,
      actor: 'os-user',
      fetch: down,
      // A wait of ten minutes after the failure, inside the round's budget: without the switch
      // ending it, the reviewer's Sync now below would hang until the test times out.
      backoff: { baseMs: 10 * 60_000, capMs: 10 * 60_000 },
      random: () => 1,
    });
    try {
      sync.signIn(server.url, tokens.ann1);
      await sync.verify();
      cut = true;
      const annotatorsRound = sync.syncNow(60 * 60_000).catch((error: unknown) => error);
      await expect.poll(() => sync.issues().length).toBe(1);
      sync.signOut();
      sync.signIn(server.url, tokens.rev1);
      await sync.verify();
      const reviewersRound = await sync.syncNow(60 * 60_000);
      expect(reviewersRound.delivered).toEqual([]);
      expect(sync.status()).toMatchObject({
        pending: 0,
        waitingForOthers: [{ account: 'ann1', count: 1 }],
      });
      await annotatorsRound;
    } finally {
      sync.stop();
      store.close();
    }
  });
});

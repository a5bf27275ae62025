import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthUser } from '../../../src/server/auth';
import type { Db } from '../../../src/server/db/Db';
import { ServerError } from '../../../src/server/serverError';
import { pushSet, requestHash, withIdempotency } from '../../../src/server/sets';
import {
  bulkAssign,
  clipRefOf,
  EMPTY_DOC,
  openTestDb,
  seedTeam,
  versionsPerClip,
} from './serverHarness';

const RUNS = 1000;
/** Two clips per run, two outbox rows (keys) per clip: a submit and a competing one. */
const ITEMS = [
  { clip: 0, key: 0 },
  { clip: 0, key: 1 },
  { clip: 1, key: 2 },
  { clip: 1, key: 3 },
] as const;

type Answer = { status: number; revision: number | null };
type Delivery = { item: number; altered: boolean; reaches: boolean };

/**
 * The server's push contract as a model: the first request under a key decides its answer
 * forever (a different body under it is 422); a new key applies on the expected base or is 409.
 */
class Model {
  readonly revisions = [0, 0];
  readonly answers = new Map<number, { hash: string; answer: Answer }>();

  deliver(item: number, hash: string): Answer {
    const seen = this.answers.get(item);
    if (seen !== undefined)
      return seen.hash === hash ? seen.answer : { status: 422, revision: null };
    const { clip } = ITEMS[item] ?? ITEMS[0];
    let answer: Answer;
    if (this.revisions[clip] === 0) {
      this.revisions[clip] = 1;
      answer = { status: 200, revision: 1 };
    } else {
      answer = { status: 409, revision: null };
    }
    this.answers.set(item, { hash, answer });
    return answer;
  }
}

/**
 * Property: whatever the network does to deliveries (duplicates, reorders, drops before the
 * server, drops of the answer after it), the server answers as the model does and stores at most
 * one document per clip.
 */
describe('idempotent pushes against a model (fast-check, PGlite)', () => {
  let db: Db;
  let dispose: () => Promise<void>;
  let user: AuthUser;

  beforeAll(async () => {
    const opened = await openTestDb('pglite');
    db = opened.db;
    dispose = opened.dispose;
    const team = await seedTeam(db);
    await bulkAssign(db, {
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
      clipRefs: Array.from({ length: 2 * RUNS + 2 }, (_, i) => clipRefOf(`prop-${i}`)),
    });
    const rows = await db.query<AuthUser>("SELECT id, name, role FROM users WHERE name = 'ann1'");
    const ann1 = rows[0];
    if (ann1 === undefined) throw new Error('no ann1');
    user = ann1;
  });

  afterAll(async () => {
    await dispose();
  });

  it('answers duplicated, reordered and dropped deliveries as the model does', async () => {
    let run = 0;
    const delivery = fc.record({
      item: fc.integer({ min: 0, max: ITEMS.length - 1 }),
      altered: fc.boolean(),
      // A request lost before the server never reaches it; a lost answer still did.
      reaches: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(delivery, { minLength: 1, maxLength: 12 }),
        async (deliveries: Delivery[]) => {
          run += 1;
          const clips = [clipRefOf(`prop-${2 * run}`), clipRefOf(`prop-${2 * run + 1}`)];
          const model = new Model();
          for (const { item, altered, reaches } of deliveries) {
            if (!reaches) continue;
            const { clip, key } = ITEMS[item] ?? ITEMS[0];
            const clipRef = clips[clip] ?? '';
            const body = {
              baseRevision: 0,
              labels: EMPTY_DOC,
              localSetId: `run-${run}-item-${item}`,
              localRevision: altered ? 2 : 1,
            };
            const hash = requestHash('push', { clipRef }, body);
            const real = await withIdempotency(db, user, `prop-${run}-key-${key}`, hash, (tx) =>
              pushSet(tx, user, clipRef, body),
            ).catch((error: unknown) => {
              // A reused key is refused before anything is stored: HTTP turns this into its status.
              if (error instanceof ServerError) return { status: error.status, body: {} };
              throw error;
            });
            const expected = model.deliver(item, hash);
            const revision = (real.body as { revision?: number }).revision ?? null;
            expect({
              status: real.status,
              revision: real.status === 200 ? revision : null,
            }).toEqual(expected);
          }
          const versions = await versionsPerClip(db, clips);
          expect(clips.map((ref) => versions.get(ref))).toEqual(model.revisions);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

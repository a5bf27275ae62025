import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/server/db/Db';
import { assignClip, withdrawConsent } from '../../../src/server/team';
import {
  call,
  clipRefOf,
  listenInProcess,
  openTestDb,
  pushBody,
  seedTeam,
  type Backend,
  type Team,
} from './serverHarness';

const backends: Backend[] = ['pglite', 'postgres'];

describe.each(backends)('consent withdrawal on the central server (%s)', (backend) => {
  let db: Db;
  let dispose: () => Promise<void>;
  let server: { url: string; close: () => Promise<void> };
  let team: Team;

  beforeAll(async () => {
    const opened = await openTestDb(backend);
    db = opened.db;
    dispose = opened.dispose;
    team = await seedTeam(db);
    server = await listenInProcess(db);
  });

  afterAll(async () => {
    await server.close();
    await dispose();
  });

  it('deletes the labels the server holds for the clip and refuses them ever after', async () => {
    const clipRef = clipRefOf('withdrawn-on-server');
    const { setId } = await assignClip(db, {
      clipRef,
      projectId: team.projectId,
      annotator: 'ann1',
      reviewer: 'rev1',
    });
    const labels = {
      tracks: [],
      segments: [
        {
          id: 's1',
          startFrame: 0,
          endFrame: 9,
          verbId: 1,
          nounId: 2,
          actor: 'camera_wearer',
          note: 'kitchen at home',
        },
      ],
      contacts: [],
    };
    const pushed = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
      token: team.tokens.ann1,
      key: 'withdrawn-push-1',
      body: { ...pushBody(0), labels },
    });
    expect(pushed.status).toBe(200);
    const review = await call(server.url, 'POST', `/v1/sets/${setId}/review`, {
      token: team.tokens.rev1,
      key: 'withdrawn-review-1',
      body: {
        verdict: 'request_changes',
        baseRevision: 1,
        reason: 'check the start',
        comments: [{ text: 'the kitchen counter is visible at frame 3', frame: 3 }],
      },
    });
    expect(review.status).toBe(200);

    await withdrawConsent(db, clipRef, 'contributor asked');

    const stored = await db.query<{ labels: unknown; versions: number; comments: unknown }>(
      `SELECT s.labels,
              (SELECT count(*)::int FROM set_versions v WHERE v.set_id = s.id) AS versions,
              (SELECT r.comments FROM reviews r WHERE r.set_id = s.id LIMIT 1) AS comments
       FROM annotation_sets s WHERE s.id = $1`,
      [setId],
    );
    expect(stored[0]).toEqual({ labels: null, versions: 0, comments: [] });
    // A workstation that was offline pushes the labels again: refused, nothing stored.
    const late = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
      token: team.tokens.ann1,
      key: 'withdrawn-push-2',
      body: { ...pushBody(2), labels },
    });
    expect(late.status).toBe(410);
    expect(late.body).toMatchObject({ error: { code: 'CONSENT_WITHDRAWN' } });
    const after = await db.query<{ labels: unknown }>(
      'SELECT labels FROM annotation_sets WHERE id = $1',
      [setId],
    );
    expect(after[0]?.labels).toBeNull();
  });
});

import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/services/store/openStore';
import { SyncService } from '../../../src/main/services/sync/syncService';
import {
  COCO_BODY_KEYPOINTS,
  COCO_BODY_TEMPLATE_ID,
  type LabelsDocument,
} from '../../../src/shared/domain/labels';
import { tempDir } from '../fixturePaths';
import {
  backends,
  bulkAssign,
  call,
  clipRefOf,
  pushBody,
  seededServer,
  type SeededServer,
} from '../server/serverHarness';

/** A person keyframed on `frames` frames: about 1.3 kB a frame; non-ASCII text on purpose. */
function person(frames: number, note: string): LabelsDocument {
  return {
    tracks: [
      {
        id: 'p1',
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person ä',
        color: '#336699',
        keyframes: Array.from({ length: frames }, (_, frame) => ({
          frame,
          points: COCO_BODY_KEYPOINTS.map((_, i) => ({
            x: 100 + 12 * i + frame / 10,
            y: 50 + 9 * i,
            visibility: 'visible' as const,
            source: 'manual' as const,
          })),
        })),
      },
    ],
    segments: [{ id: 's1', startFrame: 0, endFrame: 1, verbId: 0, nounId: 1, actor: 'p1', note }],
    contacts: [],
  };
}

const BUDGET = 40_000;
/** Keyframes per clip: sets of 3–15 kB, and two bigger than a page's budget. */
const FRAMES = [2, 40, 10, 60, 5, 3];

describe.each(backends)("the lead's pull in pages of bytes (%s)", (backend) => {
  let server: SeededServer;
  const dir = tempDir('team-pull-pages');
  const clips = FRAMES.map((_, i) => clipRefOf(`pages-${i}`));
  const pushed = new Map<string, LabelsDocument>();

  beforeAll(async () => {
    server = await seededServer(backend, (db, team) =>
      bulkAssign(db, {
        projectId: team.projectId,
        annotator: 'ann1',
        reviewer: 'rev1',
        clipRefs: clips,
      }),
    );
    for (const [i, clip] of clips.entries()) {
      const labels = person(FRAMES[i] ?? 1, `Größe ${i} — ✓`);
      const answer = await call(server.url, 'PUT', `/v1/clips/${clip}/set`, {
        token: server.team.tokens.ann1,
        key: `push-pages-${i}`,
        body: pushBody(0, { labels }),
      });
      expect(answer.status).toBe(200);
      pushed.set(clip, labels);
    }
  });
  afterAll(async () => {
    dir.remove();
    await server.close();
  });

  it('never sends a page over the budget unless one set alone is, and stores every set as pushed', async () => {
    const pages: { bytes: number; sets: number }[] = [];
    const file = join(dir.path, `lead-${backend}.sqlite`);
    const store = openStore(file);
    const sync = new SyncService({
      store,
      actor: 'lead1',
      teamPageBytes: BUDGET,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const bytes = Buffer.from(await response.arrayBuffer());
        if (typeof input === 'string' && input.includes('/v1/team-sets')) {
          pages.push({
            bytes: bytes.length,
            sets: (JSON.parse(bytes.toString('utf8')) as { sets: unknown[] }).sets.length,
          });
        }
        return new Response(bytes, { status: response.status, headers: response.headers });
      },
    });
    try {
      sync.stop();
      sync.signIn(server.url, server.team.tokens.lead1);
      sync.setTeamSetsStatus('submitted');
      const first = await sync.pullTeamSets();
      expect(first).toMatchObject({ allowed: true, stored: clips.length, held: clips.length });

      for (const page of pages) {
        if (page.sets > 1) expect(page.bytes).toBeLessThanOrEqual(BUDGET);
      }
      // The two big sets came alone, over the budget; the small ones shared pages.
      expect(pages.filter((p) => p.sets === 1 && p.bytes > BUDGET)).toHaveLength(2);
      expect(pages.some((p) => p.sets > 1)).toBe(true);
      expect(pages.reduce((n, p) => n + p.sets, 0)).toBe(first.received);

      // An unchanged re-pull is one page with nothing in it.
      pages.length = 0;
      expect(await sync.pullTeamSets()).toMatchObject({ received: 0, stored: 0 });
      expect(pages).toEqual([{ bytes: expect.any(Number) as number, sets: 0 }]);
    } finally {
      store.close();
    }

    // What the workstation keeps is the document the annotator pushed, as its JSON.
    const db = new Database(file, { readonly: true });
    try {
      const rows = db
        .prepare<[], { clip_ref: string; labels_json: string; project_json: string | null }>(
          'SELECT clip_ref, labels_json, project_json FROM sync_team_sets ORDER BY change_seq',
        )
        .all();
      expect(rows.map((row) => row.clip_ref)).toEqual(clips);
      for (const row of rows) {
        expect(row.labels_json).toBe(JSON.stringify(pushed.get(row.clip_ref)));
      }
    } finally {
      db.close();
    }
  });
});

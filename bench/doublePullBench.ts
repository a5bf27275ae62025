import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../src/main/services/createServices';
import { openDatabase } from '../src/main/services/db/openDatabase';
import { SyncService } from '../src/main/services/sync/syncService';
import { markDoubleAnnotation } from '../src/server/doubleAnnotation';
import { COCO_BODY_KEYPOINTS, COCO_BODY_TEMPLATE_ID } from '../src/shared/domain/labels';
import {
  bulkAssign,
  call,
  clipRefOf,
  listenInProcess,
  openTestDb,
  seedTeam,
} from '../tests/integration/server/serverHarness';
import { seedWorkstation } from '../tests/integration/sync/workstationSeed';

const CLIPS = 50;
const FRAMES = 900;

/** One annotator's labels of a 30 s clip: a COCO-17 person keyframed on every frame. */
function labelsOf(dx: number) {
  return {
    tracks: [
      {
        id: 'p1',
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person 1',
        color: '#336699',
        keyframes: Array.from({ length: FRAMES }, (_, frame) => ({
          frame,
          points: COCO_BODY_KEYPOINTS.map((_, i) => ({
            x: 100 + 12 * i + dx + frame / 10,
            y: 50 + 9 * i,
            visibility: 'visible',
            source: 'manual',
          })),
        })),
      },
    ],
    segments: [],
    contacts: [],
  };
}

/**
 * Cross-machine agreement: two annotators' sets of 50 double-annotated 30 s clips (each set about
 * 1 MB of labels) pulled by the lead's workstation from a real server (in-process, PGlite), then
 * pulled again with nothing changed, then compared on the Agreement page.
 */
export async function runDoublePullBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-double-pull-'));
  const opened = await openTestDb('pglite');
  const team = await seedTeam(opened.db);
  const clips = Array.from({ length: CLIPS }, (_, i) => clipRefOf(`double-pull-${i}`));
  await bulkAssign(opened.db, {
    projectId: team.projectId,
    annotator: 'ann1',
    reviewer: 'rev1',
    clipRefs: clips,
  });
  await markDoubleAnnotation(opened.db, {
    projectId: team.projectId,
    share: 1,
    annotators: ['ann2'],
  });
  const server = await listenInProcess(opened.db);
  let setBytes = 0;
  try {
    for (const [token, dx] of [
      [team.tokens.ann1, 0],
      [team.tokens.ann2, 3],
    ] as const) {
      for (const clipRef of clips) {
        const labels = labelsOf(dx);
        setBytes = JSON.stringify(labels).length;
        const answer = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
          token,
          key: `bench-${token.slice(-8)}-${clipRef.slice(0, 12)}`,
          body: { baseRevision: 0, labels, localSetId: 'bench', localRevision: 1 },
        });
        if (answer.status !== 200) throw new Error(`push answered ${answer.status}`);
      }
    }
    const file = join(dir, 'lead.sqlite');
    seedWorkstation(file, clips, 'lead-1', { submit: false });
    const db = openDatabase(file);
    db.prepare('UPDATE clips SET frame_count = ?').run(FRAMES);
    db.close();
    const services = createServices({ databasePath: file, actor: 'lead-1' });
    try {
      services.sync.stop();
      const sync = new SyncService({ store: services.store, actor: 'lead-1' });
      sync.signIn(server.url, team.tokens.lead1);
      let t = performance.now();
      const first = await sync.pullDoubleAnnotation();
      const firstMs = performance.now() - t;
      t = performance.now();
      const again = await sync.pullDoubleAnnotation();
      const againMs = performance.now() - t;
      t = performance.now();
      const report = services.agreement.report();
      const reportMs = performance.now() - t;
      if (first.stored !== 2 * CLIPS || again.stored !== 0 || report.pairs.length !== CLIPS) {
        throw new Error('the pull or the comparison did not cover every clip');
      }
      return {
        sets: first.received,
        setMegabytes: Math.round(setBytes / 1e4) / 100,
        firstPullMs: Math.round(firstMs),
        unchangedPullMs: Math.round(againMs),
        reportMs: Math.round(reportMs),
        framesCompared: report.overall.framesCompared,
      };
    } finally {
      services.close();
    }
  } finally {
    await server.close();
    await opened.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

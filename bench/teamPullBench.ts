import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServices } from '../src/main/services/createServices';
import { openDatabase } from '../src/main/services/db/openDatabase';
import { defaultProjectSchema } from '../src/main/services/labels/defaultProject';
import { encodeFrameTimes } from '../src/main/services/media/frameTimesBlob';
import { SyncService } from '../src/main/services/sync/syncService';
import { exportProject } from '../src/server/exportProject';
import { COCO_BODY_KEYPOINTS, COCO_BODY_TEMPLATE_ID } from '../src/shared/domain/labels';
import {
  bulkAssign,
  clipRefOf,
  listenInProcess,
  openTestDb,
  seedTeam,
} from '../tests/integration/server/serverHarness';
import { seedWorkstation } from '../tests/integration/sync/workstationSeed';

const SETS = Number(process.env.TEAM_PULL_SETS ?? 1000);
const FRAMES = 900;
const FORMATS = ['coco', 'cvat', 'epic', 'hands', 'provenance'] as const;
const CONSENT = { id: 'c-bench', scope: ['training'], grantedAt: '2020-01-01', expiresAt: null };

/** One annotator's labels of a 30 s clip: a COCO-17 person keyframed on every frame (~1 MB). */
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
    segments: [
      { id: 's1', startFrame: 10, endFrame: 200, verbId: 0, nounId: 1, actor: 'p1', note: '' },
    ],
    contacts: [],
  };
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * The lead's dataset (#15): 1,000 accepted sets of 30 s clips (~1 MB of labels each) on a PGlite
 * server; the lead's workstation (the clips imported) pulls them, pulls again with nothing
 * changed, exports them in every label format; then the server exports the same from its
 * database. Sets are written to the server with SQL (the push path is the sync bench's), then
 * numbered as pushes number them. One process holds server and workstation, so peak RSS (getrusage
 * maxRSS, cumulative) after each phase includes PGlite's.
 */
export async function runTeamPullBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-team-pull-'));
  const loadBefore = loadavg()[0] ?? 0;
  const opened = await openTestDb('pglite');
  const team = await seedTeam(opened.db);
  const clips = Array.from({ length: SETS }, (_, i) => clipRefOf(`team-pull-${i}`));
  await bulkAssign(opened.db, {
    projectId: team.projectId,
    annotator: 'ann1',
    reviewer: 'rev1',
    clipRefs: clips,
  });
  const frameTimes = Array.from({ length: FRAMES }, (_, i) => i / 30);
  const labelsJson = JSON.stringify(labelsOf(0));
  const facts = (i: number) =>
    JSON.stringify({
      fileName: `clip-${clips[i]?.slice(0, 16) ?? ''}.mp4`,
      width: 1280,
      height: 720,
      rotation: 0,
      frameTimes,
      lastFrameDurationSeconds: 1 / 30,
      frameTableSource: 'mp4box',
      contributor: 'contrib_bench',
      region: 'PT',
      consent: { ...CONSENT, withdrawn: false },
    });
  const rev1 = await opened.db.query<{ id: string }>("SELECT id FROM users WHERE name = 'rev1'");
  for (let i = 0; i < SETS; i += 50) {
    await opened.db.transaction(async (tx) => {
      for (let j = i; j < Math.min(SETS, i + 50); j++) {
        const rows = await tx.query<{ id: string }>(
          `UPDATE annotation_sets s SET status = 'accepted', revision = 2, labels = $2::jsonb,
             clip_facts = $3::jsonb, project_schema = $4::jsonb,
             change_seq = nextval('set_change_seq'), updated_at = now()
           FROM assignments a WHERE a.id = s.assignment_id AND a.clip_ref = $1 RETURNING s.id`,
          [clips[j], labelsJson, facts(j), JSON.stringify(defaultProjectSchema())],
        );
        await tx.query(
          `INSERT INTO reviews (id, set_id, reviewer_id, verdict, revision, comments)
           VALUES (gen_random_uuid()::text, $1, $2, 'accept', 2, '[]')`,
          [rows[0]?.id, rev1[0]?.id],
        );
      }
    });
  }
  const server = await listenInProcess(opened.db);
  try {
    const file = join(dir, 'lead.sqlite');
    seedWorkstation(file, clips, 'lead-1', { submit: false });
    const db = openDatabase(file);
    db.prepare('UPDATE clips SET frame_count = ?').run(FRAMES);
    db.prepare('UPDATE frame_tables SET frame_count = ?, frame_times = ?').run(
      FRAMES,
      encodeFrameTimes(frameTimes),
    );
    db.prepare(
      "UPDATE batches SET contributor = 'contrib_bench', region = 'PT', manifest_json = ?",
    ).run(JSON.stringify({ version: 1, consent: CONSENT }));
    db.close();
    const services = createServices({ databasePath: file, actor: 'lead-1' });
    try {
      services.sync.stop();
      const sync = new SyncService({ store: services.store, actor: 'lead-1' });
      sync.signIn(server.url, team.tokens.lead1);
      const setMb = Buffer.byteLength(labelsJson) / 1e6;
      const afterSeedRss = peakRssMb();

      let t = performance.now();
      const first = await sync.pullTeamSets();
      const firstS = (performance.now() - t) / 1000;
      const afterPullRss = peakRssMb();
      t = performance.now();
      const again = await sync.pullTeamSets();
      const againS = (performance.now() - t) / 1000;
      if (first.stored !== SETS || again.received !== 0) {
        throw new Error(`pulled ${first.stored} of ${SETS}; the re-pull got ${again.received}`);
      }

      t = performance.now();
      const workstation = await services.exports.run({
        formats: [...FORMATS],
        destination: join(dir, 'ws-export'),
        status: 'accepted',
        includeVideos: false,
      });
      const wsS = (performance.now() - t) / 1000;
      const afterWsRss = peakRssMb();
      t = performance.now();
      const fromServer = await exportProject(opened.db, {
        projectId: team.projectId,
        formats: FORMATS,
        status: 'accepted',
        out: join(dir, 'server-export'),
      });
      const serverS = (performance.now() - t) / 1000;
      const afterServerRss = peakRssMb();
      if (workstation.exported.length !== SETS || fromServer.exported.length !== SETS) {
        throw new Error('an export left sets out');
      }
      const totalMb = setMb * SETS;
      const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
      return {
        sets: SETS,
        setMegabytes: round(setMb),
        labelMegabytes: Math.round(totalMb),
        firstPullSeconds: round(firstS),
        firstPullMBps: round(totalMb / firstS, 1),
        unchangedPullSeconds: round(againS, 3),
        workstationExportSeconds: round(wsS),
        workstationExportMBps: round(totalMb / wsS, 1),
        serverExportSeconds: round(serverS),
        serverExportMBps: round(totalMb / serverS, 1),
        pullPlusWorkstationExportSeconds: round(firstS + wsS),
        peakRssMbAfterSeed: afterSeedRss,
        peakRssMbAfterPull: afterPullRss,
        peakRssMbAfterWorkstationExport: afterWsRss,
        peakRssMbAfterServerExport: afterServerRss,
        loadAverageBefore: round(loadBefore),
        loadAverageAfter: round(loadavg()[0] ?? 0),
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

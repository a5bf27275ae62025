import { join } from 'node:path';
import { createServices } from '../src/main/services/createServices';
import { openDatabase } from '../src/main/services/db/openDatabase';
import { encodeFrameTimes } from '../src/main/services/media/frameTimesBlob';
import { SyncService, type SyncServiceOptions } from '../src/main/services/sync/syncService';
import { COCO_BODY_KEYPOINTS, COCO_BODY_TEMPLATE_ID } from '../src/shared/domain/labels';
import {
  bulkAssign,
  clipRefOf,
  openTestDb,
  seedTeam,
} from '../tests/integration/server/serverHarness';
import { seedWorkstation } from '../tests/integration/sync/workstationSeed';

/**
 * What the benchmarks of a lead's pull share (double-pull, team-pull): a team server on PGlite
 * with its clips assigned, the labels of a long clip, and the lead's workstation with those clips
 * imported, signed in.
 */

/** One annotator's labels of a clip: a COCO-17 person keyframed on every frame (~1 MB at 900). */
export function keyframedPerson(frames: number, dx: number, withSegment = false) {
  return {
    tracks: [
      {
        id: 'p1',
        kind: 'person',
        templateId: COCO_BODY_TEMPLATE_ID,
        label: 'Person 1',
        color: '#336699',
        keyframes: Array.from({ length: frames }, (_, frame) => ({
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
    segments: withSegment
      ? [{ id: 's1', startFrame: 10, endFrame: 200, verbId: 0, nounId: 1, actor: 'p1', note: '' }]
      : [],
    contacts: [],
  };
}

/** A PGlite team server (not listening yet) with `count` clips assigned to ann1, reviewed by rev1. */
export async function openTeamServer(prefix: string, count: number) {
  const opened = await openTestDb('pglite');
  const team = await seedTeam(opened.db);
  const clips = Array.from({ length: count }, (_, i) => clipRefOf(`${prefix}-${i}`));
  await bulkAssign(opened.db, {
    projectId: team.projectId,
    annotator: 'ann1',
    reviewer: 'rev1',
    clipRefs: clips,
  });
  return { ...opened, team, clips };
}

export type LeadClipFacts = {
  frames: number;
  /** Every clip's frame table; only the frame count is set when left out. */
  frameTimes?: readonly number[];
  /** The batch's contributor, region and consent record. */
  batch?: { contributor: string; region: string; consent: object };
};

/**
 * The lead's workstation in `dir` with the clips imported (checksums done) and `lead1` signed in
 * to `serverUrl`; background sync stopped, so only the benchmark's calls talk to the server.
 */
export function openLeadWorkstation(
  dir: string,
  clips: readonly string[],
  facts: LeadClipFacts,
  serverUrl: string,
  token: string,
  options: Pick<SyncServiceOptions, 'fetch' | 'timeoutMs'> = {},
) {
  const file = join(dir, 'lead.sqlite');
  seedWorkstation(file, [...clips], 'lead-1', { submit: false });
  const db = openDatabase(file);
  db.prepare('UPDATE clips SET frame_count = ?').run(facts.frames);
  if (facts.frameTimes !== undefined) {
    db.prepare('UPDATE frame_tables SET frame_count = ?, frame_times = ?').run(
      facts.frames,
      encodeFrameTimes(facts.frameTimes),
    );
  }
  if (facts.batch !== undefined) {
    db.prepare('UPDATE batches SET contributor = ?, region = ?, manifest_json = ?').run(
      facts.batch.contributor,
      facts.batch.region,
      JSON.stringify({ version: 1, consent: facts.batch.consent }),
    );
  }
  db.close();
  const services = createServices({ databasePath: file, actor: 'lead-1' });
  services.sync.stop();
  const sync = new SyncService({ store: services.store, actor: 'lead-1', ...options });
  sync.signIn(serverUrl, token);
  return { services, sync };
}

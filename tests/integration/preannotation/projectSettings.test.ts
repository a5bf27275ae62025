import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreannotationProgress } from '../../../src/shared/api/preannotationSchemas';
import { createServices } from '../../../src/main/services/createServices';
import sampleProject from '../../../resources/project.sample.json';
import { tempDir } from '../fixturePaths';
import { framewise } from '../runFramewise';

const MESSI = '/usr/share/doc/opencv-doc/examples/data/messi5.jpg';

/**
 * The lead's pre-annotation settings, end to end: a project file imported with `framewise project
 * import` into a real SQLite database, a real clip imported beside it, and the service's real
 * worker running BlazePose and the hand model on it.
 */
describe('pre-annotation settings from the project file', () => {
  const dir = tempDir('preannotation-project');
  const db = join(dir.path, 'framewise.sqlite');
  let projectId = '';
  let services: ReturnType<typeof createServices>;
  let clipId = '';

  beforeAll(async () => {
    // A selfie camera's clip: messi5.jpg mirrored, 1 s at 5 fps.
    const folder = join(dir.path, 'batch');
    mkdirSync(folder);
    execFileSync(ffmpegInstaller.path, [
      ...['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-i', MESSI],
      ...['-vf', 'hflip,format=yuv420p', '-t', '1', '-r', '5', '-c:v', 'libx264'],
      join(folder, 'selfie.mp4'),
    ]);
    const file = join(dir.path, 'selfie-project.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...sampleProject,
        name: 'Selfie study',
        preannotation: { scoreThreshold: 0.8, mirroredVideo: true },
      }),
    );
    const imported = await framewise(['project', 'import', file, '--db', db, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    projectId = (JSON.parse(imported.stdout) as { id: string }).id;

    services = createServices({ databasePath: db, actor: 'lead' });
    const report = await services.handlers.importBatch({ folder });
    clipId = services.store.media.listClips(report.batch.id)[0]?.id ?? '';
    expect(clipId).not.toBe('');
  });
  afterAll(() => {
    services.close();
    dir.remove();
  });

  async function run(request: { projectId?: string; scoreThreshold?: number }) {
    const seen: PreannotationProgress[] = [];
    const stop = services.events.subscribe((name, payload) => {
      if (name === 'preannotationProgress') seen.push(payload as PreannotationProgress);
    });
    try {
      const { jobId } = await services.handlers.startPreannotation({
        clipId,
        frames: { mode: 'current', frame: 0 },
        model: 'blazepose-full',
        ...request,
      });
      await services.preannotation.whenFinished(jobId);
      const mine = seen.filter((e) => e.jobId === jobId);
      expect(mine.at(-1)?.phase, mine.at(-1)?.error?.message).toBe('done');
      const pose = mine.flatMap((e) => e.proposals)[0]?.poses[0];
      if (!pose) throw new Error('no pose');
      return { thresholds: new Set(mine.map((e) => e.scoreThreshold)), pose };
    } finally {
      stop();
    }
  }

  /** The raised hand: his right, shown mirrored on the picture's right (x > 400 of 548). */
  function raisedHandSide(pose: { hands?: { side: string; keypoints: { x: number }[] }[] }) {
    const raised = pose.hands?.find((h) => h.keypoints.every((k) => k.x > 400));
    return raised?.side;
  }

  it('uses the lead’s threshold and names the mirrored picture’s hands by the person’s real side', async () => {
    const { thresholds, pose } = await run({ projectId });
    expect([...thresholds]).toEqual([0.8]);
    expect(raisedHandSide(pose)).toBe('right');
  });

  it('lets one run override the threshold; the default project keeps 0.5 and the pose model’s side', async () => {
    expect([...(await run({ projectId, scoreThreshold: 0.3 })).thresholds]).toEqual([0.3]);
    const plain = await run({});
    expect([...plain.thresholds]).toEqual([0.5]);
    // Without the mirrored setting the raised hand keeps the side the pose model saw: left.
    expect(raisedHandSide(plain.pose)).toBe('left');
  });
});

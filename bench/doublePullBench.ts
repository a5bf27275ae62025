import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markDoubleAnnotation } from '../src/server/doubleAnnotation';
import { call, listenInProcess } from '../tests/integration/server/serverHarness';
import { keyframedPerson, openLeadWorkstation, openTeamServer } from './teamSeed';

const CLIPS = 50;
const FRAMES = 900;

/**
 * Cross-machine agreement: two annotators' sets of 50 double-annotated 30 s clips (each set about
 * 1 MB of labels) pulled by the lead's workstation from a real server (in-process, PGlite), then
 * pulled again with nothing changed, then compared on the Agreement page.
 */
export async function runDoublePullBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-double-pull-'));
  const opened = await openTeamServer('double-pull', CLIPS);
  const { team, clips } = opened;
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
        const labels = keyframedPerson(FRAMES, dx);
        setBytes = JSON.stringify(labels).length;
        const answer = await call(server.url, 'PUT', `/v1/clips/${clipRef}/set`, {
          token,
          key: `bench-${token.slice(-8)}-${clipRef.slice(0, 12)}`,
          body: { baseRevision: 0, labels, localSetId: 'bench', localRevision: 1 },
        });
        if (answer.status !== 200) throw new Error(`push answered ${answer.status}`);
      }
    }
    const { services, sync } = openLeadWorkstation(
      dir,
      clips,
      { frames: FRAMES },
      server.url,
      team.tokens.lead1,
    );
    try {
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

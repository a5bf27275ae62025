import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../src/shared/api/schemas';
import { openStore } from '../src/main/services/store/openStore';

function probeWith(frameCount: number): ProbeResult {
  const frameTimes = Array.from({ length: frameCount }, (_, i) => i / 60);
  return {
    container: 'mp4',
    codec: 'avc1.64001f',
    codecFamily: 'h264',
    width: 1920,
    height: 1080,
    rotation: 0,
    durationSeconds: frameCount / 60,
    frameCount,
    frameTableSource: 'mp4box',
    flagged: { location: null, make: 'Apple', model: 'iPhone 15', creationTime: null },
    frameTimes,
    lastFrameDurationSeconds: 1 / 60,
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * The store on this machine's disk with synchronous=FULL, one transaction per `addClip` as the
 * importer does it: 1,000 clips of 100 frames, then one 30-minute 60 fps frame table.
 */
function measureStore(): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'framewise-store-bench-'));
  const store = openStore(join(dir, 'framewise.sqlite'));
  try {
    const batch = store.media.upsertBatch({ folder: dir, name: 'bench', manifest: null }, 'bench');
    const probe = probeWith(100);
    const durations: number[] = [];
    const started = performance.now();
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      store.media.addClip(
        {
          batchId: batch.id,
          relativePath: `clips/${String(i).padStart(4, '0')}.mp4`,
          filePath: join(dir, 'clips', `${i}.mp4`),
          sizeBytes: 50_000_000,
          mtimeMs: Date.now(),
          fingerprint: `fingerprint-${i}`,
          expectedSha256: null,
          probe,
        },
        'bench',
      );
      durations.push(performance.now() - t0);
    }
    const totalMs = performance.now() - started;
    durations.sort((a, b) => a - b);

    let t0 = performance.now();
    const clips = store.media.listClips(batch.id);
    const listClipsMs = performance.now() - t0;

    const long = probeWith(108_000);
    t0 = performance.now();
    const longClip = store.media.addClip(
      {
        batchId: batch.id,
        relativePath: 'long.mp4',
        filePath: join(dir, 'long.mp4'),
        sizeBytes: 2_000_000_000,
        mtimeMs: Date.now(),
        fingerprint: 'fingerprint-long',
        expectedSha256: null,
        probe: long,
      },
      'bench',
    );
    const addLongMs = performance.now() - t0;
    t0 = performance.now();
    const table = store.media.getFrameTable(longClip.id);
    const readLongMs = performance.now() - t0;
    if (clips.length !== 1000 || table?.frameTimes.length !== 108_000) {
      throw new Error('The store bench did not read back what it wrote');
    }

    return {
      addClip1000x100FramesTotalMs: round(totalMs),
      addClipMeanMs: round(totalMs / 1000),
      addClipP50Ms: round(percentile(durations, 50)),
      addClipP95Ms: round(percentile(durations, 95)),
      addClipMaxMs: round(percentile(durations, 100)),
      listClips1000Ms: round(listClipsMs),
      addClip108kFramesMs: round(addLongMs),
      getFrameTable108kFramesMs: round(readLongMs),
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For the bench runner; the store is synchronous, so this only defers the work by a tick. */
export function runStoreBench(): Promise<Record<string, number>> {
  return Promise.resolve().then(measureStore);
}

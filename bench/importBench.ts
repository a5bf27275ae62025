import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServices } from '../src/main/services/createServices';

const CLIPS = 1000;

/** A top-level MP4 `free` box: valid to every parser, and makes each copy's bytes distinct. */
function freeBox(index: number): Buffer {
  const payload = Buffer.from(`framewise-bench-${index}`.padEnd(24, '.'));
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write('free', 4, 'latin1');
  return Buffer.concat([header, payload]);
}

/** 1,000 distinct short clips, made from 10 ffmpeg sources (30/29.97/60 fps, 1–3 s, B-frames). */
function makeBatch(workDir: string): string {
  const sources = join(workDir, 'sources');
  const batch = join(workDir, 'batch');
  if (existsSync(batch) && readdirSync(batch).length === CLIPS) return batch;
  rmSync(batch, { recursive: true, force: true });
  mkdirSync(sources, { recursive: true });
  mkdirSync(batch, { recursive: true });
  const rates = ['30', '30000/1001', '60'];
  const sourceFiles: string[] = [];
  for (let i = 0; i < 10; i++) {
    const file = join(sources, `s${i}.mp4`);
    if (!existsSync(file)) {
      execFileSync('ffmpeg', [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=320x240:rate=${rates[i % 3] ?? '30'}:duration=${1 + (i % 3)}`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-bf',
        '2',
        '-pix_fmt',
        'yuv420p',
        file,
      ]);
    }
    sourceFiles.push(file);
  }
  for (let i = 0; i < CLIPS; i++) {
    const target = join(batch, `clip${String(i).padStart(4, '0')}.mp4`);
    copyFileSync(sourceFiles[i % sourceFiles.length] ?? '', target);
    appendFileSync(target, freeBox(i));
  }
  return batch;
}

export async function runImportBench(workDir: string): Promise<Record<string, number>> {
  const batch = makeBatch(workDir);
  const bytes = readdirSync(batch).reduce((sum, f) => sum + statSync(join(batch, f)).size, 0);
  const db = join(workDir, 'import-bench.sqlite');
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  const services = createServices({ databasePath: db, actor: 'bench' });
  try {
    const started = performance.now();
    const report = await services.handlers.importBatch({ folder: batch });
    const indexed = performance.now();
    await services.checksums.whenIdle();
    const hashed = performance.now();
    const ok = report.files.filter((f) => f.status === 'ok').length;
    if (ok !== CLIPS) throw new Error(`only ${ok} of ${CLIPS} clips imported`);
    const frames = services.store.media
      .listClips(report.batch.id)
      .reduce((sum, c) => sum + c.frameCount, 0);
    const indexSeconds = (indexed - started) / 1000;
    const hashSeconds = (hashed - indexed) / 1000;
    return {
      clips: CLIPS,
      frames,
      megabytes: +(bytes / 1e6).toFixed(1),
      indexSeconds: +indexSeconds.toFixed(2),
      indexClipsPerSecond: +(CLIPS / indexSeconds).toFixed(1),
      checksumSeconds: +hashSeconds.toFixed(2),
      checksumClipsPerSecond: +(CLIPS / hashSeconds).toFixed(1),
      checksumMegabytesPerSecond: +(bytes / 1e6 / hashSeconds).toFixed(1),
      targetIndexSeconds: 30,
      ratioToTarget: +(indexSeconds / 30).toFixed(3),
    };
  } finally {
    services.close();
  }
}

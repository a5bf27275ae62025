import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { streamCopyWithoutMetadata } from '../src/node/media/ffmpeg';
import { probeVideo } from '../src/node/media/probeVideo';
import { copyWithoutMetadata, neutraliseMp4Metadata } from '../src/node/media/stripMetadata';

const TARGET_BYTES = 1024 ** 3;

function ffmpeg(args: string[]): void {
  execFileSync('/usr/bin/ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    ...args,
  ]);
}

/**
 * A ~1 GB phone-like QuickTime clip with location, device and creation time, made once: a
 * 10-second 720p noisy H.264 segment (near-lossless, so it is large) concatenated by stream copy
 * until it passes 1 GiB, then tagged as an iPhone would. No re-encode of the long file.
 */
function makeSource(folder: string): string {
  const file = join(folder, 'phone1g.mov');
  if (existsSync(file) && statSync(file).size >= TARGET_BYTES * 0.95) return file;
  mkdirSync(folder, { recursive: true });
  const segment = join(folder, 'seg.mp4');
  if (!existsSync(segment)) {
    ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=10',
      '-vf', 'noise=alls=60:allf=t',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '8', segment,
    ]); // prettier-ignore
  }
  const copies = Math.ceil(TARGET_BYTES / statSync(segment).size);
  const list = join(folder, 'list.txt');
  writeFileSync(list, Array.from({ length: copies }, () => `file 'seg.mp4'\n`).join(''));
  const partial = `${file}.partial.mov`;
  ffmpeg([
    '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy',
    '-metadata', 'location=+37.7749-122.4194/', '-metadata', 'make=Apple',
    '-metadata', 'model=iPhone 12', '-metadata', 'creation_time=2024-05-01T12:34:56Z', partial,
  ]); // prettier-ignore
  renameSync(partial, file);
  return file;
}

/**
 * Time to strip location, device and creation-time metadata from a 1 GB clip the way export does
 * (stream copy, no re-encode): the whole `copyWithoutMetadata` (copy, neutralise the metadata
 * boxes in place, re-probe and compare every frame time), the in-place neutralising alone, and,
 * for comparison, an ffmpeg stream copy without metadata (the path for non-MP4 containers).
 */
export async function runStripBench(workDir: string): Promise<Record<string, number>> {
  const folder = join(workDir, 'strip');
  const source = makeSource(folder);
  const sizeBytes = statSync(source).size;
  const probe = await probeVideo(source);
  if (probe.flagged.location === null) throw new Error('The bench clip carries no location');
  const out = join(folder, 'clean.mov');
  const scratch = join(folder, 'scratch.mov');
  const ffOut = join(folder, 'ffmpeg-clean.mov');
  for (const file of [out, scratch, ffOut]) rmSync(file, { force: true });

  let started = performance.now();
  await copyWithoutMetadata(source, out, {
    container: probe.container,
    frameTimes: probe.frameTimes,
  });
  const copyAndStripMs = performance.now() - started;
  const check = await probeVideo(out);
  rmSync(out);

  copyFileSync(source, scratch);
  started = performance.now();
  const report = await neutraliseMp4Metadata(scratch);
  const neutraliseInPlaceMs = performance.now() - started;
  rmSync(scratch);

  started = performance.now();
  await streamCopyWithoutMetadata(source, ffOut);
  const ffmpegStreamCopyMs = performance.now() - started;
  const ffCheck = await probeVideo(ffOut);
  rmSync(ffOut);

  const gib = sizeBytes / 1024 ** 3;
  return {
    sizeBytes,
    frames: probe.frameCount,
    copyAndStripMs: Math.round(copyAndStripMs),
    copyAndStripMBps: Math.round(sizeBytes / 1e6 / (copyAndStripMs / 1000)),
    copyAndStripMsPerGiB: Math.round(copyAndStripMs / gib),
    neutraliseInPlaceMs: Math.round(neutraliseInPlaceMs * 10) / 10,
    boxesNeutralised: report.neutralised.length,
    headerTimesZeroed: report.timesZeroed.length,
    ffmpegStreamCopyMs: Math.round(ffmpegStreamCopyMs),
    flaggedAfterCopy: Object.values(check.flagged).filter((v) => v !== null).length,
    flaggedAfterFfmpeg: Object.values(ffCheck.flagged).filter((v) => v !== null).length,
    frameTableUnchanged: check.frameTimes.every((t, i) => t === probe.frameTimes[i]) ? 1 : 0,
  };
}

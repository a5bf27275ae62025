import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServices } from '../src/main/services/createServices';
import { readSampleTable } from '../src/main/services/media/sampleTable';

const WIDTH = 1920;
const HEIGHT = 1080;
const FPS = 30;
const SECONDS = 10;

/** A 1080p 10-second HEVC clip (what an iPhone records), made once with Debian's ffmpeg. */
function makeSource(folder: string): string {
  const file = join(folder, 'hevc1080p.mp4');
  if (existsSync(file)) return file;
  mkdirSync(folder, { recursive: true });
  const partial = `${file}.partial`;
  execFileSync('/usr/bin/ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${WIDTH}x${HEIGHT}:rate=${FPS}:duration=${SECONDS}`,
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    'log-level=error',
    '-tag:v',
    'hvc1',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mp4',
    partial,
  ]);
  renameSync(partial, file);
  return file;
}

/**
 * Proxy creation speed: one HEVC 1080p clip through the real proxy service (bundled ffmpeg 4.1,
 * libx264 veryfast, then the frame-table check), plus how long reading sample tables takes.
 */
export async function runProxyBench(workDir: string): Promise<Record<string, number>> {
  const sourceFolder = join(workDir, 'proxy', 'source');
  const source = makeSource(sourceFolder);
  const dataDir = join(workDir, 'proxy', 'data');
  rmSync(dataDir, { recursive: true, force: true });
  const services = createServices({
    databasePath: join(dataDir, 'framewise.sqlite'),
    actor: 'bench',
  });
  try {
    const report = await services.handlers.importBatch({ folder: sourceFolder });
    const imported = report.files[0];
    if (imported?.status !== 'ok')
      throw new Error(`The bench clip did not import: ${JSON.stringify(imported)}`);
    await services.checksums.whenIdle();
    const frames = imported.summary.frameCount;

    const started = performance.now();
    services.proxies.ensure(imported.clipId);
    await services.proxies.whenIdle();
    const seconds = (performance.now() - started) / 1000;
    const status = services.proxies.status(imported.clipId);
    if (status.state !== 'ready')
      throw new Error(`The bench proxy failed: ${status.message ?? ''}`);
    const proxyPath = services.proxies.readyFile(imported.clipId) ?? '';

    const readStarted = performance.now();
    await readSampleTable(source);
    const sourceTableMs = performance.now() - readStarted;
    const proxyReadStarted = performance.now();
    await readSampleTable(proxyPath);
    const proxyTableMs = performance.now() - proxyReadStarted;

    const round = (value: number, digits = 2) => Number(value.toFixed(digits));
    return {
      frames,
      proxySeconds: round(seconds),
      proxyFramesPerSecond: round(frames / seconds, 1),
      proxyRealtimeRatio: round(imported.summary.durationSeconds / seconds),
      proxyMegabytes: round(statSync(proxyPath).size / 2 ** 20),
      sourceMegabytes: round(statSync(source).size / 2 ** 20),
      sampleTableSourceMs: round(sourceTableMs),
      sampleTableProxyMs: round(proxyTableMs),
    };
  } finally {
    services.close();
  }
}

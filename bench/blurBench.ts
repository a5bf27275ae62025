import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { copyWithBlurredFaces } from '../src/main/services/faces/blurCopy';
import { blurTimescaleOf } from '../src/main/services/faces/blurTimescale';
import { createFaceDetector } from '../src/main/services/faces/faceModel';
import { faceInputSize } from '../src/main/services/faces/faceScanService';
import { readFrames } from '../src/main/services/faces/rawFrames';
import { probeVideo } from '../src/node/media/probeVideo';
import { copyWithoutMetadata } from '../src/node/media/stripMetadata';
import { DEFAULT_BLUR } from '../src/shared/domain/faces/blurFrame';
import { faceRecall, linkFaceTracks, type FaceBox } from '../src/shared/domain/faces/faceTracks';
import { facesOnFrame, makePanClip, markedFaces } from '../tests/support/faceClips';

const WIDTH = 1920;
const HEIGHT = 1080;
const FRAMES = 150;
const DETECT_FRAMES = 30;

/** 5 s of 1080p30 H.264: opencv-doc's messi5.jpg enlarged and panned (a face and a crowd). */
function makeSource(folder: string): string {
  const file = join(folder, 'messi1080p.mp4');
  if (existsSync(file)) return file;
  mkdirSync(folder, { recursive: true });
  const partial = `${file}.partial.mp4`;
  execFileSync('/usr/bin/ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-loop', '1', '-framerate', '30'],
    ...['-i', '/usr/share/doc/opencv-doc/examples/data/messi5.jpg'],
    ...['-vf', `scale=2200:1374,crop=${WIDTH}:${HEIGHT}:n*2:n,format=yuv420p`],
    ...['-frames:v', String(FRAMES), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20'],
    partial,
  ]);
  renameSync(partial, file);
  return file;
}

/**
 * Face blurring on the CPU: detection frames per second with the wasm backend (the decode
 * included, and the model alone) on a 1080p clip seen at the scan's 1280 px; the detector's
 * recall on the hand-marked opencv-doc photographs of tests/fixtures/faces; and the blurred
 * export copy (decode, blur, H.264 encode, retime, verify) beside the plain copy export makes
 * today (metadata removed in place, no re-encode) and a plain ffmpeg re-encode.
 */
export async function runBlurBench(workDir: string): Promise<Record<string, number>> {
  const folder = join(workDir, 'blur');
  const source = makeSource(folder);
  const probe = await probeVideo(source);
  const detector = await createFaceDetector({ backend: 'wasm' });
  const size = faceInputSize({ width: WIDTH, height: HEIGHT });

  // Detection over the first DETECT_FRAMES frames, as the scan job runs it.
  const detections: FaceBox[][] = [];
  let inferMs = 0;
  const started = performance.now();
  for await (const data of readFrames({ input: source, ...size, pixelFormat: 'rgb24' })) {
    const t0 = performance.now();
    detections.push(await detector.detect({ data, ...size }));
    inferMs += performance.now() - t0;
    if (detections.length === DETECT_FRAMES) break;
  }
  const detectMs = performance.now() - started;

  // Recall on the marked photographs (the same clips faceRecall.test.ts measures).
  const marked = markedFaces(join(import.meta.dirname, '..'));
  let found = 0;
  let total = 0;
  for (const image of marked.images) {
    const clip = join(folder, `${image.name}.mp4`);
    makePanClip(image, marked, clip);
    let frame = 0;
    for await (const data of readFrames({
      input: clip,
      width: image.clip.width,
      height: image.clip.height,
      pixelFormat: 'rgb24',
    })) {
      const boxes = await detector.detect({
        data,
        width: image.clip.width,
        height: image.clip.height,
      });
      const score = faceRecall(facesOnFrame(image, frame), boxes);
      found += score.found;
      total += score.marked;
      frame += 1;
    }
  }

  // Regions for the whole clip: the detected face, scaled to 1080p, held on every frame.
  const scale = WIDTH / size.width;
  const tracks = linkFaceTracks(
    Array.from({ length: FRAMES }, (_, n) =>
      (detections[Math.min(n, detections.length - 1)] ?? []).map((b) => ({
        x: b.x * scale + 2 * n,
        y: b.y * scale + n,
        width: b.width * scale,
        height: b.height * scale,
        score: b.score,
      })),
    ),
  );
  const blurred = join(folder, 'blurred.mp4');
  const plain = join(folder, 'plain.mp4');
  const reencoded = join(folder, 'reencoded.mp4');
  for (const file of [blurred, plain, reencoded]) rmSync(file, { force: true });
  let t = performance.now();
  const result = await copyWithBlurredFaces(source, blurred, {
    frameTimes: probe.frameTimes,
    width: WIDTH,
    height: HEIGHT,
    tracks,
    settings: DEFAULT_BLUR,
    timescale: await blurTimescaleOf(source, probe.container),
  });
  const blurMs = performance.now() - t;
  t = performance.now();
  await copyWithoutMetadata(source, plain, {
    container: probe.container,
    frameTimes: probe.frameTimes,
  });
  const plainMs = performance.now() - t;
  t = performance.now();
  execFileSync('/usr/bin/ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', source],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-bf', '0', reencoded],
  ]);
  const reencodeMs = performance.now() - t;
  const copy = await probeVideo(blurred);
  for (const file of [blurred, plain, reencoded]) rmSync(file, { force: true });

  const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    // Two cores shared with other builds: the load while this ran divides every speed here.
    loadAverage1m: round(loadavg()[0] ?? 0, 1),
    detectFrames: detections.length,
    detectInputWidth: size.width,
    detectInputHeight: size.height,
    detectFpsWithDecode: round(detections.length / (detectMs / 1000)),
    detectFpsModelOnly: round(detections.length / (inferMs / 1000)),
    facesOnFirstFrame: detections[0]?.length ?? 0,
    recallFound: found,
    recallMarked: total,
    recall: round(found / total, 3),
    exportFrames: FRAMES,
    blurredRegions: result.regions,
    blurExportFps1080p: round(FRAMES / (blurMs / 1000), 1),
    plainCopyFps1080p: round(FRAMES / (plainMs / 1000), 1),
    plainReencodeFps1080p: round(FRAMES / (reencodeMs / 1000), 1),
    blurFrameTableUnchanged: copy.frameTimes.every((v, i) => v === probe.frameTimes[i]) ? 1 : 0,
  };
}

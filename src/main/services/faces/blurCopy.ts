import { spawn } from 'node:child_process';
import { open, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { CodedError } from '../../../shared/domain/codedError';
import { blurYuv420, type BlurSettings } from '../../../shared/domain/faces/blurFrame';
import type { FaceTrack } from '../../../shared/domain/faces/faceTracks';
import {
  blurRegionsAt,
  ExclusionRuns,
  type ExclusionRun,
  type WearerHand,
} from '../../../shared/domain/faces/wearerHands';
import { retimeMoov } from '../../../shared/domain/faces/retimeMoov';
import { ffmpegInUse } from '../../../node/media/ffmpeg';
import { limitedCommand, MEMORY_LIMIT_MIB } from '../../../node/media/mediaBinaries';
import { readMp4Layout } from '../../../node/media/mp4Boxes';
import { probeVideo } from '../../../node/media/probeVideo';
import { readFrames } from './rawFrames';

export type BlurCopyErrorCode = 'NOT_BLURRABLE' | 'FRAME_TABLE_CHANGED' | 'METADATA_REMAINS';

/** A blurred copy could not be made, or came out with other frames than its source: never exported. */
export class BlurCopyError extends CodedError<BlurCopyErrorCode> {
  override name = 'BlurCopyError';
}

/** Frame times may differ by this much (seconds) between the copy and the source, as for proxies. */
const PTS_TOLERANCE_SECONDS = 1e-6;

export type BlurCopyResult = {
  frameCount: number;
  /** Rectangles blurred over all frames. */
  regions: number;
  timescale: number;
  /** Where a face region was dropped or cut for the camera wearer's own hand. */
  wearerExclusions: ExclusionRun[];
};

/**
 * Writes `destination` (an MP4 that must not exist): the clip's displayed (upright) picture,
 * every frame, each face region blurred, H.264, with the source's frame times exactly.
 *
 * One ffmpeg decodes every frame to yuv420p (`readFrames`), the regions are blurred here, and a
 * second ffmpeg encodes the raw frames without B-frames or edit list, moov last. Raw frames carry
 * no times, so the copy's time table (stts) is then rewritten from the source's frame table
 * (`retimeMoov`), in `timescale` ticks (the source track's, so every time is a whole tick). The
 * copy is probed like an import: its frame table must equal the source's within a microsecond and
 * it must carry no location, device or date metadata (none is passed in: the encoder sees pixels
 * only), or it is deleted and refused. The copy has no rotation: it is stored upright.
 */
export async function copyWithBlurredFaces(
  source: string,
  destination: string,
  options: {
    frameTimes: readonly number[];
    /** The displayed size of the clip; face boxes are in these pixels. */
    width: number;
    height: number;
    tracks: readonly FaceTrack[];
    settings: BlurSettings;
    /** The camera wearer's hands on a frame: never blurred (`blurRegionsAt`). */
    wearerHandsAt?: (frame: number) => readonly WearerHand[];
    timescale: number;
    signal?: AbortSignal;
  },
): Promise<BlurCopyResult> {
  const { width, height, frameTimes, signal } = options;
  const name = basename(source);
  // 4:2:0 cannot halve an odd side, so H.264 4:2:0 has no odd sizes (its crop steps by two). An
  // odd-sized picture is carried whole in 4:4:4 (High 4:4:4 Predictive, which Chromium decodes):
  // the same size, the same pixels for labels, every frame kept.
  const chroma = width % 2 === 0 && height % 2 === 0 ? 'yuv420p' : 'yuv444p';
  const ticks = frameTimes.map((t) => Math.round(t * options.timescale));
  const partial = `${destination}.partial`;
  const binary = (await ffmpegInUse()).path;
  const args = [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y'],
    ...['-f', 'rawvideo', '-pix_fmt', chroma, '-s', `${width}x${height}`, '-framerate', '30'],
    ...['-i', 'pipe:0', '-map_metadata', '-1', '-an', '-sn', '-dn'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', chroma],
    ...['-g', '30', '-bf', '0', '-use_editlist', '0'],
    ...['-video_track_timescale', String(options.timescale), '-f', 'mp4', partial],
  ];
  const tool = limitedCommand(binary, args, MEMORY_LIMIT_MIB.encode);
  const encoder = spawn(tool.command, tool.args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  encoder.stderr.setEncoding('utf8');
  encoder.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4096)));
  const exited = new Promise<number | null>((resolve) => encoder.on('close', resolve));
  const onAbort = () => encoder.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  let frame = 0;
  let regions = 0;
  const excluded = new ExclusionRuns();
  try {
    try {
      for await (const data of readFrames({
        input: source,
        width,
        height,
        pixelFormat: chroma,
        ...(signal ? { signal } : {}),
      })) {
        const { rects, exclusions } = blurRegionsAt(
          options.tracks,
          frame,
          { width, height },
          options.settings.padding,
          options.wearerHandsAt?.(frame) ?? [],
        );
        excluded.add(frame, exclusions);
        blurYuv420({ data, width, height, chroma }, rects, options.settings);
        regions += rects.length;
        frame += 1;
        if (!encoder.stdin.write(data)) {
          await new Promise<void>((resolve) => encoder.stdin.once('drain', resolve));
        }
      }
    } finally {
      encoder.stdin.end();
    }
    const code = await exited;
    signal?.throwIfAborted();
    if (code !== 0) {
      throw new BlurCopyError(
        'NOT_BLURRABLE',
        `ffmpeg could not encode the blurred copy of "${name}" (exit code ${String(code)}): ${stderr.trim()}`,
      );
    }
    if (frame !== frameTimes.length) {
      throw new BlurCopyError(
        'FRAME_TABLE_CHANGED',
        `ffmpeg decoded ${frame} frames of "${name}" where its frame table has ${frameTimes.length}; the blurred copy was not exported.`,
      );
    }
    await retime(partial, ticks, options.timescale, name);
    const probe = await probeVideo(partial);
    const differs =
      probe.frameTimes.length !== frameTimes.length ||
      probe.frameTimes.some(
        (t, i) => !(Math.abs(t - (frameTimes[i] ?? NaN)) <= PTS_TOLERANCE_SECONDS),
      );
    if (differs) {
      const at = probe.frameTimes.findIndex(
        (t, i) => !(Math.abs(t - (frameTimes[i] ?? NaN)) <= PTS_TOLERANCE_SECONDS),
      );
      throw new BlurCopyError(
        'FRAME_TABLE_CHANGED',
        `The blurred copy of "${name}" has ${probe.frameTimes.length} frames (the original ${frameTimes.length})${at >= 0 ? `, differing first at frame ${at}` : ''}; it was not exported.`,
      );
    }
    const remaining = Object.entries(probe.flagged).filter(([, value]) => value !== null);
    if (remaining.length > 0) {
      throw new BlurCopyError(
        'METADATA_REMAINS',
        `The blurred copy of "${name}" carries ${remaining.map(([k]) => k).join(', ')}; it was not exported.`,
      );
    }
    await rename(partial, destination);
    return {
      frameCount: frame,
      regions,
      timescale: options.timescale,
      wearerExclusions: excluded.runs,
    };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (encoder.exitCode === null) encoder.kill('SIGKILL');
  }
}

/** Rewrites the copy's moov (the last box) with the source's frame times. */
async function retime(file: string, ticks: readonly number[], timescale: number, name: string) {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const layout = await readMp4Layout(handle, size);
    const moovBox = layout.boxes[layout.boxes.length - 1];
    const moov = moovBox === undefined ? undefined : layout.index.get(moovBox.start);
    if (moovBox?.type !== 'moov' || moov === undefined) {
      throw new BlurCopyError(
        'NOT_BLURRABLE',
        `The blurred copy of "${name}" does not end with its moov box.`,
      );
    }
    const result = retimeMoov(moov, ticks, timescale);
    if ('refused' in result) {
      throw new BlurCopyError(
        'FRAME_TABLE_CHANGED',
        `The blurred copy of "${name}" cannot take the clip's frame times: ${result.refused}.`,
      );
    }
    await handle.write(result.moov, 0, result.moov.byteLength, moovBox.start);
    await handle.truncate(moovBox.start + result.moov.byteLength);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

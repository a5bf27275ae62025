import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { chooseTool, limitedCommand, MEMORY_LIMIT_MIB, TOOL_NOT_FOUND_EXIT } from './mediaBinaries';

/**
 * The one module that runs ffmpeg (STYLE.md §9). The binary is the system's when it is newer than
 * the static build shipped by `@ffmpeg-installer/ffmpeg` (FFmpeg 4.1, December 2018), else that
 * build (mediaBinaries.ts), so options are ones 4.1 and later both take: `-vsync` rather than
 * `-fps_mode`. Every run is on a contributor's file, so it gets a memory ceiling and a time limit
 * past which it is killed (SIGKILL) and the call fails with an FfmpegError saying so.
 */

export type ProxyEncodeOptions = {
  input: string;
  /** Written as MP4 whatever its extension (so a temporary name works). */
  output: string;
  /**
   * The source track's media timescale, kept so every pts is representable exactly. Null for
   * sources without one (WebM): the muxer then picks a multiple of the source time base.
   */
  timescale: number | null;
  /** Called with the number of frames encoded so far (ffmpeg's `-progress` `frame=` lines). */
  onFrames?: (frames: number) => void;
  signal?: AbortSignal;
  /** Defaults to the ffmpeg `ffmpegInUse` picks. */
  ffmpegPath?: string;
  /** Killed past this; defaults to two hours (a long clip on a slow machine). */
  timeoutMs?: number;
};

export const PROXY_TIMEOUT_MS = 2 * 60 * 60 * 1000;
export const COPY_TIMEOUT_MS = 30 * 60 * 1000;
export const DECODE_TIMEOUT_MS = 60 * 1000;

/** ffmpeg ran and failed (or could not start); `stderrTail` holds its last words. */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/** How much of ffmpeg's stderr to keep: the error is at the end, and the start is noise. */
const STDERR_TAIL_BYTES = 4096;

/**
 * The argument list for an H.264 proxy that keeps every frame at its own timestamp:
 *
 * - `-vsync passthrough` and `-enc_time_base -1`: no frame is dropped, duplicated or retimed,
 *   and the encoder counts time in the source's time base (FFmpeg 4.1 otherwise uses 1/fps and
 *   rounds variable-rate timestamps onto that grid).
 * - `-video_track_timescale`: the proxy's track has the source's timescale, so pts are equal in
 *   ticks, not only in seconds.
 * - `-noautorotate`: the picture is not turned; FFmpeg 4.1 then copies the source's display
 *   matrix into the proxy's tkhd, so the proxy shows upright exactly as the source does and its
 *   coded picture (and the WebCodecs output) is the source's. The proxy service checks that the
 *   proxy's rotation equals the source's.
 * - `-g 30`: a keyframe at least every 30 frames, so a seek or an exact WebCodecs decode never
 *   starts far back.
 * - `-bf 0` and `-use_editlist 0`: no B-frames, so pts = dts from 0 and the proxy needs no edit
 *   list. FFmpeg 4.1 ends its edit list at the last frame's pts when that frame has no known
 *   duration (every variable-rate source), which hides the last frame (ffprobe flags it discard):
 *   measured on the VFR and WebM fixtures, 89 of 90 and 59 of 60 frames. Without B-frames and
 *   edit list every frame is shown at exactly its cts, and decoding needs no reordering either.
 */
export function proxyArgs(options: Pick<ProxyEncodeOptions, 'input' | 'output' | 'timescale'>) {
  return [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-y',
    '-noautorotate',
    '-i',
    options.input,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '18',
    '-pix_fmt',
    'yuv420p',
    '-g',
    '30',
    '-bf',
    '0',
    '-vsync',
    'passthrough',
    '-enc_time_base',
    '-1',
    ...(options.timescale === null ? [] : ['-video_track_timescale', String(options.timescale)]),
    '-use_editlist',
    '0',
    '-movflags',
    '+faststart',
    '-progress',
    'pipe:1',
    '-f',
    'mp4',
    options.output,
  ];
}

/** Encodes `input`'s first video track to an H.264 MP4 proxy at `output`. Rejects with FfmpegError. */
export async function encodeH264Proxy(options: ProxyEncodeOptions): Promise<void> {
  const binary = options.ffmpegPath ?? (await ffmpegInUse()).path;
  const name = basename(options.input);
  const timeoutMs = options.timeoutMs ?? PROXY_TIMEOUT_MS;
  options.signal?.throwIfAborted();
  await new Promise<void>((resolve, reject) => {
    const tool = limitedCommand(binary, proxyArgs(options), MEMORY_LIMIT_MIB.encode);
    const child = spawn(tool.command, tool.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stderr = '';
    let pending = '';
    let settled = false;
    const stopTimer = killAfter(child, timeoutMs, () =>
      finish(timedOut(`convert "${name}"`, timeoutMs, stderr)),
    );
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      stopTimer();
      options.signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = () => {
      child.kill('SIGKILL');
      finish(
        options.signal?.reason instanceof Error
          ? options.signal.reason
          : new DOMException('The proxy encode was cancelled.', 'AbortError'),
      );
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const frames = /^frame=(\d+)\s*$/u.exec(line)?.[1];
        if (frames !== undefined) options.onFrames?.(Number(frames));
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      finish(
        new FfmpegError(
          `ffmpeg could not be started to convert "${name}" (${error.message}).`,
          '',
          null,
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        finish(null);
        return;
      }
      if (code === TOOL_NOT_FOUND_EXIT) {
        finish(notStarted(`convert "${name}"`, binary));
        return;
      }
      const tail = stderr.trim();
      const lastLines = tail.split('\n').slice(-3).join(' / ');
      finish(
        new FfmpegError(
          `ffmpeg could not convert "${name}" (${
            signal === null ? `exit code ${String(code)}` : `killed by ${signal}`
          })` + (lastLines === '' ? '.' : `: ${lastLines}`),
          tail,
          code,
        ),
      );
    });
  });
}

/** Kills `child` (SIGKILL) once `ms` pass and reports it; returns what cancels the timer. */
function killAfter(child: ChildProcess, ms: number, onTimeout: () => void): () => void {
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
    onTimeout();
  }, ms);
  return () => clearTimeout(timer);
}

function timedOut(what: string, ms: number, stderr: string): FfmpegError {
  return new FfmpegError(
    `ffmpeg took longer than ${Math.round(ms / 1000)} s to ${what} and was stopped: the file may ` +
      'be damaged or built to stall a decoder.',
    stderr.trim(),
    null,
  );
}

function notStarted(what: string, binary: string): FfmpegError {
  return new FfmpegError(`ffmpeg could not be started to ${what} (${binary} not found).`, '', null);
}

/** The ffmpeg every run here uses, with its version (for the export's provenance). */
export function ffmpegInUse(): Promise<{ path: string; version: string | null }> {
  return chooseTool('ffmpeg', bundledFfmpegPath);
}

async function bundledFfmpegPath(): Promise<string> {
  try {
    const installer = await import('@ffmpeg-installer/ffmpeg');
    // Packaged Electron apps unpack native binaries beside the asar archive.
    return installer.default.path.replace('app.asar', 'app.asar.unpacked');
  } catch (error) {
    throw new FfmpegError(
      `ffmpeg is not installed with this copy of Framewise, so proxies cannot be made (${
        error instanceof Error ? error.message : String(error)
      }).`,
      '',
      null,
    );
  }
}

/**
 * Copies `input`'s streams to `output` without re-encoding and without container metadata or
 * chapters (`-map_metadata -1`, also per stream): the export's path for containers other than
 * MP4/MOV, whose metadata boxes are neutralised in place instead (stripMetadata.ts). Packets keep
 * their timestamps (`-copyts`, `-vsync passthrough`), which the caller verifies on the frame table.
 */
export async function streamCopyWithoutMetadata(
  input: string,
  output: string,
  signal?: AbortSignal,
  timeoutMs = COPY_TIMEOUT_MS,
): Promise<void> {
  const binary = (await ffmpegInUse()).path;
  signal?.throwIfAborted();
  const args = [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y', '-i', input],
    ...['-map', '0', '-c', 'copy', '-copyts', '-vsync', 'passthrough'],
    ...['-map_metadata', '-1', '-map_metadata:s', '-1', '-map_chapters', '-1', output],
  ];
  await new Promise<void>((resolve, reject) => {
    const tool = limitedCommand(binary, args, MEMORY_LIMIT_MIB.copy);
    const child = spawn(tool.command, tool.args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
    });
    let stderr = '';
    let expired = false;
    const stopTimer = killAfter(child, timeoutMs, () => (expired = true));
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      stopTimer();
      signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`ffmpeg could not be started (${error.message}).`, '', null));
    });
    child.on('close', (code) => {
      stopTimer();
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(new DOMException('The copy was cancelled.', 'AbortError'));
      else if (expired) reject(timedOut(`copy "${basename(input)}"`, timeoutMs, stderr));
      else if (code === TOOL_NOT_FOUND_EXIT)
        reject(notStarted(`copy "${basename(input)}"`, binary));
      else if (code === 0) resolve();
      else {
        reject(
          new FfmpegError(
            `ffmpeg could not copy "${basename(input)}" (exit code ${String(code)}): ${stderr.trim()}`,
            stderr,
            code,
          ),
        );
      }
    });
  });
}

export type DecodedRgbFrame = { data: Uint8Array; width: number; height: number };

/**
 * Decodes the one frame presented at `seekSeconds` (seconds from the file's start time, as `-ss`
 * counts) to packed RGB scaled to exactly `width`×`height`: the pose model's input.
 *
 * `-ss` before `-i` seeks to the keyframe before and, with 4.1's default `-accurate_seek`, drops
 * every frame presented before the target, so the first frame out is the first at or after it;
 * callers aim between the wanted frame's pts and its predecessor's so rounding cannot pick a
 * neighbour. Rotation metadata is applied (autorotate is on by default), so the picture is the
 * displayed, upright one that labels are stored in.
 */
export async function decodeFrameRgb(options: {
  input: string;
  seekSeconds: number;
  width: number;
  height: number;
  signal?: AbortSignal;
  ffmpegPath?: string;
  timeoutMs?: number;
}): Promise<DecodedRgbFrame> {
  const { input, width, height, signal } = options;
  const binary = options.ffmpegPath ?? (await ffmpegInUse()).path;
  const timeoutMs = options.timeoutMs ?? DECODE_TIMEOUT_MS;
  signal?.throwIfAborted();
  const args = [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
    // No seek for the first frame: a still image's demuxer yields nothing after `-ss 0`.
    ...(options.seekSeconds > 0 ? ['-ss', options.seekSeconds.toFixed(6)] : []),
    ...['-i', input],
    ...['-map', '0:v:0', '-frames:v', '1', '-an', '-sn'],
    ...['-vf', `scale=${width}:${height}:flags=bilinear`, '-pix_fmt', 'rgb24', '-f', 'rawvideo'],
    'pipe:1',
  ];
  const expected = width * height * 3;
  return new Promise<DecodedRgbFrame>((resolve, reject) => {
    const tool = limitedCommand(binary, args, MEMORY_LIMIT_MIB.decode);
    const child = spawn(tool.command, tool.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    let expired = false;
    const stopTimer = killAfter(child, timeoutMs, () => (expired = true));
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    child.on('error', (error) => {
      stopTimer();
      signal?.removeEventListener('abort', onAbort);
      reject(new FfmpegError(`ffmpeg could not be started (${error.message}).`, '', null));
    });
    child.on('close', (code) => {
      stopTimer();
      signal?.removeEventListener('abort', onAbort);
      const data = Buffer.concat(chunks);
      if (signal?.aborted) reject(new DOMException('The decode was cancelled.', 'AbortError'));
      else if (expired) {
        reject(timedOut(`decode a frame of "${basename(input)}"`, timeoutMs, stderr));
      } else if (code === TOOL_NOT_FOUND_EXIT) {
        reject(notStarted(`decode a frame of "${basename(input)}"`, binary));
      } else if (code !== 0 || data.length !== expected) {
        reject(
          new FfmpegError(
            `ffmpeg could not decode the frame at ${options.seekSeconds.toFixed(3)} s of "${basename(input)}" (exit code ${String(code)}, ${data.length} of ${expected} bytes): ${stderr.trim()}`,
            stderr,
            code,
          ),
        );
      } else
        resolve({
          data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
          width,
          height,
        });
    });
  });
}

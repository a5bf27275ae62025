import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { basename } from 'node:path';
import { ffmpegInUse, FfmpegError } from '../../../node/media/ffmpeg';
import { limitedCommand, MEMORY_LIMIT_MIB } from '../../../node/media/mediaBinaries';
import { yuvFrameBytes } from '../../../shared/domain/faces/blurFrame';

/**
 * Every frame of a clip's first video track, in presentation order, as raw pixels from one ffmpeg
 * process (a whole-clip pass: seeking for each frame, as pose pre-annotation does for a few, would
 * decode every GOP again for every frame). `-vsync passthrough` keeps one output frame per decoded
 * frame, none dropped or duplicated, so the n-th frame out is the frame table's frame n; callers
 * check the count against the table at the end. Autorotate stays on: the picture is the displayed,
 * upright one, the coordinates regions are stored in.
 */
export async function* readFrames(options: {
  input: string;
  /** Output size; the displayed size for `yuv420p` (even), any for `rgb24` and `yuv444p`. */
  width: number;
  height: number;
  pixelFormat: 'rgb24' | 'yuv420p' | 'yuv444p';
  signal?: AbortSignal;
  ffmpegPath?: string;
}): AsyncGenerator<Uint8Array> {
  const { input, width, height, pixelFormat, signal } = options;
  const binary = options.ffmpegPath ?? (await ffmpegInUse()).path;
  const frameBytes =
    pixelFormat === 'rgb24' ? width * height * 3 : yuvFrameBytes(width, height, pixelFormat);
  const args = [
    ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
    ...['-i', input, '-map', '0:v:0', '-an', '-sn', '-dn', '-vsync', 'passthrough'],
    ...['-vf', `scale=${width}:${height}:flags=bilinear`, '-pix_fmt', pixelFormat],
    ...['-f', 'rawvideo', 'pipe:1'],
  ];
  const tool = limitedCommand(binary, args, MEMORY_LIMIT_MIB.decode);
  const child: ChildProcessWithoutNullStreams = spawn(tool.command, tool.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  child.stdin.end();
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const onAbort = () => child.kill('SIGKILL');
  signal?.addEventListener('abort', onAbort, { once: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      while (pendingBytes >= frameBytes) {
        const all = Buffer.concat(pending);
        const frame = new Uint8Array(all.subarray(0, frameBytes));
        const rest = all.subarray(frameBytes);
        pending = rest.byteLength > 0 ? [rest] : [];
        pendingBytes = rest.byteLength;
        yield frame;
      }
    }
    const code = await exited;
    signal?.throwIfAborted();
    if (code !== 0 || pendingBytes !== 0) {
      throw new FfmpegError(
        `ffmpeg could not decode "${basename(input)}" (exit code ${String(code)}): ${stderr.trim()}`,
        stderr,
        code,
      );
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { CodecFamily, ProbeResult } from '../../shared/api/schemas';
import { normalizeDate } from '../../shared/domain/quickTimeMetadata';
import { normalizeRotation } from '../../shared/domain/rotation';
import { ImportError } from '../importError';
import { flaggedFieldOfKey, flaggedKeyRank } from '../../shared/domain/flaggedMetadata';
import type { FlaggedField, FlaggedMetadata } from '../../shared/domain/flaggedMetadata';
import { chooseTool, limitedCommand, MEMORY_LIMIT_MIB, TOOL_NOT_FOUND_EXIT } from './mediaBinaries';

const run = promisify(execFile);

export type FfprobeOptions = {
  /** Defaults to the system's ffprobe when newer than the bundled one, else the bundled one. */
  ffprobePath?: string;
  /** Defaults to 30 s plus 20 s per GiB: ffprobe reads every packet of a Matroska file. */
  timeoutMs?: number;
};

/**
 * Probes WebM/Matroska with ffprobe (STYLE.md §9: the only module that runs it). Packets, not
 * frames: packet pts are the container's presentation times, exact and available without
 * decoding. Matroska stores no sample table, so unlike MP4 this does read the whole file.
 */
export async function probeWithFfprobe(
  filePath: string,
  fileSize: number,
  container: string,
  options: FfprobeOptions = {},
): Promise<ProbeResult> {
  const name = basename(filePath);
  const output = await runFfprobe(filePath, fileSize, options);
  const stream = output.streams[0];
  if (!stream) throw new ImportError('NO_VIDEO_TRACK', `"${name}" has no video track.`, filePath);

  const codecFamily = familyOf(stream, name, filePath);
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width <= 0 || height <= 0) {
    throw new ImportError('UNREADABLE', `"${name}" has a video track without a size.`, filePath);
  }
  const [num, den] = parseTimeBase(stream.time_base, name, filePath);

  // Discarded packets (flag D) are decoded but never shown, like frames outside an MP4 edit.
  const shown = output.packets.filter((packet) => !(packet.flags ?? '').includes('D'));
  const timed: { pts: number; duration: number }[] = [];
  for (const packet of shown) {
    if (packet.pts === undefined) {
      throw new ImportError(
        'UNREADABLE',
        `"${name}" has video packets without presentation times, so its frames cannot be timed.`,
        filePath,
      );
    }
    timed.push({ pts: packet.pts, duration: packet.duration ?? 0 });
  }
  timed.sort((a, b) => a.pts - b.pts);
  const first = timed[0];
  const last = timed[timed.length - 1];
  if (first === undefined || last === undefined) {
    throw new ImportError('TRUNCATED', `"${name}" has a video track with no frames.`, filePath);
  }
  const seconds = (units: number): number => (units * num) / den;
  const frameTimes = timed.map((packet) => seconds(packet.pts));
  const beforeLast = timed[timed.length - 2];
  const lastUnits =
    last.duration > 0 ? last.duration : beforeLast === undefined ? 0 : last.pts - beforeLast.pts;
  const lastFrameDurationSeconds = seconds(lastUnits);

  return {
    container,
    codec: codecString(codecFamily, stream),
    codecFamily,
    width,
    height,
    rotation: rotationOf(stream),
    durationSeconds: seconds(last.pts - first.pts) + lastFrameDurationSeconds,
    frameCount: frameTimes.length,
    frameTableSource: 'ffprobe',
    flagged: flaggedFrom({ ...output.format.tags, ...stream.tags }),
    frameTimes,
    lastFrameDurationSeconds,
  };
}

const Tags = z.record(z.string(), z.string());

const FfprobeOutput = z.object({
  streams: z
    .array(
      z.object({
        codec_name: z.string().optional(),
        codec_long_name: z.string().optional(),
        profile: z.string().optional(),
        level: z.number().optional(),
        pix_fmt: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        time_base: z.string(),
        side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
        tags: Tags.optional(),
      }),
    )
    .default([]),
  format: z.object({ tags: Tags.optional() }).default({}),
  packets: z
    .array(
      z.object({
        pts: z.number().optional(),
        duration: z.number().optional(),
        flags: z.string().optional(),
      }),
    )
    .default([]),
});
type FfprobeOutput = z.infer<typeof FfprobeOutput>;
type FfprobeStream = FfprobeOutput['streams'][number];

async function runFfprobe(
  filePath: string,
  fileSize: number,
  options: FfprobeOptions,
): Promise<FfprobeOutput> {
  const name = basename(filePath);
  const binary = options.ffprobePath ?? (await chooseTool('ffprobe', bundledFfprobePath)).path;
  const timeout = options.timeoutMs ?? 30_000 + Math.ceil((fileSize / 2 ** 30) * 20_000);
  // 'V' selects video streams that are not attached pictures (cover art in Matroska).
  const args = [
    '-v',
    'warning',
    '-print_format',
    'json=compact=1',
    '-select_streams',
    'V:0',
    '-show_streams',
    '-show_format',
    '-show_entries',
    'packet=pts,duration,flags',
    // The file: protocol keeps names like "concat:a|b" or "http:x" from being read as URLs.
    '-i',
    `file:${filePath}`,
  ];
  let stdout: string;
  let stderr: string;
  try {
    // A contributor's file is untrusted input: a memory ceiling, and SIGKILL past the timeout.
    const tool = limitedCommand(binary, args, MEMORY_LIMIT_MIB.probe);
    ({ stdout, stderr } = await run(tool.command, tool.args, {
      timeout,
      killSignal: 'SIGKILL',
      maxBuffer: 512 * 1024 * 1024,
      windowsHide: true,
    }));
  } catch (error) {
    throw ffprobeFailure(error, name, filePath, timeout);
  }
  // Matroska's demuxer warns but exits 0 when the file stops mid-cluster.
  if (/File ended prematurely|truncat/iu.test(stderr)) {
    throw new ImportError(
      'TRUNCATED',
      `"${name}" is incomplete: it ends in the middle of its video data. Copy it from the phone again.`,
      filePath,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (error) {
    throw new ImportError(
      'UNREADABLE',
      `"${name}" could not be probed: ffprobe printed something other than JSON (${String(error)}).`,
      filePath,
    );
  }
  const parsed = FfprobeOutput.safeParse(json);
  if (!parsed.success) {
    throw new ImportError(
      'UNREADABLE',
      `"${name}" could not be probed: ffprobe's report was not as expected (${parsed.error.message}).`,
      filePath,
    );
  }
  return parsed.data;
}

async function bundledFfprobePath(): Promise<string> {
  try {
    const installer = await import('@ffprobe-installer/ffprobe');
    // Packaged Electron apps unpack native binaries beside the asar archive.
    return installer.default.path.replace('app.asar', 'app.asar.unpacked');
  } catch (error) {
    throw new ImportError(
      'UNREADABLE',
      `ffprobe is not available on this computer, so WebM and Matroska files cannot be read ` +
        `(${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

function ffprobeFailure(error: unknown, name: string, filePath: string, timeout: number) {
  const failure = error as Omit<NodeJS.ErrnoException, 'code'> & {
    code?: string | number;
    killed?: boolean;
    stderr?: string;
  };
  if (failure.code === TOOL_NOT_FOUND_EXIT) failure.code = 'ENOENT';
  if (failure.code === 'ENOENT' || failure.code === 'EACCES') {
    return new ImportError(
      'UNREADABLE',
      `"${name}" could not be probed: ffprobe could not be started (${failure.code}).`,
      filePath,
    );
  }
  if (failure.killed) {
    return new ImportError(
      'UNREADABLE',
      `"${name}" could not be probed within ${Math.round(timeout / 1000)} s; the disk may be too slow or the file damaged.`,
      filePath,
    );
  }
  if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new ImportError('UNREADABLE', `"${name}" has too many packets to probe.`, filePath);
  }
  const detail = (failure.stderr ?? '').trim().split('\n').pop() ?? '';
  if (/No such file/iu.test(detail)) {
    return new ImportError('FILE_MISSING', `"${name}" is no longer there.`, filePath);
  }
  return new ImportError(
    'UNREADABLE',
    `"${name}" looks like WebM/Matroska but is damaged: ${detail || 'ffprobe could not read it'}.`,
    filePath,
  );
}

function parseTimeBase(text: string, name: string, filePath: string): [number, number] {
  const match = /^(\d+)\/(\d+)$/u.exec(text);
  const num = Number(match?.[1]);
  const den = Number(match?.[2]);
  if (!(num > 0 && den > 0)) {
    throw new ImportError('UNREADABLE', `"${name}" has an invalid time base "${text}".`, filePath);
  }
  return [num, den];
}

const FAMILIES: Record<string, CodecFamily> = {
  h264: 'h264',
  hevc: 'hevc',
  vp8: 'vp8',
  vp9: 'vp9',
  av1: 'av1',
};

function familyOf(stream: FfprobeStream, name: string, filePath: string): CodecFamily {
  const codec = stream.codec_name ?? 'unknown';
  const family = FAMILIES[codec];
  if (family) return family;
  const described = stream.codec_long_name ? `${codec} (${stream.codec_long_name})` : codec;
  throw new ImportError(
    'UNSUPPORTED_CODEC',
    `"${name}" uses the ${described} video codec, which Framewise cannot play frame by frame. ` +
      `Re-encode it to H.264, e.g. ffmpeg -i "${name}" -c:v libx264 -crf 18 out.mp4.`,
    filePath,
  );
}

/** Side data holds FFmpeg's counter-clockwise angle; the legacy 'rotate' tag is clockwise. */
function rotationOf(stream: FfprobeStream) {
  const fromMatrix = stream.side_data_list?.find((item) => item.rotation !== undefined)?.rotation;
  if (fromMatrix !== undefined) return normalizeRotation(-fromMatrix);
  const tag = stream.tags?.rotate;
  return tag === undefined ? 0 : normalizeRotation(Number(tag));
}

/**
 * RFC 6381 / WebCodecs codec strings from what ffprobe reports. Matroska keeps no avcC-style
 * string, so H.264 constraint flags and HEVC tiers are the common defaults, and VP9's level comes
 * from the picture size (libvpx leaves it unset) by the VP9 level table.
 */
function codecString(family: CodecFamily, stream: FfprobeStream): string {
  const depth = /12/u.test(stream.pix_fmt ?? '') ? 12 : /10/u.test(stream.pix_fmt ?? '') ? 10 : 8;
  const level = stream.level ?? -1;
  const hex = (value: number): string => value.toString(16).toUpperCase().padStart(2, '0');
  switch (family) {
    case 'h264': {
      const [profile, constraints] = H264_PROFILES[stream.profile ?? ''] ?? [0x64, 0];
      return `avc1.${hex(profile)}${hex(constraints)}${hex(Math.max(level, 0))}`.toLowerCase();
    }
    case 'hevc': {
      const main10 = (stream.profile ?? '').includes('10');
      return `hvc1.${main10 ? '2.4' : '1.6'}.L${Math.max(level, 0)}.B0`;
    }
    case 'vp8':
      return 'vp8';
    case 'vp9': {
      const profile = /(\d)/u.exec(stream.profile ?? '')?.[1] ?? '0';
      const pixels = (stream.width ?? 0) * (stream.height ?? 0);
      const vp9Level = VP9_LEVELS.find(([maxPixels]) => pixels <= maxPixels)?.[1] ?? 62;
      return `vp09.0${profile}.${vp9Level}.${String(depth).padStart(2, '0')}`;
    }
    case 'av1': {
      const profile = AV1_PROFILES[stream.profile ?? ''] ?? 0;
      const av1Level = String(Math.max(level, 0)).padStart(2, '0');
      return `av01.${profile}.${av1Level}M.${String(depth).padStart(2, '0')}`;
    }
  }
}

const H264_PROFILES: Record<string, [number, number]> = {
  'Constrained Baseline': [0x42, 0xe0],
  Baseline: [0x42, 0],
  Main: [0x4d, 0x40],
  Extended: [0x58, 0],
  High: [0x64, 0],
  'High 10': [0x6e, 0],
  'High 4:2:2': [0x7a, 0],
  'High 4:4:4 Predictive': [0xf4, 0],
};

/** VP9 levels (webmproject.org/vp9/levels) by maximum picture size in luma samples. */
const VP9_LEVELS: readonly [number, number][] = [
  [36_864, 10],
  [73_728, 11],
  [122_880, 20],
  [245_760, 21],
  [552_960, 30],
  [983_040, 31],
  [2_228_224, 40],
  [8_912_896, 50],
  [35_651_584, 60],
];

const AV1_PROFILES: Record<string, number> = { Main: 0, High: 1, Professional: 2 };

/** Container tags as FFmpeg names them (Matroska upper case, others as written): see flaggedFieldOfKey. */
function flaggedFrom(tags: Record<string, string>): FlaggedMetadata {
  const best: Partial<Record<FlaggedField, { value: string; rank: number }>> = {};
  for (const [key, raw] of Object.entries(tags)) {
    const field = flaggedFieldOfKey(key);
    const value = raw.trim();
    if (field === null || value === '') continue;
    const rank = flaggedKeyRank(key);
    const held = best[field];
    if (held === undefined || rank < held.rank) best[field] = { value, rank };
  }
  const creation = best.creationTime?.value ?? null;
  return {
    location: best.location?.value ?? null,
    make: best.make?.value ?? null,
    model: best.model?.value ?? null,
    creationTime: creation === null ? null : normalizeDate(creation),
  };
}

import { basename } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { createFile, Log, MP4BoxBuffer, VisualSampleEntry } from 'mp4box';
import type { Box, ISOFile, Sample } from 'mp4box';
import type { CodecFamily, ProbeResult } from '../../shared/api/schemas';
import { presentationTimes } from '../../shared/domain/frameTable';
import type { EditListEntry } from '../../shared/domain/frameTable';
import { readFlaggedMetadata } from '../../shared/domain/quickTimeMetadata';
import { type Rotation, rotationFromMatrix } from '../../shared/domain/rotation';
import { ImportError } from '../importError';
import { INDEX_BOXES, IndexBoxTooLargeError, readMp4Layout } from './mp4Boxes';
import type { Mp4Layout, TopLevelBox } from './mp4Boxes';

/**
 * mp4box prints box-level parse problems through Log.error straight to the console (e.g.
 * "Invalid box type: '©swr'" for the QuickTime user data of every ffmpeg-written MOV, which we
 * read ourselves). Parsing is synchronous, so the problems go to the probe running at the time
 * and end up in its error message if the index turns out unusable.
 */
let problemSink: string[] | null = null;
const logError = Log.error.bind(Log);
Log.error = (module, message, isofile) => {
  if (problemSink) problemSink.push(`${module}: ${message ?? ''}`);
  else logError(module, message, isofile);
};

/**
 * Probes an MP4/QuickTime file from its index boxes alone (STYLE.md §9: the only module that
 * imports mp4box). mp4box sees every index box at its real file offset, so sample offsets are
 * true file positions; every other box reaches it as a bare 'mdat' header of the same size,
 * which mp4box steps over without wanting the payload.
 */
export async function probeMp4(
  file: FileHandle,
  fileSize: number,
  filePath: string,
): Promise<{ result: ProbeResult; bytesRead: number }> {
  const { layout, moovBytes } = await loadIndex(file, fileSize, filePath);
  try {
    return { result: describeVideo(layout, moovBytes, filePath), bytesRead: layout.bytesRead };
  } catch (error) {
    if (error instanceof ImportError) throw error;
    // mp4box leaves boxes it could not parse undefined, so damage surfaces as a TypeError here.
    throw damagedIndex(error, filePath);
  }
}

/** One coded sample of the video track, as the index lists it (media timescale units). */
export type Mp4Sample = {
  offset: number;
  size: number;
  cts: number;
  dts: number;
  duration: number;
  isSync: boolean;
};

/** What a WebCodecs decoder needs to decode the video track's samples itself. */
export type Mp4VideoSamples = {
  codec: string;
  codecFamily: CodecFamily;
  codedWidth: number;
  codedHeight: number;
  /**
   * The codec configuration box's payload (avcC, hvcC, vpcC, av1C) without its box header:
   * the bytes as stored in the file, which is what `VideoDecoderConfig.description` takes.
   */
  description: Uint8Array | null;
  timescale: number;
  movieTimescale: number;
  rotation: Rotation;
  edits: EditListEntry[];
  /** Decode order. */
  samples: Mp4Sample[];
};

/** Codec configuration boxes a sample entry can carry, in the order we look for them. */
const CONFIG_BOXES = ['avcC', 'hvcC', 'vpcC', 'av1C'] as const;

/**
 * The video track's samples in decode order with their byte ranges, and the decoder setup, from
 * the index boxes alone (the same reads and checks as probeMp4).
 */
export async function readMp4Samples(
  file: FileHandle,
  fileSize: number,
  filePath: string,
): Promise<Mp4VideoSamples> {
  const { layout, moovBox, moovBytes } = await loadIndex(file, fileSize, filePath);
  try {
    const { iso, trak, entry, codecFamily, samples } = videoTrack(layout, filePath);
    const config = CONFIG_BOXES.map((type) => entry[type]).find((box) => box !== undefined);
    return {
      codec: entry.getCodec(),
      codecFamily,
      codedWidth: entry.width,
      codedHeight: entry.height,
      description: config ? boxPayload(config, moovBox, moovBytes) : null,
      timescale: trak.mdia.mdhd.timescale,
      movieTimescale: iso.moov.mvhd.timescale,
      rotation: rotationFromMatrix(trak.tkhd.matrix),
      edits: editsOf(trak),
      samples: samples.map((sample) => ({
        offset: sample.offset,
        size: sample.size,
        cts: sample.cts,
        dts: sample.dts,
        duration: sample.duration,
        isSync: sample.is_sync,
      })),
    };
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw damagedIndex(error, filePath);
  }
}

/**
 * A box's content as stored in the file. mp4box records where each box starts in the file
 * (`start`, true file offsets since every index box is appended at its own offset), so the
 * payload is a slice of the moov bytes: no re-serialisation that could drop fields mp4box does
 * not model.
 */
function boxPayload(box: Box, moovBox: TopLevelBox, moovBytes: Uint8Array): Uint8Array {
  const start = box.start;
  const headerSize = box.hdr_size;
  if (start === undefined || headerSize === undefined) {
    throw new Error(`the ${box.type} box has no recorded position`);
  }
  const from = start - moovBox.start + headerSize;
  const to = start - moovBox.start + box.size;
  if (from < 0 || to > moovBytes.byteLength || to < from) {
    throw new Error(`the ${box.type} box lies outside the moov box`);
  }
  return moovBytes.slice(from, to);
}

async function loadIndex(
  file: FileHandle,
  fileSize: number,
  filePath: string,
): Promise<{ layout: Mp4Layout; moovBox: TopLevelBox; moovBytes: Uint8Array<ArrayBuffer> }> {
  const name = basename(filePath);
  const layout = await readLayout(file, fileSize, filePath);
  const moovBox = layout.boxes.find((box) => box.type === 'moov');
  const moovBytes = moovBox && layout.index.get(moovBox.start);
  if (!moovBox || !moovBytes) {
    throw new ImportError(
      'TRUNCATED',
      `"${name}" is incomplete: it has no index (moov box), so the copy was cut short or the ` +
        `recording was interrupted. Copy it from the phone again.`,
      filePath,
    );
  }
  // A cut mdat may still hold every frame; assertSamplesInFile decides that below.
  if (layout.cutBox && INDEX_BOXES.has(layout.cutBox.type)) {
    throw new ImportError(
      'TRUNCATED',
      `"${name}" is incomplete: it ends inside its ${layout.cutBox.type} box. ` +
        `Copy it from the phone again.`,
      filePath,
    );
  }
  return { layout, moovBox, moovBytes };
}

function videoTrack(layout: Mp4Layout, filePath: string) {
  const name = basename(filePath);
  const iso = parseIndex(layout, filePath);
  const track = iso.getInfo().videoTracks[0];
  if (!track) {
    throw new ImportError('NO_VIDEO_TRACK', `"${name}" has no video track.`, filePath);
  }
  const trak = iso.getTrackById(track.id);
  const entry = trak.mdia.minf.stbl.stsd.entries[0];
  if (!(entry instanceof VisualSampleEntry)) {
    throw new ImportError(
      'UNREADABLE',
      `"${name}" has a video track without a video sample description.`,
      filePath,
    );
  }
  const codecFamily = familyOf(entry.type, name, filePath);

  const samples: Sample[] = iso.getTrackSamplesInfo(track.id);
  if (samples.length === 0) {
    throw new ImportError(
      'TRUNCATED',
      `"${name}" has a video track with no frames: the recording was probably interrupted.`,
      filePath,
    );
  }
  assertSamplesInFile(samples, layout.fileSize, name, filePath);
  return { iso, trak, entry, codecFamily, samples };
}

function editsOf(trak: ReturnType<ISOFile['getTrackById']>): EditListEntry[] {
  return (trak.edts?.elst?.entries ?? []).map((edit) => ({
    segmentDuration: edit.segment_duration,
    mediaTime: edit.media_time,
    mediaRateInteger: edit.media_rate_integer,
  }));
}

function describeVideo(layout: Mp4Layout, moovBytes: Uint8Array, filePath: string): ProbeResult {
  const name = basename(filePath);
  const { iso, trak, entry, codecFamily, samples } = videoTrack(layout, filePath);
  const edits = editsOf(trak);
  const { frameTimes, lastFrameDurationSeconds } = presentationTimes(
    samples,
    trak.mdia.mdhd.timescale,
    edits,
    iso.moov.mvhd.timescale,
  );
  const first = frameTimes[0];
  const last = frameTimes[frameTimes.length - 1];
  if (first === undefined || last === undefined) {
    throw new ImportError(
      'UNREADABLE',
      `"${name}" has ${samples.length} frames but its edit list shows none of them.`,
      filePath,
    );
  }

  return {
    container: containerOf(layout),
    codec: entry.getCodec(),
    codecFamily,
    width: entry.width,
    height: entry.height,
    rotation: rotationFromMatrix(trak.tkhd.matrix),
    durationSeconds: last + lastFrameDurationSeconds - first,
    frameCount: frameTimes.length,
    frameTableSource: 'mp4box',
    flagged: readFlaggedMetadata(moovBytes),
    frameTimes,
    lastFrameDurationSeconds,
  };
}

async function readLayout(file: FileHandle, fileSize: number, filePath: string) {
  try {
    return await readMp4Layout(file, fileSize);
  } catch (error) {
    if (error instanceof IndexBoxTooLargeError) {
      throw new ImportError(
        'UNREADABLE',
        `"${basename(filePath)}" is damaged: ${error.message} That is far more than any real index.`,
        filePath,
      );
    }
    throw error;
  }
}

function parseIndex(layout: Mp4Layout, filePath: string): ISOFile {
  const iso = createFile();
  const problems: string[] = [];
  iso.onError = (module, message) => problems.push(`${module}: ${message}`);
  problemSink = problems;
  try {
    for (const box of layout.boxes) {
      const bytes = layout.index.get(box.start) ?? skipMarker(box);
      iso.appendBuffer(MP4BoxBuffer.fromArrayBuffer(toArrayBuffer(bytes), box.start));
    }
  } catch (error) {
    // mp4box throws plain errors (reads past a box's end) on damaged tables.
    throw damagedIndex(error, filePath);
  } finally {
    problemSink = null;
  }
  if (!(iso.moov as typeof iso.moov | undefined)) {
    throw new ImportError(
      'UNREADABLE',
      `"${basename(filePath)}" has an index (moov box) that could not be parsed` +
        (problems.length > 0 ? `: ${problems.join('; ')}.` : '.'),
      filePath,
    );
  }
  return iso;
}

function damagedIndex(error: unknown, filePath: string): ImportError {
  const detail = error instanceof Error ? error.message : String(error);
  return new ImportError(
    'UNREADABLE',
    `"${basename(filePath)}" has a damaged index (moov box) and cannot be read (${detail}).`,
    filePath,
  );
}

/** A header that tells mp4box "size bytes of media data here", so it skips the box unread. */
function skipMarker(box: TopLevelBox): Uint8Array<ArrayBuffer> {
  const large = box.size > 0xffffffff;
  const marker = new Uint8Array(large ? 16 : 8);
  const view = new DataView(marker.buffer);
  view.setUint32(0, large ? 1 : box.size);
  marker.set([0x6d, 0x64, 0x61, 0x74], 4); // 'mdat'
  if (large) {
    view.setUint32(8, Math.floor(box.size / 2 ** 32));
    view.setUint32(12, box.size % 2 ** 32);
  }
  return marker;
}

function toArrayBuffer(bytes: Uint8Array<ArrayBuffer>): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer
    : bytes.slice().buffer;
}

/** A copy cut mid-mdat keeps its moov (when moov comes first) but loses frames at the end. */
function assertSamplesInFile(
  samples: readonly Sample[],
  fileSize: number,
  name: string,
  filePath: string,
): void {
  let end = 0;
  for (const sample of samples) end = Math.max(end, sample.offset + sample.size);
  if (end > fileSize) {
    throw new ImportError(
      'TRUNCATED',
      `"${name}" is incomplete: its frames run to byte ${end} but the file ends at byte ` +
        `${fileSize}. Copy it from the phone again.`,
      filePath,
    );
  }
}

const FAMILIES: Record<string, CodecFamily> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  av01: 'av1',
  vp08: 'vp8',
  vp09: 'vp9',
};

const UNSUPPORTED_NAMES: Record<string, string> = {
  mp4v: 'MPEG-4 Part 2',
  s263: 'H.263',
  h263: 'H.263',
  jpeg: 'Motion JPEG',
  mjpa: 'Motion JPEG',
  mjpb: 'Motion JPEG',
  apch: 'Apple ProRes 422 HQ',
  apcn: 'Apple ProRes 422',
  apcs: 'Apple ProRes 422 LT',
  apco: 'Apple ProRes 422 Proxy',
  ap4h: 'Apple ProRes 4444',
  ap4x: 'Apple ProRes 4444 XQ',
  vvc1: 'H.266/VVC',
  vvi1: 'H.266/VVC',
  encv: 'encrypted video',
};

function familyOf(fourcc: string, name: string, filePath: string): CodecFamily {
  const family = FAMILIES[fourcc];
  if (family) return family;
  const known = UNSUPPORTED_NAMES[fourcc];
  const described = known ? `${fourcc} (${known})` : fourcc;
  throw new ImportError(
    'UNSUPPORTED_CODEC',
    `"${name}" uses the ${described} video codec, which Framewise cannot play frame by frame. ` +
      `Re-encode it to H.264, e.g. ffmpeg -i "${name}" -c:v libx264 -crf 18 out.mp4.`,
    filePath,
  );
}

function containerOf(layout: Mp4Layout): string {
  const ftyp = layout.boxes.find((box) => box.type === 'ftyp');
  const bytes = ftyp && layout.index.get(ftyp.start);
  if (!bytes || bytes.byteLength < 12) return 'mov';
  const brand = String.fromCharCode(...bytes.subarray(8, 12));
  return brand === 'qt  ' ? 'mov' : 'mp4';
}

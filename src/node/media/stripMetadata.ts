import { constants } from 'node:fs';
import { copyFile, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { CodedError } from '../../shared/domain/codedError';
import { streamCopyWithoutMetadata } from './ffmpeg';
import { readMp4Layout } from './mp4Boxes';
import { probeVideo } from './probeVideo';
import type { FlaggedMetadata } from '../../shared/domain/flaggedMetadata';

export type StripErrorCode = 'NOT_STRIPPABLE' | 'FRAME_TABLE_CHANGED' | 'METADATA_REMAINS';

/** A copy could not be made clean, or came out different from its source: never exported. */
export class StripMetadataError extends CodedError<StripErrorCode> {
  override name = 'StripMetadataError';
  constructor(
    code: StripErrorCode,
    message: string,
    readonly filePath: string,
  ) {
    super(code, message);
  }
}

/** Boxes that hold user data and free-form metadata (location, device, dates, software). */
const METADATA_BOXES: ReadonlySet<string> = new Set(['udta', 'meta']);
/** Boxes whose children are walked to find metadata and header times (ISO/IEC 14496-12 §8). */
const CONTAINER_BOXES: ReadonlySet<string> = new Set(['moov', 'trak', 'mdia', 'edts']);
/** Full boxes starting with creation and modification times (mvhd §8.2.2, tkhd §8.3.2, mdhd §8.4.2). */
const TIMED_HEADERS: ReadonlySet<string> = new Set(['mvhd', 'tkhd', 'mdhd']);

export type Mp4StripReport = {
  /** Paths of the boxes turned into `free`, e.g. "moov/udta", "moov/trak/meta". */
  neutralised: string[];
  /** Paths of the headers whose creation and modification times were zeroed. */
  timesZeroed: string[];
};

/**
 * Neutralises an MP4/QuickTime file's metadata **in place**, without moving a byte of media:
 * every `udta` and `meta` box under moov, trak and mdia (QuickTime ©xyz/©mak/©mod/©day atoms,
 * Apple `com.apple.quicktime.*` mdta keys, 3GPP loci, iTunes-style lists) becomes a `free` box of
 * the same size with a zeroed payload, and the creation/modification times of mvhd, tkhd and mdhd
 * become 0 ("unset"). Sizes do not change, so chunk offsets (stco/co64), sample tables and edit
 * lists stay byte-identical and no remux is needed; `free` is valid anywhere (§8.1.2).
 * Top-level `udta`/`meta` boxes, which a few muxers write, are neutralised the same way.
 */
export async function neutraliseMp4Metadata(filePath: string): Promise<Mp4StripReport> {
  const file = await open(filePath, 'r+');
  try {
    const { size } = await file.stat();
    const layout = await readMp4Layout(file, size);
    if (layout.cutBox !== null || layout.cutInHeader) {
      throw new StripMetadataError(
        'NOT_STRIPPABLE',
        `"${basename(filePath)}" ends inside a box; it cannot be cleaned safely.`,
        filePath,
      );
    }
    const report: Mp4StripReport = { neutralised: [], timesZeroed: [] };
    for (const box of layout.boxes) {
      if (box.type === 'moov') {
        const bytes = layout.index.get(box.start);
        if (bytes === undefined) throw new Error(`moov at ${box.start} was not read`);
        patchChildren(bytes, 8, bytes.byteLength, 'moov', report);
        await writeFully(file, bytes, box.start);
      } else if (METADATA_BOXES.has(box.type)) {
        await file.write(Buffer.from('free', 'latin1'), 0, 4, box.start + 4);
        await zeroRange(file, box.start + box.headerSize, box.start + box.size);
        report.neutralised.push(box.type);
      }
    }
    await file.sync();
    return report;
  } finally {
    await file.close();
  }
}

/** Walks the children in [start, end) of a box held in `bytes`, patching as it goes. */
function patchChildren(
  bytes: Uint8Array,
  start: number,
  end: number,
  path: string,
  report: Mp4StripReport,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  while (at + 8 <= end) {
    let size = view.getUint32(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > end) return;
      size = view.getUint32(at + 8) * 2 ** 32 + view.getUint32(at + 12);
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    // A damaged child ends the walk: what was patched stays patched, and the verification that
    // follows (re-probe, flagged fields) decides whether the copy is clean.
    if (size < header || at + size > end) return;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const childPath = `${path}/${type}`;
    if (METADATA_BOXES.has(type)) {
      bytes.set([0x66, 0x72, 0x65, 0x65], at + 4); // 'free'
      bytes.fill(0, at + header, at + size);
      report.neutralised.push(childPath);
    } else if (CONTAINER_BOXES.has(type)) {
      patchChildren(bytes, at + header, at + size, childPath, report);
    } else if (TIMED_HEADERS.has(type)) {
      const payload = at + header;
      const version = bytes[payload];
      // Version 1: 64-bit creation and modification times; version 0: 32-bit. Both follow the
      // 4 bytes of version and flags.
      const timesEnd = payload + 4 + (version === 1 ? 16 : 8);
      if (timesEnd <= at + size) {
        bytes.fill(0, payload + 4, timesEnd);
        report.timesZeroed.push(childPath);
      }
    }
    at += size;
  }
}

async function writeFully(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await file.write(
      bytes,
      done,
      bytes.byteLength - done,
      position + done,
    );
    done += bytesWritten;
  }
}

async function zeroRange(file: FileHandle, start: number, end: number): Promise<void> {
  const zeros = new Uint8Array(Math.min(1 << 20, Math.max(0, end - start)));
  for (let at = start; at < end; at += zeros.byteLength) {
    await writeFully(file, zeros.subarray(0, Math.min(zeros.byteLength, end - at)), at);
  }
}

export type CleanCopyResult = {
  method: 'mp4-in-place' | 'ffmpeg-stream-copy';
  frameCount: number;
  report: Mp4StripReport | null;
};

const FLAGGED_FIELDS: readonly (keyof FlaggedMetadata)[] = [
  'location',
  'make',
  'model',
  'creationTime',
];

/**
 * Copies a clip to `destination` (which must not exist) with its location, device and date
 * metadata removed and its frames untouched: MP4/MOV by `neutraliseMp4Metadata`, other
 * containers by an ffmpeg stream copy without metadata. Then re-probes the copy with the import's
 * probe and fails loudly (and deletes the copy) when its frame table differs from `frameTimes` in
 * any frame, or when the probe still flags a field.
 */
export async function copyWithoutMetadata(
  source: string,
  destination: string,
  options: { container: string; frameTimes: readonly number[]; signal?: AbortSignal },
): Promise<CleanCopyResult> {
  const mp4 = options.container === 'mp4' || options.container === 'mov';
  try {
    let report: Mp4StripReport | null = null;
    if (mp4) {
      // COPYFILE_EXCL: an existing file is never overwritten (or cleaned in place by mistake).
      await copyFile(source, destination, constants.COPYFILE_EXCL);
      options.signal?.throwIfAborted();
      report = await neutraliseMp4Metadata(destination);
    } else {
      await streamCopyWithoutMetadata(source, destination, options.signal);
    }
    const probe = await probeVideo(destination);
    const name = basename(source);
    const differs =
      probe.frameTimes.length !== options.frameTimes.length ||
      probe.frameTimes.some((t, i) => t !== options.frameTimes[i]);
    if (differs) {
      const at = probe.frameTimes.findIndex((t, i) => t !== options.frameTimes[i]);
      throw new StripMetadataError(
        'FRAME_TABLE_CHANGED',
        `The cleaned copy of "${name}" has ${probe.frameTimes.length} frames (the original ` +
          `${options.frameTimes.length})${at >= 0 ? `, differing first at frame ${at}` : ''}; it was not exported.`,
        destination,
      );
    }
    const remaining = FLAGGED_FIELDS.filter((field) => probe.flagged[field] !== null);
    if (remaining.length > 0) {
      throw new StripMetadataError(
        'METADATA_REMAINS',
        `The cleaned copy of "${name}" still carries ${remaining.join(', ')}; it was not exported.`,
        destination,
      );
    }
    return {
      method: mp4 ? 'mp4-in-place' : 'ffmpeg-stream-copy',
      frameCount: probe.frameCount,
      report,
    };
  } catch (error) {
    // A half-cleaned or unverified copy must not survive under the export's name.
    await rm(destination, { force: true });
    throw error;
  }
}

import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { ApiError } from '../../../shared/api/apiError';
import type { SampleTable } from '../../../shared/api/schemas';
import { presentationTimes } from '../../../shared/domain/frameTable';
import type { EditListEntry, SampleTiming } from '../../../shared/domain/frameTable';
import { fileReadError } from '../../../node/media/fileReadError';
import { readMp4Samples } from '../../../node/media/probeMp4';

export type SampleTableData = Omit<SampleTable, 'clipId' | 'variant'>;

/** Box types that can open an MP4/QuickTime file (bytes 4..8 of the first box), as probeVideo. */
const MP4_FIRST_BOXES = new Set(['ftyp', 'moov', 'free', 'mdat', 'wide', 'skip']);

/**
 * The video track's samples in decode order, with byte ranges, timing, sync flags and the
 * presentation index each sample gets in the clip's frame table, so the renderer can fetch and
 * decode exact frames with WebCodecs. Reads only the index boxes (a few MB for a long clip).
 *
 * Only MP4/MOV carry a sample table; anything else is an ApiError `NO_SAMPLE_TABLE`, and the
 * renderer falls back to native seeking.
 */
export async function readSampleTable(filePath: string): Promise<SampleTableData> {
  let file;
  try {
    file = await open(filePath, 'r');
  } catch (error) {
    throw fileReadError(error, filePath);
  }
  try {
    const size = (await file.stat()).size;
    const head = new Uint8Array(Math.min(8, size));
    await file.read(head, 0, head.byteLength, 0);
    if (head.byteLength < 8 || !MP4_FIRST_BOXES.has(String.fromCharCode(...head.subarray(4, 8)))) {
      throw new ApiError(
        'NO_SAMPLE_TABLE',
        `"${basename(filePath)}" is not an MP4/MOV file, so it has no sample table to decode ` +
          'frames from; the player seeks it natively instead.',
      );
    }
    const track = await readMp4Samples(file, size, filePath);
    const frameIndex = presentationIndexOfSamples(
      track.samples,
      track.timescale,
      track.edits,
      track.movieTimescale,
    );
    return {
      codec: track.codec,
      codedWidth: track.codedWidth,
      codedHeight: track.codedHeight,
      description:
        track.description === null ? null : Buffer.from(track.description).toString('base64'),
      timescale: track.timescale,
      rotation: track.rotation,
      offsets: track.samples.map((sample) => sample.offset),
      sizes: track.samples.map((sample) => sample.size),
      cts: track.samples.map((sample) => sample.cts),
      dts: track.samples.map((sample) => sample.dts),
      isSync: track.samples.map((sample) => sample.isSync),
      frameIndex,
    };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw fileReadError(error, filePath);
  } finally {
    await file.close();
  }
}

/**
 * Frame n of each decode-order sample, or -1 where the edit list hides the sample. Uses
 * `presentationTimes` itself for the edit rule (which samples are shown depends only on the edit
 * window, so asking it about one sample at a time gives that sample's fate) and orders the shown
 * samples by cts with the same stable sort, so index n here is frame n of the stored frame table.
 */
export function presentationIndexOfSamples(
  samples: readonly SampleTiming[],
  timescale: number,
  edits: readonly EditListEntry[],
  movieTimescale: number,
): number[] {
  const shown: { decodeIndex: number; cts: number }[] = [];
  samples.forEach((sample, decodeIndex) => {
    const alone = presentationTimes([sample], timescale, edits, movieTimescale);
    if (alone.frameTimes.length === 1) shown.push({ decodeIndex, cts: sample.cts });
  });
  shown.sort((a, b) => a.cts - b.cts);
  const expected = presentationTimes(samples, timescale, edits, movieTimescale).frameTimes.length;
  if (shown.length !== expected) {
    throw new Error(
      `Sample table shows ${shown.length} frames but the frame table has ${expected}; ` +
        'the edit rule has drifted between them.',
    );
  }
  const frameIndex = new Array<number>(samples.length).fill(-1);
  shown.forEach(({ decodeIndex }, n) => {
    frameIndex[decodeIndex] = n;
  });
  return frameIndex;
}

/**
 * Sample tables of recently opened files, so reopening a clip (or switching back to it) does not
 * re-read its index. Keyed by path, size and mtime, so a proxy rewritten in place is read anew.
 */
export class SampleTableCache {
  readonly #entries = new Map<string, Promise<SampleTableData>>();

  constructor(
    private readonly capacity = 8,
    private readonly read: (filePath: string) => Promise<SampleTableData> = readSampleTable,
  ) {}

  async get(filePath: string): Promise<SampleTableData> {
    let key: string;
    try {
      const stats = await stat(filePath);
      key = `${filePath}\0${stats.size}\0${stats.mtimeMs}`;
    } catch (error) {
      throw fileReadError(error, filePath);
    }
    const cached = this.#entries.get(key);
    if (cached) {
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached;
    }
    const reading = this.read(filePath);
    this.#entries.set(key, reading);
    // A failed read is not remembered: the file may be fixed or replaced.
    reading.catch(() => {
      if (this.#entries.get(key) === reading) this.#entries.delete(key);
    });
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return reading;
  }

  get size(): number {
    return this.#entries.size;
  }
}

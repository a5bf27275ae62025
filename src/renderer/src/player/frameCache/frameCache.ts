import type { SampleTable } from '../../../../shared/api/schemas';
import {
  buildDecodeIndex,
  byteRuns,
  decodeRangeFor,
  framesAround,
  gopOfFrame,
  groupByGop,
} from '../../../../shared/domain/decodePlan';
import type { DecodeIndex } from '../../../../shared/domain/decodePlan';
import { decoderConfig, frameCacheSupported } from './decoderConfig';

/**
 * The decoded-frame cache: decodes whole stretches of a GOP with WebCodecs (STYLE.md §9: the only
 * module that touches it) and keeps the pictures around the playhead, so a step in either
 * direction is a draw from memory rather than a seek.
 *
 * Pictures are kept as the decoder's own pixels (I420 for H.264, 1.5 bytes a pixel), copied out
 * of the VideoFrame (about 0.5 ms at 1080p) so the frame goes back to the decoder at once. An
 * ImageBitmap (4 bytes a pixel) is made only for the frame asked for and the next ones in the
 * stepping direction: in headless Chromium without a GPU, createImageBitmap(VideoFrame) costs
 * about 9 ms at 1080p alone and over 20 ms next to a busy decoder, five times the decode itself
 * (3.6 ms), so converting every decoded frame would make decoding a GOP five times slower and the
 * memory budget would hold 2.7 times fewer frames.
 *
 * Exactness does not rest on counting outputs: every chunk's timestamp is a unique integer per
 * sample (its rank in presentation order), and each output frame is matched back to its sample,
 * hence to its frame index, by that timestamp. The rank rather than the decode index keeps the
 * timestamps in presentation order too, so a decoder that reassigns timestamps in output order
 * (some platform decoders do) still labels every picture right.
 */

/**
 * A decoded picture. The bitmap belongs to the cache: draw it now and do not keep it (the cache
 * closes it once the playhead has moved on).
 */
export type CachedFrame = {
  /** Presentation index n. */
  frameIndex: number;
  bitmap: ImageBitmap;
  /** The sample's composition time in microseconds, before the edit list. */
  timestampUs: number;
  width: number;
  height: number;
};

export interface FrameCache {
  /** The decoded picture of frame n (presentation index), decoding its GOP if needed. */
  get(n: number): Promise<CachedFrame>;
  has(n: number): boolean;
  /** Decode ahead around n in the stepping direction (+1/−1), cancelled by the next call. */
  prefetch(n: number, direction: 1 | -1): void;
  dispose(): void;
  /**
   * VideoDecoder.isConfigSupported said yes. False until that asynchronous answer arrives: call
   * `frameCacheSupported(table)` before creating a cache to know up front.
   */
  readonly supported: boolean;
}

export type FrameCacheOptions = {
  table: SampleTable;
  /** Bytes start..endInclusive of the clip's media file (an HTTP Range request). */
  fetchBytes: (start: number, endInclusive: number) => Promise<Uint8Array>;
  /** Memory for decoded pictures: their pixel bytes plus width × height × 4 per bitmap made. */
  maxBytes?: number;
};

export { frameCacheSupported };

const DEFAULT_MAX_BYTES = 384 * 1024 * 1024;
/** Share of the budget kept ahead of the playhead in the stepping direction; the rest behind. */
const AHEAD_SHARE = 0.7;
/** Prefetch never looks further than this many frames ahead (small clips fit thousands). */
const MAX_AHEAD_FRAMES = 150;
/** Prefetch starts when fewer than this share of the ahead window is decoded or on its way. */
const LOW_WATER_SHARE = 0.5;
/** Chunks handed to the decoder before waiting for it to take some: keeps cancellation prompt. */
const DECODE_QUEUE_LIMIT = 8;
/** Fetched GOP bytes kept for re-decoding when memory forced pictures out. */
const BYTE_CACHE_GOPS = 4;
/** Gaps between sample runs (interleaved audio) fetched rather than split into two requests. */
const MAX_FETCH_GAP = 64 * 1024;

type Waiter = {
  promise: Promise<CachedFrame>;
  resolve: (frame: CachedFrame) => void;
  reject: (error: Error) => void;
};

type Job = {
  gop: number;
  /** Decode indices fed, inclusive. */
  start: number;
  end: number;
  /** Frames to keep from this decode (others are closed unless someone waits for them). */
  wanted: Set<number>;
  cancelled: boolean;
  /** Frames the decoder has output so far. */
  emitted: Set<number>;
  conversions: Promise<void>[];
};

type GopBytes = { end: number; samples: Map<number, Uint8Array> };

type Entry = {
  frameIndex: number;
  timestampUs: number;
  /** The decoder's pixels and how to rebuild a VideoFrame from them; null for opaque frames. */
  pixels: { data: Uint8Array; init: VideoFrameBufferInit } | null;
  /** Made on demand from the pixels (or the only copy, for opaque frames). */
  bitmap: ImageBitmap | null;
  making: Promise<CachedFrame> | null;
  bytes: number;
};

/** Bitmaps kept made: the frame shown, the one before, and the next ones being prepared. */
const MADE_BITMAPS = 4;
/** Bitmaps made ahead of the playhead after each prefetch call. */
const PREPARE_AHEAD = 2;
/**
 * Pixel buffers of evicted frames kept for the next decoded ones: a GOP at 1080p would otherwise
 * allocate (and zero) 60 × 3 MB, and the garbage collector then stalls a step now and then.
 */
const SPARE_BUFFERS = 16;

export function createFrameCache(options: FrameCacheOptions): FrameCache {
  const { table, fetchBytes } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const index: DecodeIndex = buildDecodeIndex(table);
  const sampleCount = table.cts.length;
  // The budget is planned for I420 pixels; other formats and opaque frames count what they use.
  const frameBytes = Math.ceil(table.codedWidth * table.codedHeight * 1.5);
  const budgetFrames = Math.max(2, Math.floor(maxBytes / frameBytes));
  const ahead = Math.max(1, Math.min(MAX_AHEAD_FRAMES, Math.floor(budgetFrames * AHEAD_SHARE) - 1));
  const behind = Math.max(1, Math.min(ahead, budgetFrames - ahead - 1));
  const lowWater = Math.max(1, Math.floor(ahead * LOW_WATER_SHARE));

  // Chunk timestamp of each sample: its rank by composition time, unique and presentation-ordered.
  const byPresentation = Array.from({ length: sampleCount }, (_, i) => i).sort(
    (a, b) => (table.cts[a] ?? 0) - (table.cts[b] ?? 0) || a - b,
  );
  const chunkTimestamp = new Array<number>(sampleCount);
  byPresentation.forEach((sample, rank) => (chunkTimestamp[sample] = rank));

  const entries = new Map<number, Entry>();
  /** Frames whose bitmap was made from pixels, oldest first. */
  const made: number[] = [];
  const spare: Uint8Array[] = [];
  let storedBytes = 0;
  const waiters = new Map<number, Waiter>();
  const gopBytes = new Map<number, GopBytes>();
  let queue: Job[] = [];
  let current: Job | null = null;
  let pumping = false;
  let decoder: VideoDecoder | null = null;
  let focus = 0;
  let direction: 1 | -1 = 1;
  let failure: Error | null = null;
  let disposed = false;
  let supported = false;

  frameCacheSupported(table).then(
    (answer) => (supported = answer),
    (error: unknown) => fail(error),
  );

  function fail(cause: unknown): void {
    if (failure || disposed) return;
    const reason = cause instanceof Error ? cause.message : String(cause);
    failure = new Error(
      `The frame cache failed (${reason}); the native player will be used for this clip.`,
      { cause },
    );
    for (const waiter of waiters.values()) waiter.reject(failure);
    waiters.clear();
    for (const job of queue) job.cancelled = true;
    queue = [];
    if (current) current.cancelled = true;
    if (decoder && decoder.state !== 'closed') decoder.close();
  }

  /** How far frame f is from the playhead, counting frames behind the stepping direction dearer. */
  function distance(f: number): number {
    const d = (f - focus) * direction;
    return d >= 0 ? d : (-d * ahead) / behind;
  }

  function farthestEntry(): number | undefined {
    let worst: number | undefined;
    let worstDistance = -1;
    for (const f of entries.keys()) {
      const d = distance(f);
      if (d > worstDistance) {
        worst = f;
        worstDistance = d;
      }
    }
    return worst;
  }

  /** Whether a freshly decoded frame f is worth converting and storing. */
  function worthKeeping(f: number, job: Job | null): boolean {
    if (waiters.has(f)) return true;
    if (entries.has(f)) return false;
    if (storedBytes + frameBytes <= maxBytes) return true;
    if (!job?.wanted.has(f)) return false;
    const worst = farthestEntry();
    return worst === undefined || distance(worst) > distance(f);
  }

  function store(entry: Entry): void {
    const f = entry.frameIndex;
    if (entries.has(f)) {
      entry.bitmap?.close();
    } else {
      entries.set(f, entry);
      storedBytes += entry.bytes;
    }
    const waiter = waiters.get(f);
    if (waiter) {
      waiters.delete(f);
      picture(f).then(waiter.resolve, waiter.reject);
    }
    trim();
  }

  function trim(): void {
    while (storedBytes > maxBytes && entries.size > 1) {
      const worst = farthestEntry();
      if (worst === undefined || worst === focus) break;
      evict(worst);
    }
  }

  function evict(f: number): void {
    const entry = entries.get(f);
    if (!entry) return;
    entries.delete(f);
    storedBytes -= entry.bytes;
    entry.bitmap?.close();
    // A VideoFrame copies its buffer when constructed, so the pixels are free to reuse.
    if (entry.pixels && spare.length < SPARE_BUFFERS) spare.push(entry.pixels.data);
    const at = made.indexOf(f);
    if (at !== -1) made.splice(at, 1);
  }

  /** The bitmap of a stored frame, made from its pixels if need be. */
  function picture(f: number): Promise<CachedFrame> {
    const entry = entries.get(f);
    if (!entry) return Promise.reject(new Error(`Frame ${f} is not in the frame cache.`));
    const ready = (bitmap: ImageBitmap): CachedFrame => ({
      frameIndex: f,
      bitmap,
      timestampUs: entry.timestampUs,
      width: bitmap.width,
      height: bitmap.height,
    });
    if (entry.bitmap) return Promise.resolve(ready(entry.bitmap));
    if (entry.making) return entry.making;
    const pixels = entry.pixels;
    if (!pixels) return Promise.reject(new Error(`Frame ${f} lost its picture.`));
    const frame = new VideoFrame(pixels.data, pixels.init);
    entry.making = createImageBitmap(frame)
      .then((bitmap) => {
        entry.making = null;
        if (disposed || entries.get(f) !== entry) {
          // Evicted meanwhile: hand the bitmap over this once, it is closed by nobody else.
          return ready(bitmap);
        }
        entry.bitmap = bitmap;
        entry.bytes += bitmap.width * bitmap.height * 4;
        storedBytes += bitmap.width * bitmap.height * 4;
        made.push(f);
        while (made.length > MADE_BITMAPS) {
          const oldest = made.findIndex((g) => g !== focus && g !== f);
          if (oldest === -1) break;
          const [g] = made.splice(oldest, 1);
          const other = g === undefined ? undefined : entries.get(g);
          if (other?.bitmap && other.pixels) {
            const bitmapBytes = other.bitmap.width * other.bitmap.height * 4;
            other.bitmap.close();
            other.bitmap = null;
            other.bytes -= bitmapBytes;
            storedBytes -= bitmapBytes;
          }
        }
        trim();
        return ready(bitmap);
      })
      .finally(() => frame.close());
    return entry.making;
  }

  function onOutput(frame: VideoFrame): void {
    const sample = byPresentation[frame.timestamp];
    const f = sample === undefined ? -1 : (table.frameIndex[sample] ?? -1);
    const job = current;
    if (f >= 0) job?.emitted.add(f);
    if (sample === undefined || f < 0 || disposed || failure || !worthKeeping(f, job)) {
      frame.close();
      return;
    }
    const timestampUs = Math.round(((table.cts[sample] ?? 0) * 1e6) / table.timescale);
    job?.conversions.push(
      keep(frame, f, timestampUs).then(
        (entry) => {
          if (disposed || failure) entry.bitmap?.close();
          else store(entry);
        },
        (error: unknown) => fail(error),
      ),
    );
  }

  /** Copies the decoder's pixels out (or, for an opaque frame, makes its bitmap) and closes it. */
  async function keep(frame: VideoFrame, f: number, timestampUs: number): Promise<Entry> {
    try {
      const { format, visibleRect } = frame;
      if (format === null || visibleRect === null) {
        const bitmap = await createImageBitmap(frame);
        const bytes = bitmap.width * bitmap.height * 4;
        return { frameIndex: f, timestampUs, pixels: null, bitmap, making: null, bytes };
      }
      const size = frame.allocationSize();
      const reused = spare.findIndex((buffer) => buffer.byteLength === size);
      const data =
        reused === -1 ? new Uint8Array(size) : (spare.splice(reused, 1)[0] ?? new Uint8Array(size));
      const layout = await frame.copyTo(data);
      const init: VideoFrameBufferInit = {
        format,
        codedWidth: visibleRect.width,
        codedHeight: visibleRect.height,
        displayWidth: frame.displayWidth,
        displayHeight: frame.displayHeight,
        timestamp: frame.timestamp,
        colorSpace: frame.colorSpace.toJSON(),
        layout,
      };
      const pixels = { data, init };
      return {
        frameIndex: f,
        timestampUs,
        pixels,
        bitmap: null,
        making: null,
        bytes: data.byteLength,
      };
    } finally {
      frame.close();
    }
  }

  function activeDecoder(): VideoDecoder {
    if (!decoder || decoder.state === 'closed') {
      decoder = new VideoDecoder({ output: onOutput, error: fail });
    }
    if (decoder.state === 'unconfigured') decoder.configure(decoderConfig(table));
    return decoder;
  }

  /** The queued or running job that will output frame f, if any. */
  function jobCovering(f: number): Job | undefined {
    const gop = index.gopOfFrame[f];
    const sample = index.sampleOfFrame[f] ?? Infinity;
    const covers = (job: Job | null): job is Job =>
      job !== null && !job.cancelled && job.gop === gop && job.end >= sample && !job.emitted.has(f);
    if (covers(current)) return current;
    return queue.find(covers);
  }

  function newJob(frames: readonly number[]): Job {
    const range = decodeRangeFor(index, frames);
    return {
      gop: range.gop,
      start: range.start,
      end: range.end,
      wanted: new Set(frames),
      cancelled: false,
      emitted: new Set(),
      conversions: [],
    };
  }

  /**
   * Whether a `get` still waits for a frame this job will output. Once it has, the rest of the
   * job is prefetching and gives way to the next request.
   */
  function waitedOn(job: Job): boolean {
    for (const f of waiters.keys()) {
      if (
        index.gopOfFrame[f] === job.gop &&
        (index.sampleOfFrame[f] ?? Infinity) <= job.end &&
        !job.emitted.has(f)
      ) {
        return true;
      }
    }
    return false;
  }

  function cancelPrefetches(keep: (job: Job) => boolean): void {
    queue = queue.filter((job) => waitedOn(job) || keep(job));
    if (current && !waitedOn(current) && !keep(current)) {
      current.cancelled = true;
      // Drops queued chunks and pending outputs at once; the next job configures again.
      if (decoder?.state === 'configured') decoder.reset();
    }
  }

  async function samplesOf(job: Job): Promise<Map<number, Uint8Array>> {
    const cached = gopBytes.get(job.gop);
    if (cached && cached.end >= job.end) {
      gopBytes.delete(job.gop);
      gopBytes.set(job.gop, cached);
      return cached.samples;
    }
    // Fetch the whole GOP's samples: the next decode of this GOP will likely want more of them.
    const end = index.gops[job.gop]?.end ?? job.end;
    const samples = new Map<number, Uint8Array>();
    const runs = byteRuns(table.offsets, table.sizes, job.start, end, MAX_FETCH_GAP);
    await Promise.all(
      runs.map(async (run) => {
        const bytes = await fetchBytes(run.start, run.endInclusive);
        const expected = run.endInclusive - run.start + 1;
        if (bytes.byteLength < expected) {
          throw new Error(
            `got ${bytes.byteLength} of ${expected} bytes at offset ${run.start} of the clip`,
          );
        }
        for (let i = run.firstSample; i <= run.lastSample; i++) {
          const at = (table.offsets[i] ?? 0) - run.start;
          samples.set(i, bytes.subarray(at, at + (table.sizes[i] ?? 0)));
        }
      }),
    );
    gopBytes.set(job.gop, { end, samples });
    while (gopBytes.size > BYTE_CACHE_GOPS) {
      const oldest = gopBytes.keys().next().value;
      if (oldest === undefined) break;
      gopBytes.delete(oldest);
    }
    return samples;
  }

  async function room(active: VideoDecoder, job: Job): Promise<void> {
    while (active.decodeQueueSize >= DECODE_QUEUE_LIMIT && !job.cancelled && !failure) {
      await new Promise<void>((resolve) => {
        active.addEventListener('dequeue', () => resolve(), { once: true });
        // A reset or an error empties the queue without a dequeue event.
        setTimeout(resolve, 50);
      });
    }
  }

  /** Read after every await: a reset, a failure or dispose can happen meanwhile. */
  function stopped(job: Job): boolean {
    return job.cancelled || failure !== null || disposed;
  }

  async function run(job: Job): Promise<void> {
    const samples = await samplesOf(job);
    if (stopped(job)) return;
    const active = activeDecoder();
    for (let i = job.start; i <= job.end; i++) {
      await room(active, job);
      if (stopped(job)) return;
      const data = samples.get(i);
      if (!data) throw new Error(`sample ${i} was not fetched`);
      active.decode(
        new EncodedVideoChunk({
          type: i === job.start || table.isSync[i] ? 'key' : 'delta',
          timestamp: chunkTimestamp[i] ?? 0,
          data,
        }),
      );
    }
    try {
      await active.flush();
    } catch (error) {
      // reset() (a cancelled prefetch) aborts the flush; anything else is a decoder failure.
      if (job.cancelled && error instanceof DOMException && error.name === 'AbortError') return;
      throw error;
    }
    await Promise.all(job.conversions);
    // Whoever waits for a frame this job fed but the decoder never output would wait forever.
    for (const f of waiters.keys()) {
      if (index.gopOfFrame[f] !== job.gop || (index.sampleOfFrame[f] ?? Infinity) > job.end) {
        continue;
      }
      if (!job.emitted.has(f)) throw new Error(`the decoder output no picture for frame ${f}`);
      // Output before its waiter arrived and not kept: decode it again.
      if (!entries.has(f) && !jobCovering(f)) queue.unshift(newJob([f]));
    }
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const job = queue.shift();
        if (!job || failure || disposed) break;
        if (job.cancelled) continue;
        current = job;
        await run(job);
        current = null;
      }
    } catch (error) {
      fail(error);
    } finally {
      current = null;
      pumping = false;
    }
  }

  function moveFocus(n: number, stepDirection?: 1 | -1): void {
    if (stepDirection !== undefined) direction = stepDirection;
    else if (n === focus + 1) direction = 1;
    else if (n === focus - 1) direction = -1;
    focus = n;
  }

  /** Makes the bitmaps of the next frames in the stepping direction, if the playhead is still n. */
  function prepare(n: number): void {
    if (disposed || failure || focus !== n) return;
    for (let k = 1; k <= PREPARE_AHEAD; k++) {
      const f = n + k * direction;
      if (entries.has(f)) picture(f).catch((error: unknown) => fail(error));
    }
  }

  /** Frames of `frames` neither stored nor on their way. */
  function missing(frames: readonly number[]): number[] {
    return frames.filter((f) => !entries.has(f) && !jobCovering(f));
  }

  return {
    get(n) {
      if (failure) return Promise.reject(failure);
      if (disposed) return Promise.reject(new Error('The frame cache was disposed.'));
      if (!Number.isInteger(n) || n < 0 || n >= index.frameCount) {
        return Promise.reject(
          new RangeError(`Frame ${n} is outside this clip's ${index.frameCount} frames.`),
        );
      }
      moveFocus(n);
      if (entries.has(n)) return picture(n);
      let waiter = waiters.get(n);
      if (!waiter) {
        let resolve!: (frame: CachedFrame) => void;
        let reject!: (error: Error) => void;
        const promise = new Promise<CachedFrame>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        waiter = { promise, resolve, reject };
        waiters.set(n, waiter);
      }
      const covering = jobCovering(n);
      if (covering) {
        if (covering !== current) queue = [covering, ...queue.filter((job) => job !== covering)];
      } else {
        const gop = gopOfFrame(index, n).index;
        // Whatever was being decoded for others gives way; the next prefetch asks again.
        cancelPrefetches(() => false);
        const wanted = missing(framesAround(index.frameCount, n, direction, ahead, behind)).filter(
          (f) => index.gopOfFrame[f] === gop,
        );
        if (!wanted.includes(n)) wanted.unshift(n);
        queue.unshift(newJob(wanted));
      }
      void pump();
      return waiter.promise;
    },

    has(n) {
      return entries.has(n);
    },

    prefetch(n, stepDirection) {
      if (failure || disposed || !Number.isInteger(n) || n < 0 || n >= index.frameCount) return;
      moveFocus(n, stepDirection);
      // createImageBitmap(VideoFrame) converts on the calling thread (about 10 ms at 1080p without
      // a GPU): after this task, so the frame just drawn reaches the screen first.
      setTimeout(() => prepare(n), 0);
      const window = framesAround(index.frameCount, n, direction, ahead, behind);
      const inWindow = new Set(window);
      cancelPrefetches((job) => [...job.wanted].some((f) => inWindow.has(f)));
      // Frames ahead already decoded or on their way, counted from the playhead without a gap.
      let ready = 0;
      for (let f = n + direction; f >= 0 && f < index.frameCount && ready < ahead; f += direction) {
        if (!entries.has(f) && !jobCovering(f)) break;
        ready++;
      }
      const toEnd = direction === 1 ? index.frameCount - 1 - n : n;
      if (ready >= Math.min(lowWater, toEnd) && (entries.has(n) || jobCovering(n))) return;
      for (const frames of groupByGop(index, missing(window)).values()) {
        queue.push(newJob(frames));
      }
      void pump();
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      const error = new Error('The frame cache was disposed.');
      for (const waiter of waiters.values()) waiter.reject(error);
      waiters.clear();
      queue = [];
      if (current) current.cancelled = true;
      if (decoder && decoder.state !== 'closed') decoder.close();
      for (const f of [...entries.keys()]) evict(f);
      gopBytes.clear();
    },

    get supported() {
      return supported;
    },
  };
}

import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, isApiError } from '../../../shared/api/apiError';
import type { ProbeResult, ProxyStatus } from '../../../shared/api/schemas';
import type { EventBus } from '../eventBus';
import { encodeH264Proxy } from '../../../node/media/ffmpeg';
import type { ProxyEncodeOptions } from '../../../node/media/ffmpeg';
import { probeVideo } from '../../../node/media/probeVideo';
import type { SampleTableCache } from '../media/sampleTable';
import type { ProxyFields, ProxyRecord } from '../media/mediaService';
import type { Store } from '../store/Store';

/**
 * How far a proxy frame's pts may sit from the source's and still count as the same frame. The
 * proxy keeps the source's timescale, so in practice they are equal in ticks; the microsecond
 * allows only for float division of different tick counts that name the same instant, and is
 * far below any frame interval (8.3 ms at 120 fps) and below Chromium's own seek resolution.
 */
export const PTS_TOLERANCE_SECONDS = 1e-6;

/** Progress events per clip at most this often (state changes are always sent). */
const PROGRESS_EVENT_INTERVAL_MS = 200;

export type ProxyServiceDeps = {
  store: Store;
  events: EventBus;
  actor: string;
  /** Folder the proxies are written to (`<folder of the database>/proxies`). */
  proxyDir: string;
  sampleTables: SampleTableCache;
  encode?: (options: ProxyEncodeOptions) => Promise<void>;
  probe?: (filePath: string) => Promise<ProbeResult>;
};

/**
 * Makes H.264 proxies of clips this Chromium cannot decode (HEVC above all), in the background
 * and one at a time (an encode uses every core). A proxy is accepted only when its frame table
 * equals the source's, so frame n of the proxy is frame n of the clip and labels stay keyed to the
 * source. Survives restarts: proxies left queued or running are queued again on start.
 */
export class ProxyService {
  readonly #deps: Required<ProxyServiceDeps>;
  readonly #queue: string[] = [];
  readonly #abort = new AbortController();
  /** Live progress of the running encode; the store keeps only state changes. */
  readonly #progress = new Map<string, number>();
  readonly #lastProgressEvent = new Map<string, number>();
  #current: string | null = null;
  #draining: Promise<void> | null = null;

  constructor(deps: ProxyServiceDeps) {
    this.#deps = { encode: encodeH264Proxy, probe: probeVideo, ...deps };
  }

  /** Queues again what a previous run left unfinished. */
  resume(): void {
    for (const record of this.#deps.store.media.listUnfinishedProxies())
      this.#enqueue(record.clipId);
  }

  /** The clip's proxy state; the caller has checked that the clip exists. */
  status(clipId: string): ProxyStatus {
    const record = this.#deps.store.media.getProxy(clipId);
    if (!record) return { clipId, state: 'none', progress: 0, message: null };
    if (record.state === 'ready' && !this.#fileOf(record)) {
      return {
        clipId,
        state: 'none',
        progress: 0,
        message: 'The proxy file was removed from disk; it is made again when asked for.',
      };
    }
    return {
      clipId,
      state: record.state,
      progress: record.state === 'running' ? (this.#progress.get(clipId) ?? 0) : record.progress,
      message: record.message,
    };
  }

  /**
   * Queues a proxy unless one is ready, queued or running: asking twice never encodes twice.
   * A failed proxy is tried again, since asking is the user's way to retry.
   */
  ensure(clipId: string): ProxyStatus {
    const current = this.status(clipId);
    if (current.state === 'ready') return current;
    if (
      (current.state === 'queued' || current.state === 'running') &&
      (this.#current === clipId || this.#queue.includes(clipId))
    ) {
      return current;
    }
    return this.#enqueue(clipId);
  }

  /** The proxy's file when it is ready: the only path the media servers use for a proxy. */
  readyFile(clipId: string): string | undefined {
    const record = this.#deps.store.media.getProxy(clipId);
    return record?.state === 'ready' ? (this.#fileOf(record) ?? undefined) : undefined;
  }

  /** Resolves when nothing is queued or running (for tests, the CLI and the benchmark). */
  async whenIdle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Stops the running encode; its row stays queued/running so the next start resumes it. */
  close(): void {
    this.#abort.abort();
    this.#queue.length = 0;
  }

  #closed(): boolean {
    return this.#abort.signal.aborted;
  }

  #fileOf(record: ProxyRecord): string | null {
    return record.filePath !== null && existsSync(record.filePath) ? record.filePath : null;
  }

  #enqueue(clipId: string): ProxyStatus {
    if (!this.#queue.includes(clipId) && this.#current !== clipId) this.#queue.push(clipId);
    const status = this.#save(clipId, 'queued', { progress: 0 });
    this.#kick();
    return status;
  }

  #kick(): void {
    if (this.#draining || this.#closed()) return;
    this.#draining = this.#drain()
      .catch((error: unknown) => {
        console.error('Proxy queue stopped on an error; queued proxies resume on restart.', error);
      })
      .finally(() => {
        this.#draining = null;
      });
  }

  async #drain(): Promise<void> {
    for (;;) {
      const clipId = this.#queue.shift();
      if (clipId === undefined || this.#closed()) return;
      this.#current = clipId;
      try {
        await this.#make(clipId);
      } catch (error) {
        // A store failure (clip deleted mid-encode): the next clip still gets its turn.
        console.error(`Proxy of clip ${clipId} stopped on an error.`, error);
      } finally {
        this.#current = null;
        this.#progress.delete(clipId);
        this.#lastProgressEvent.delete(clipId);
      }
    }
  }

  async #make(clipId: string): Promise<void> {
    const { store } = this.#deps;
    const clip = store.media.getClip(clipId);
    const source = store.media.getClipFilePath(clipId);
    const frameTable = store.media.getFrameTable(clipId);
    // Removed from the database while queued: its row went with it (ON DELETE CASCADE).
    if (!clip || source === undefined || !frameTable) return;

    const finalPath = join(this.#deps.proxyDir, `${clipId}.mp4`);
    const partPath = `${finalPath}.partial`;
    this.#save(clipId, 'running', { progress: 0 });
    try {
      await mkdir(this.#deps.proxyDir, { recursive: true });
      await this.#encode(source, partPath, clip.container, clip.frameCount, clipId);
      if (this.#closed()) return;
      const proxy = await this.#deps.probe(partPath);
      if (this.#closed()) return;
      const mismatch = compareWithSource(proxy, frameTable.frameTimes, clip.rotation);
      if (mismatch !== null) {
        throw new ApiError(
          'PROXY_MISMATCH',
          `The proxy of "${clip.fileName}" does not match it frame by frame (${mismatch}), so it ` +
            'was discarded and the clip keeps playing from its original file.',
        );
      }
      await rename(partPath, finalPath);
      if (this.#closed()) return;
      this.#save(clipId, 'ready', {
        filePath: finalPath,
        progress: 1,
        frameCount: proxy.frameCount,
      });
    } catch (error) {
      await rm(partPath, { force: true });
      if (this.#closed()) return;
      const detail = error instanceof Error ? error.message : String(error);
      // ApiErrors (file missing, cut, frame mismatch) are sentences for the user already.
      this.#save(clipId, 'failed', {
        message: isApiError(error) ? detail : `No H.264 proxy could be made: ${detail}`,
      });
    }
  }

  async #encode(
    source: string,
    output: string,
    container: string,
    frameCount: number,
    clipId: string,
  ): Promise<void> {
    // Keeping the source's timescale keeps every pts in the same ticks; WebM has none to keep.
    const timescale =
      container === 'mp4' || container === 'mov'
        ? (await this.#deps.sampleTables.get(source)).timescale
        : null;
    await this.#deps.encode({
      input: source,
      output,
      timescale,
      signal: this.#abort.signal,
      onFrames: (frames) => {
        // The last few percent are the check, so encoding alone never shows 100 %.
        const progress = Math.min(frames / frameCount, 0.99);
        this.#progress.set(clipId, progress);
        const now = Date.now();
        if (now - (this.#lastProgressEvent.get(clipId) ?? 0) < PROGRESS_EVENT_INTERVAL_MS) return;
        this.#lastProgressEvent.set(clipId, now);
        this.#deps.events.emit('proxyUpdate', {
          clipId,
          state: 'running',
          progress,
          message: null,
        });
      },
    });
  }

  #save(clipId: string, state: ProxyRecord['state'], fields: ProxyFields): ProxyStatus {
    const record = this.#deps.store.media.setProxyState(clipId, state, fields, this.#deps.actor);
    const status: ProxyStatus = {
      clipId,
      state: record.state,
      progress: record.progress,
      message: record.message,
    };
    this.#deps.events.emit('proxyUpdate', status);
    return status;
  }
}

/**
 * Null when the proxy has the source's frames: H.264, the same rotation, the same count and every
 * pts within PTS_TOLERANCE_SECONDS. Otherwise a phrase naming the first difference.
 */
export function compareWithSource(
  proxy: ProbeResult,
  sourceTimes: readonly number[],
  sourceRotation: number,
): string | null {
  if (proxy.codecFamily !== 'h264') return `it is ${proxy.codecFamily}, not H.264`;
  if (proxy.rotation !== sourceRotation) {
    return `it is rotated ${proxy.rotation}° where the clip is rotated ${sourceRotation}°`;
  }
  const shared = Math.min(proxy.frameTimes.length, sourceTimes.length);
  for (let n = 0; n < shared; n += 1) {
    const mine = proxy.frameTimes[n] ?? NaN;
    const theirs = sourceTimes[n] ?? NaN;
    if (!(Math.abs(mine - theirs) <= PTS_TOLERANCE_SECONDS)) {
      return (
        `frame ${n} is at ${mine.toFixed(6)} s in the proxy but ${theirs.toFixed(6)} s in the clip` +
        (proxy.frameTimes.length === sourceTimes.length
          ? ''
          : `; it has ${proxy.frameTimes.length} frames where the clip has ${sourceTimes.length}`)
      );
    }
  }
  if (proxy.frameTimes.length !== sourceTimes.length) {
    return (
      `it has ${proxy.frameTimes.length} frames where the clip has ${sourceTimes.length}; ` +
      `frame ${shared} is the first one missing from the ` +
      (proxy.frameTimes.length < sourceTimes.length ? 'proxy' : 'clip')
    );
  }
  return null;
}

import { mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { frameTableSha256 } from '../../../node/media/frameTableHash';
import { probeVideo } from '../../../node/media/probeVideo';
import type { ClipFetchState, DeliveryProgress } from '../../../shared/api/deliverySchemas';
import { DeliveriesAnswer } from '../../../shared/api/syncProtocol';
import { clipsToEvict, type StoredDelivery } from '../../../shared/domain/deliveryQuota';
import {
  DeliveryError,
  downloadClip,
  type ClipDelivery,
  type DownloadOptions,
} from './downloadClip';

export type DeliveryServiceOptions = {
  /** Where delivered clips are kept (the user-data folder's `clips/`). */
  dir: string;
  /** The signed-in server and token, or null when signed out (nothing is fetched). */
  server: () => { baseUrl: string; token: string } | null;
  fetch?: typeof fetch;
  download?: Omit<DownloadOptions, 'onProgress' | 'fetch'>;
  onProgress?: (progress: DeliveryProgress) => void;
  /** The usual import of a verified file (frame table, proxy when needed), once per clip. */
  importClip?: (path: string, delivery: ClipDelivery) => Promise<void>;
};

/**
 * Fetches the clips the server offers the signed-in account, one after another in the
 * background: each downloaded with Range (resuming what an earlier run left in `.part`), its
 * sha256 and then its frame table checked against the server's, then handed to the import.
 * Progress is kept per clip and in total. Files are named by clip, so what is on disk after a
 * restart is known without a table.
 */
export class DeliveryService {
  readonly #options: DeliveryServiceOptions;
  readonly #states = new Map<string, ClipFetchState>();
  readonly #paths = new Map<string, string>();
  #running: Promise<DeliveryProgress> | null = null;

  constructor(options: DeliveryServiceOptions) {
    this.#options = options;
  }

  #timer: NodeJS.Timeout | null = null;

  /**
   * Fetches in the background: a round now and every `everyMs` (a round is a no-op while signed
   * out). A failed round is retried at the next; its clips show the error meanwhile.
   */
  start(everyMs = 60_000): void {
    if (this.#timer !== null) return;
    const round = (): void => {
      this.refresh().catch((error: unknown) => {
        console.warn('framewise: fetching delivered clips failed:', error);
      });
    };
    this.#timer = setInterval(round, everyMs);
    this.#timer.unref();
    round();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  progress(): DeliveryProgress {
    const clips = [...this.#states.values()];
    return {
      clips,
      bytesDone: clips.reduce((sum, clip) => sum + clip.bytesDone, 0),
      bytesTotal: clips.reduce((sum, clip) => sum + clip.sizeBytes, 0),
    };
  }

  /** One round: asks the server what to fetch, and fetches what is not here yet. */
  refresh(): Promise<DeliveryProgress> {
    this.#running ??= this.#round().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #round(): Promise<DeliveryProgress> {
    const server = this.#options.server();
    if (server === null) return this.progress();
    const { clips } = await this.#listDeliveries(server);
    await mkdir(this.#options.dir, { recursive: true });
    const offered = new Set(clips.map((clip) => clip.clipRef));
    for (const clipRef of this.#states.keys()) {
      if (!offered.has(clipRef)) this.#states.delete(clipRef);
    }
    for (const clip of clips) {
      const known = this.#states.get(clip.clipRef);
      if (known?.state !== 'ready') {
        this.#states.set(clip.clipRef, {
          clipRef: clip.clipRef,
          as: clip.as,
          state: 'waiting',
          bytesDone: 0,
          sizeBytes: clip.sizeBytes,
          error: null,
        });
      }
    }
    this.#emit();
    for (const clip of clips) {
      const state = this.#states.get(clip.clipRef);
      if (state === undefined || state.state === 'ready') continue;
      await this.#fetchOne(server, clip, state);
    }
    return this.progress();
  }

  /** The list is small and changes nothing: retried a few times over a bad link. */
  async #listDeliveries(server: {
    baseUrl: string;
    token: string;
  }): Promise<{ clips: ClipDelivery[] }> {
    const doFetch = this.#options.fetch ?? fetch;
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await doFetch(`${server.baseUrl.replace(/\/$/, '')}/v1/deliveries`, {
          headers: { authorization: `Bearer ${server.token}` },
        });
        if (response.status === 401) {
          throw new DeliveryError('UNAUTHORIZED', 'The server refused the token; sign in again.');
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const answer = DeliveriesAnswer.safeParse(await response.json());
        if (!answer.success) {
          throw new DeliveryError(
            'DOWNLOAD_FAILED',
            `The server's list of clips is not in the expected shape (${answer.error.issues[0]?.message ?? 'unknown'}); update the server or this app.`,
          );
        }
        return answer.data;
      } catch (error) {
        if (error instanceof DeliveryError || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }

  async #fetchOne(
    server: { baseUrl: string; token: string },
    clip: ClipDelivery,
    state: ClipFetchState,
  ): Promise<void> {
    state.state = 'downloading';
    this.#emit();
    try {
      const result = await downloadClip(server, clip, this.#options.dir, {
        ...this.#options.download,
        ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
        onProgress: (done) => {
          state.bytesDone = done;
          this.#emit();
        },
      });
      // The bytes are the server's; the frame table must be too, or the labels would drift.
      const probe = await probeVideo(result.path);
      if (frameTableSha256(probe.frameTimes) !== clip.frameTableSha256) {
        await rm(result.path, { force: true });
        throw new DeliveryError(
          'DOWNLOAD_CORRUPT',
          `The downloaded clip's frame table differs from the server's (${probe.frameCount} ` +
            `frames, the server has ${clip.frameCount}); it was deleted.`,
        );
      }
      await this.#options.importClip?.(result.path, clip);
      this.#paths.set(clip.clipRef, result.path);
      state.bytesDone = clip.sizeBytes;
      state.state = 'ready';
      state.error = null;
    } catch (error) {
      state.state = 'failed';
      state.error =
        error instanceof DeliveryError
          ? { code: error.code, message: error.message }
          : {
              code: 'DOWNLOAD_FAILED',
              message: error instanceof Error ? error.message : String(error),
            };
    }
    this.#emit();
  }

  #emit(): void {
    this.#options.onProgress?.(this.progress());
  }

  /** The verified file of a clip, or null while it is not here (complete) yet. */
  pathOf(clipRef: string): string | null {
    const state = this.#states.get(clipRef);
    return state?.state === 'ready' ? (this.#paths.get(clipRef) ?? null) : null;
  }

  /** Opening a clip makes it recently used (the quota evicts the least recently used first). */
  async markUsed(path: string): Promise<void> {
    const now = new Date();
    await utimes(path, now, now);
  }

  /** Withdrawal: the downloaded file and any partial download of the clip go. */
  async purgeClip(clipRef: string): Promise<void> {
    this.#states.delete(clipRef);
    this.#paths.delete(clipRef);
    for (const name of await this.#files()) {
      if (name.startsWith(`${clipRef}.`)) await rm(join(this.#options.dir, name), { force: true });
    }
  }

  /**
   * Deletes delivered clips until the folder fits `quotaBytes`: never one still assigned, open, or
   * with work not yet sent, least recently used first. Returns the clips deleted.
   */
  async enforceQuota(
    quotaBytes: number,
    stateOf: (clipRef: string) => { open: boolean; unsentWork: boolean },
  ): Promise<string[]> {
    const stored: StoredDelivery[] = [];
    for (const name of await this.#files()) {
      const clipRef = name.slice(0, 64);
      if (!/^[0-9a-f]{64}$/.test(clipRef)) continue;
      const info = await stat(join(this.#options.dir, name));
      stored.push({
        clipRef,
        sizeBytes: info.size,
        assigned: this.#states.has(clipRef),
        ...stateOf(clipRef),
        lastUsedAt: info.mtimeMs,
      });
    }
    const evicted = clipsToEvict(stored, quotaBytes);
    for (const clipRef of evicted) await this.purgeClip(clipRef);
    return evicted;
  }

  async #files(): Promise<string[]> {
    try {
      return await readdir(this.#options.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

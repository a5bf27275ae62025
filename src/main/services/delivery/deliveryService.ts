import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { frameTableSha256 } from '../../../node/media/frameTableHash';
import { probeVideo } from '../../../node/media/probeVideo';
import { sha256File } from '../../../node/media/sha256File';
import type {
  ClipFetchState,
  ClipStorage,
  DeliveryProgress,
} from '../../../shared/api/deliverySchemas';
import { DeliveriesAnswer } from '../../../shared/api/syncProtocol';
import { clipsToEvict, type StoredDelivery } from '../../../shared/domain/deliveryQuota';
import {
  DeliveryError,
  downloadClip,
  type ClipDelivery,
  type DownloadOptions,
} from './downloadClip';

/** What the quota must know of a clip besides its file: whether someone still needs it here. */
export type ClipUse = { open: boolean; unsentWork: boolean };

/** A delivered file deleted (withdrawal or eviction): what the audit log may say of it. */
export type RemovedDelivery = {
  clipRef: string;
  /** The complete copy's sha256; null for a partial download. */
  sha256: string | null;
  sizeBytes: number;
};

export type DeliveryServiceOptions = {
  /** Where delivered clips are kept (the user-data folder's `clips/`). */
  dir: string;
  /** The signed-in server and token, or null when signed out (nothing is fetched). */
  server: () => { baseUrl: string; token: string } | null;
  fetch?: typeof fetch;
  download?: Omit<DownloadOptions, 'onProgress' | 'onVerifying' | 'fetch'>;
  onProgress?: (progress: DeliveryProgress) => void;
  /** The usual import of a verified file (frame table, proxy when needed), once per clip. */
  importClip?: (path: string, delivery: ClipDelivery) => Promise<void>;
  /**
   * Read once at each eviction (a snapshot of the database): a clip open here or with work not
   * yet sent is never evicted.
   */
  clipUse?: () => (clipRef: string) => ClipUse;
  /** Where the quota setting is kept (JSON); default `clip-storage.json` beside `dir`. */
  settingsFile?: string;
  /** Told after the quota deleted clips (for the audit log). */
  onEvicted?: (removed: RemovedDelivery[]) => void;
  /** Least time between two byte-progress events (state changes are sent at once). */
  progressEveryMs?: number;
};

const REF = /^[0-9a-f]{64}$/;

/**
 * Fetches the clips the server offers the signed-in account, one after another in the
 * background: each downloaded with Range (resuming what an earlier run left in `.part`), its
 * sha256 and then its frame table checked against the server's, then handed to the import.
 * Progress is kept per clip and in total. Files are named by clip, so what is on disk after a
 * restart is known without a table; the quota setting is a small JSON file beside them.
 */
export class DeliveryService {
  readonly #options: DeliveryServiceOptions;
  readonly #states = new Map<string, ClipFetchState>();
  readonly #paths = new Map<string, string>();
  /** What the server offered at the last listing; null until one arrived (nothing is evicted). */
  #offered: Set<string> | null = null;
  #running: Promise<DeliveryProgress> | null = null;
  /** Rounds asked for: one asked during a round makes another follow it. */
  #asked = 0;
  #quota: number | null | undefined = undefined;
  #progressTimer: NodeJS.Timeout | null = null;

  constructor(options: DeliveryServiceOptions) {
    this.#options = options;
  }

  #timer: NodeJS.Timeout | null = null;

  /**
   * Fetches in the background: a round now and every `everyMs` (a round is a no-op while signed
   * out). A network failure is retried at the next round; its clip shows the error meanwhile.
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
    if (this.#progressTimer !== null) clearTimeout(this.#progressTimer);
    this.#timer = null;
    this.#progressTimer = null;
  }

  progress(): DeliveryProgress {
    const clips = [...this.#states.values()].map((clip) => ({ ...clip }));
    return {
      clips,
      bytesDone: clips.reduce((sum, clip) => sum + clip.bytesDone, 0),
      bytesTotal: clips.reduce((sum, clip) => sum + clip.sizeBytes, 0),
    };
  }

  /**
   * One round: asks the server what to fetch, and fetches what is not here yet. Asked while a
   * round runs, one more follows it (a retry or a new assignment is not left for the timer).
   */
  refresh(): Promise<DeliveryProgress> {
    this.#asked += 1;
    if (this.#running !== null) return this.#running;
    const rounds = async (): Promise<DeliveryProgress> => {
      for (;;) {
        const asked = this.#asked;
        const progress = await this.#round();
        if (this.#asked === asked) return progress;
      }
    };
    this.#running = rounds().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** A failed clip is fetched again now. False when it is not failed (or not offered). */
  retry(clipRef: string): boolean {
    const state = this.#states.get(clipRef);
    if (state?.state !== 'failed') return false;
    state.state = 'queued';
    state.error = null;
    this.#emit();
    void this.refresh().catch((error: unknown) => {
      console.warn('framewise: fetching delivered clips failed:', error);
    });
    return true;
  }

  async #round(): Promise<DeliveryProgress> {
    const server = this.#options.server();
    if (server === null) return this.progress();
    const { clips } = await this.#listDeliveries(server);
    await mkdir(this.#options.dir, { recursive: true });
    this.#offered = new Set(clips.map((clip) => clip.clipRef));
    for (const clipRef of this.#states.keys()) {
      if (!this.#offered.has(clipRef)) this.#states.delete(clipRef);
    }
    for (const clip of clips) {
      const known = this.#states.get(clip.clipRef);
      // A failure stays on the screen, with its reason, until its clip's turn comes again.
      if (known === undefined || known.state === 'downloading' || known.state === 'verifying') {
        this.#states.set(clip.clipRef, {
          clipRef: clip.clipRef,
          as: clip.as,
          state: 'queued',
          bytesDone: 0,
          sizeBytes: clip.sizeBytes,
          error: null,
        });
      }
    }
    this.#emit();
    // At start the quota is checked as soon as what is still assigned is known.
    await this.enforceQuota();
    for (const clip of clips) {
      const state = this.#states.get(clip.clipRef);
      if (state === undefined || state.state === 'ready') continue;
      // Only a dropped link is retried by itself: a corrupt copy or a refusal waits for Retry.
      if (state.state === 'failed' && state.error?.code !== 'DOWNLOAD_FAILED') continue;
      if (await this.#fetchOne(server, clip, state)) await this.enforceQuota();
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

  /** Fetches, verifies and imports one clip; true when it became ready. */
  async #fetchOne(
    server: { baseUrl: string; token: string },
    clip: ClipDelivery,
    state: ClipFetchState,
  ): Promise<boolean> {
    state.state = 'downloading';
    state.error = null;
    this.#emit();
    try {
      const result = await downloadClip(server, clip, this.#options.dir, {
        ...this.#options.download,
        ...(this.#options.fetch === undefined ? {} : { fetch: this.#options.fetch }),
        onProgress: (done) => {
          state.bytesDone = done;
          this.#emitSoon();
        },
        onVerifying: () => {
          state.bytesDone = clip.sizeBytes;
          state.state = 'verifying';
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
      this.#emit();
      return true;
    } catch (error) {
      state.state = 'failed';
      state.error =
        error instanceof DeliveryError
          ? { code: error.code, message: error.message }
          : {
              code: 'DOWNLOAD_FAILED',
              message: error instanceof Error ? error.message : String(error),
            };
      this.#emit();
      return false;
    }
  }

  #emit(): void {
    if (this.#progressTimer !== null) clearTimeout(this.#progressTimer);
    this.#progressTimer = null;
    this.#options.onProgress?.(this.progress());
  }

  /** Bytes arrive in 64 KB pieces: the windows hear of them a few times a second, not each. */
  #emitSoon(): void {
    if (this.#progressTimer !== null) return;
    this.#progressTimer = setTimeout(() => this.#emit(), this.#options.progressEveryMs ?? 200);
  }

  /** The verified file of a clip, or null while it is not here (complete) yet. */
  pathOf(clipRef: string): string | null {
    const state = this.#states.get(clipRef);
    return state?.state === 'ready' ? (this.#paths.get(clipRef) ?? null) : null;
  }

  /** Opening a clip makes it recently used (the quota evicts the least recently used first). */
  async markUsed(clipRef: string): Promise<void> {
    const now = new Date();
    for (const name of await this.#files()) {
      if (name.startsWith(`${clipRef}.`) && !name.endsWith('.part')) {
        await utimes(join(this.#options.dir, name), now, now);
      }
    }
  }

  /**
   * Deletes the downloaded file and any partial download of the clip (a withdrawal, an eviction),
   * and says what went: the complete copy's sha256 is read first, for the audit log.
   */
  async purgeClip(clipRef: string): Promise<RemovedDelivery[]> {
    if (this.#states.delete(clipRef)) this.#emit();
    this.#paths.delete(clipRef);
    const removed: RemovedDelivery[] = [];
    for (const name of await this.#files()) {
      if (!name.startsWith(`${clipRef}.`)) continue;
      const path = join(this.#options.dir, name);
      const info = await stat(path);
      const sha256 = name.endsWith('.part') ? null : await sha256File(path);
      await rm(path, { force: true });
      removed.push({ clipRef, sha256, sizeBytes: info.size });
    }
    return removed;
  }

  /** The quota (null: none), as last set; read from its file once. */
  async quota(): Promise<number | null> {
    if (this.#quota === undefined) {
      try {
        const saved = JSON.parse(await readFile(this.#settingsFile(), 'utf8')) as {
          quotaBytes?: unknown;
        };
        this.#quota =
          typeof saved.quotaBytes === 'number' && saved.quotaBytes >= 0 ? saved.quotaBytes : null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          console.warn('framewise: the clip quota setting could not be read; none applies:', error);
        }
        this.#quota = null;
      }
    }
    return this.#quota;
  }

  /** Keeps the quota across restarts (written whole, then renamed) and applies it now. */
  async setQuota(quotaBytes: number | null): Promise<string[]> {
    const file = this.#settingsFile();
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify({ quotaBytes }));
    await rename(`${file}.tmp`, file);
    this.#quota = quotaBytes;
    return this.enforceQuota();
  }

  async storage(): Promise<ClipStorage> {
    const stored = await this.#stored();
    return {
      quotaBytes: await this.quota(),
      usedBytes: stored.reduce((sum, file) => sum + file.sizeBytes, 0),
      clipCount: new Set(stored.map((file) => file.clipRef)).size,
    };
  }

  /**
   * Deletes delivered clips until the folder fits the quota: never one still assigned, open, or
   * with work not yet sent, least recently used first. Before the server has said what is
   * assigned (offline since the start), nothing goes. Returns the clips deleted.
   */
  async enforceQuota(
    quotaBytes?: number | null,
    clipUseOf?: (clipRef: string) => ClipUse,
  ): Promise<string[]> {
    const quota = quotaBytes === undefined ? await this.quota() : quotaBytes;
    const offered = this.#offered;
    if (quota === null || offered === null) return [];
    const clipUse =
      clipUseOf ?? this.#options.clipUse?.() ?? (() => ({ open: false, unsentWork: false }));
    const stored: StoredDelivery[] = [];
    for (const file of await this.#stored()) {
      const known = stored.find((clip) => clip.clipRef === file.clipRef);
      if (known !== undefined) {
        // A partial download beside a copy: one clip, both files count.
        known.sizeBytes += file.sizeBytes;
        known.lastUsedAt = Math.max(known.lastUsedAt, file.lastUsedAt);
        continue;
      }
      stored.push({ ...file, assigned: offered.has(file.clipRef), ...clipUse(file.clipRef) });
    }
    const evicted = clipsToEvict(stored, quota);
    const removed: RemovedDelivery[] = [];
    for (const clipRef of evicted) removed.push(...(await this.purgeClip(clipRef)));
    if (removed.length > 0) this.#options.onEvicted?.(removed);
    return evicted;
  }

  async #stored(): Promise<{ clipRef: string; sizeBytes: number; lastUsedAt: number }[]> {
    const files = [];
    for (const name of await this.#files()) {
      const clipRef = name.slice(0, 64);
      if (!REF.test(clipRef) || name.charAt(64) !== '.') continue;
      try {
        const info = await stat(join(this.#options.dir, name));
        files.push({ clipRef, sizeBytes: info.size, lastUsedAt: info.mtimeMs });
      } catch (error) {
        // Renamed or deleted meanwhile (a download finishing): the next look sees it right.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    return files;
  }

  #settingsFile(): string {
    return this.#options.settingsFile ?? join(this.#options.dir, '..', 'clip-storage.json');
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

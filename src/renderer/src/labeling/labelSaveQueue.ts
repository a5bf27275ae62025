import type { Command } from '../../../shared/domain/labels';

/** An edit shown on screen and waiting to be committed; `editId` makes a resend idempotent. */
export type PendingEdit = { readonly editId: string; readonly command: Command };

/** A failure the queue will not retry: the edit cannot be saved as it is. */
export type SaveRejection = { readonly code: string; readonly message: string };

export type SaveQueueStatus = {
  /** Edits shown but not yet acknowledged as committed. */
  readonly pending: number;
  /** The set's seq after the last acknowledged edit. */
  readonly savedSeq: number;
  /** The last send failed and is being retried (the message says why), or null. */
  readonly retrying: { readonly message: string; readonly attempt: number } | null;
};

export type SaveQueueOptions = {
  /** Sends one edit; resolves with the set's new seq once the edit is on disk. */
  send: (edit: PendingEdit, expectedSeq: number) => Promise<number>;
  /** Whether a failure may go away by itself (the host was unreachable, the disk was busy). */
  isTransient: (error: unknown) => boolean;
  onStatus: (status: SaveQueueStatus) => void;
  /**
   * A failure that retrying will not fix (the labels changed elsewhere, the set was submitted).
   * The queue stops; `unsent` are the edits not saved, in order, starting with the failed one.
   */
  onRejected: (error: unknown, unsent: readonly PendingEdit[]) => void;
  minRetryMs?: number;
  maxRetryMs?: number;
  random?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
};

/**
 * Sends a set's edits to the store one at a time, in order, each with the seq it was made on.
 * A transient failure is retried with capped exponential backoff and full jitter, with the same
 * edit id, so an edit whose answer was lost is not saved twice; nothing is dropped while the page
 * lives. The renderer shows an edit at once and this queue decides when it may be called saved.
 */
export class LabelSaveQueue {
  readonly #options: Required<Omit<SaveQueueOptions, 'random' | 'setTimer' | 'clearTimer'>> &
    Pick<Required<SaveQueueOptions>, 'random' | 'setTimer' | 'clearTimer'>;
  readonly #queue: PendingEdit[] = [];
  #savedSeq: number;
  #sending = false;
  #stopped = false;
  #attempt = 0;
  #retryMessage: string | null = null;
  #timer: unknown = null;
  #idleWaiters: (() => void)[] = [];

  constructor(savedSeq: number, options: SaveQueueOptions) {
    this.#savedSeq = savedSeq;
    this.#options = {
      minRetryMs: 200,
      maxRetryMs: 5_000,
      random: Math.random,
      setTimer: (callback, ms) => setTimeout(callback, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  get status(): SaveQueueStatus {
    return {
      pending: this.#queue.length,
      savedSeq: this.#savedSeq,
      retrying:
        this.#retryMessage === null
          ? null
          : { message: this.#retryMessage, attempt: this.#attempt },
    };
  }

  enqueue(edit: PendingEdit): void {
    if (this.#stopped) throw new Error('This save queue was stopped; open the labels again.');
    this.#queue.push(edit);
    this.#report();
    void this.#pump();
  }

  /** Resolves when every queued edit is saved (or the queue stopped). */
  whenIdle(): Promise<void> {
    if (this.#queue.length === 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops sending (the clip is closed); what is queued stays unsent. */
  stop(): PendingEdit[] {
    this.#stopped = true;
    if (this.#timer !== null) this.#options.clearTimer(this.#timer);
    this.#timer = null;
    this.#settleIdle();
    return [...this.#queue];
  }

  async #pump(): Promise<void> {
    if (this.#sending || this.#stopped || this.#timer !== null) return;
    this.#sending = true;
    try {
      for (
        let edit = this.#queue[0];
        edit !== undefined && !this.#halted();
        edit = this.#queue[0]
      ) {
        let seq: number;
        try {
          seq = await this.#options.send(edit, this.#savedSeq);
        } catch (error) {
          if (this.#halted()) return;
          if (!this.#options.isTransient(error)) {
            const unsent = this.stop();
            this.#retryMessage = null;
            this.#report();
            this.#options.onRejected(error, unsent);
            return;
          }
          this.#scheduleRetry(error);
          return;
        }
        this.#queue.shift();
        this.#savedSeq = seq;
        this.#attempt = 0;
        this.#retryMessage = null;
        this.#report();
      }
      this.#settleIdle();
    } finally {
      this.#sending = false;
    }
  }

  // A method, not the field: `stop()` may run while a send is awaited, which narrowing cannot see.
  #halted(): boolean {
    return this.#stopped;
  }

  #scheduleRetry(error: unknown): void {
    this.#attempt += 1;
    this.#retryMessage = error instanceof Error ? error.message : String(error);
    const { minRetryMs, maxRetryMs, random } = this.#options;
    const cap = Math.min(maxRetryMs, minRetryMs * 2 ** (this.#attempt - 1));
    const delay = Math.max(minRetryMs / 2, random() * cap);
    this.#report();
    this.#timer = this.#options.setTimer(() => {
      this.#timer = null;
      void this.#pump();
    }, delay);
  }

  #report(): void {
    this.#options.onStatus(this.status);
  }

  #settleIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

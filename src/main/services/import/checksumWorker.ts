import type { EventBus } from '../eventBus';
import type { Store } from '../store/Store';

export type HashFile = (
  filePath: string,
  onProgress: (bytesDone: number, totalBytes: number) => void,
  signal: AbortSignal,
) => Promise<string>;

/**
 * Streams sha256 of imported clips one at a time, after import returns, so a 1,000-clip batch
 * shows up at once and the GBs of hashing happen behind it. Survives restarts: pending rows
 * stay pending in the store until hashed.
 */
export class ChecksumWorker {
  private running: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly events: EventBus,
    private readonly hashFile: HashFile,
    private readonly actor: string,
  ) {}

  /** Starts hashing what is pending, if not already running. */
  kick(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.drain()
      .catch((error: unknown) => {
        console.error('Checksum worker stopped on an error; pending clips stay pending.', error);
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Resolves when nothing is pending (for the CLI and tests). */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  private isStopped(): boolean {
    return this.abort.signal.aborted;
  }

  stop(): void {
    this.abort.abort();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const pending = this.store.media.listPendingChecksums();
      if (pending.length === 0 || this.isStopped()) return;
      let done = 0;
      for (const item of pending) {
        if (this.isStopped()) return;
        let sha256: string | null = null;
        let message: string | null = null;
        try {
          sha256 = await this.hashFile(item.filePath, () => undefined, this.abort.signal);
        } catch (error) {
          if (this.isStopped()) return;
          message = `Checksum failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        const state =
          sha256 === null
            ? 'error'
            : item.expectedSha256 !== null && item.expectedSha256 !== sha256
              ? 'mismatch'
              : 'done';
        if (state === 'mismatch') {
          message = `The file's sha256 differs from batch.json: it changed after the manifest was written.`;
        }
        this.store.media.setChecksum(item.clipId, state, sha256, this.actor);
        done += 1;
        this.events.emit('checksumUpdate', {
          clipId: item.clipId,
          batchId: item.batchId,
          checksumState: state,
          sha256,
          message,
        });
        this.events.emit('importProgress', {
          batchId: item.batchId,
          phase: 'checksum',
          done,
          total: pending.length,
          relativePath: null,
        });
      }
    }
  }
}

import { randomUUID } from 'node:crypto';
import type {
  ExportProgress,
  ExportReport,
  ExportRequest,
} from '../../../shared/api/exportSchemas';
import type { EventBus } from '../eventBus';
import { ExportQueries } from '../store/exportQueries';
import { ExportError } from './exportError';
import { framewiseVersion } from './framewiseVersion';
import { runExport } from './runExport';

export type ExportServiceDeps = {
  databasePath: string;
  events: EventBus;
  sqliteNativeBinding?: string;
  /** Defaults to package.json's version. */
  framewiseVersion?: string;
};

/**
 * Runs exports, each on a read-only connection of its own (see ExportQueries), reports their
 * progress as `exportProgress` events, and cancels them by id.
 */
export class ExportService {
  readonly #deps: ExportServiceDeps;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  constructor(deps: ExportServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Starts an export in the background and returns its id at once; progress and the outcome
   * (report or error) arrive as `exportProgress` events.
   */
  start(request: ExportRequest): { exportId: string } {
    const exportId = randomUUID();
    const done = this.#run(exportId, request, () => undefined).catch((error: unknown) => {
      // The error already reached the client as the final `failed`/`cancelled` event; logging
      // it here keeps a record on the main side, where the stack is.
      if (!(error instanceof ExportError && error.code === 'CANCELLED')) {
        console.error(`Export ${exportId} failed:`, error);
      }
    });
    void done;
    return { exportId };
  }

  /** Runs an export to its end (CLI, tests): resolves with the report, rejects with the error. */
  run(
    request: ExportRequest,
    onProgress: (progress: ExportProgress) => void = () => undefined,
  ): Promise<ExportReport> {
    return this.#run(randomUUID(), request, onProgress);
  }

  /** Cancels a running export; its temporary folder is removed. False when it is not running. */
  cancel(exportId: string): boolean {
    const running = this.#running.get(exportId);
    if (!running) return false;
    running.controller.abort();
    return true;
  }

  /** Cancels every export and waits for them to clean up (app shutdown). */
  async close(): Promise<void> {
    const pending = [...this.#running.values()];
    for (const running of pending) running.controller.abort();
    await Promise.allSettled(pending.map((running) => running.done));
  }

  #run(
    exportId: string,
    request: ExportRequest,
    onProgress: (progress: ExportProgress) => void,
  ): Promise<ExportReport> {
    const controller = new AbortController();
    const promise = (async () => {
      const queries = ExportQueries.open(this.#deps.databasePath, {
        ...(this.#deps.sqliteNativeBinding
          ? { nativeBinding: this.#deps.sqliteNativeBinding }
          : {}),
      });
      try {
        return await runExport(request, {
          exportId,
          queries,
          framewiseVersion: this.#deps.framewiseVersion ?? framewiseVersion(),
          signal: controller.signal,
          onProgress: (progress) => {
            this.#deps.events.emit('exportProgress', progress);
            onProgress(progress);
          },
        });
      } finally {
        queries.close();
        this.#running.delete(exportId);
      }
    })();
    this.#running.set(exportId, { controller, done: promise.catch(() => undefined) });
    return promise;
  }
}

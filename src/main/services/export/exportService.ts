import { randomUUID } from 'node:crypto';
import type {
  ExportProgress,
  ExportReport,
  ExportRequest,
} from '../../../shared/api/exportSchemas';
import { isApiError } from '../../../shared/api/apiError';
import type { EventBus } from '../eventBus';
import { ExportQueries } from '../export/exportQueries';
import { ExportError } from './exportError';
import { framewiseVersion } from './framewiseVersion';
import { FfmpegError, ffmpegInUse } from '../../../node/media/ffmpeg';
import { runExport } from './runExport';

const TERMINAL: ReadonlySet<ExportProgress['phase']> = new Set(['done', 'failed', 'cancelled']);

function failedProgress(exportId: string, error: unknown): ExportProgress {
  return {
    exportId,
    phase: 'failed',
    done: 0,
    total: 0,
    clipsExported: 0,
    clipsExcluded: 0,
    etaSeconds: null,
    current: null,
    report: null,
    error: {
      code: isApiError(error) ? error.code : 'EXPORT_FAILED',
      message: error instanceof Error ? error.message : JSON.stringify(error),
    },
  };
}

export type ExportServiceDeps = {
  databasePath: string;
  events: EventBus;
  sqliteNativeBinding?: string;
  /** Defaults to package.json's version. */
  framewiseVersion?: string;
};

/** The version provenance records: null (said so in the record) where no ffmpeg is installed. */
async function ffmpegVersionInUse(): Promise<string | null> {
  try {
    return (await ffmpegInUse()).version;
  } catch (error) {
    if (error instanceof FfmpegError) return null;
    throw error;
  }
}

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
    // An object, not a let: TypeScript does not see the callback below changing a local.
    const state = { ended: false };
    const report = (progress: ExportProgress) => {
      state.ended ||= TERMINAL.has(progress.phase);
      this.#deps.events.emit('exportProgress', progress);
      onProgress(progress);
    };
    const promise = (async () => {
      try {
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
            ffmpegVersion: await ffmpegVersionInUse(),
            signal: controller.signal,
            onProgress: report,
          });
        } finally {
          queries.close();
        }
      } catch (error) {
        // Failures before the export got going (destination refused, database unreadable) have
        // sent no final event yet; a client waiting on events must still hear how it ended.
        if (!state.ended) report(failedProgress(exportId, error));
        throw error;
      } finally {
        this.#running.delete(exportId);
      }
    })();
    this.#running.set(exportId, { controller, done: promise.catch(() => undefined) });
    return promise;
  }
}

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CodedError } from '../../shared/domain/codedError';
import {
  ProvenanceError,
  textsInThisThread,
  type ClipTexts,
  type ClipTextsMaker,
  type LabelFilesClip,
} from '../../shared/formats';
import type { ErrorMessage, FromLabelTextWorker, ToLabelTextWorker } from './labelTextProtocol';

/**
 * Clips' label texts made on worker threads, so an export uses every core: the writing thread
 * reads clips from the database, numbers COCO's annotations, hashes and writes, while each
 * worker parses a clip's labels and writes its texts (`ClipTextWriter`, the same code as in one
 * thread: the files are byte for byte the same). Clips go to the least busy worker, a few ahead of
 * the one being written; their texts come back as UTF-8 bytes, moved between threads, not copied,
 * and are written in export order.
 */

export class LabelWorkerError extends CodedError<'LABEL_WORKER_FAILED'> {
  override name = 'LabelWorkerError';
}

/** Below this many clips, starting threads costs more than it saves. */
const MIN_CLIPS_FOR_WORKERS = 16;
/** More workers than this would wait on the writing thread (hashing and writing its bytes). */
const MAX_WORKERS = 4;
/** Clips handed to each worker ahead of the one being written: the rest waits in the database. */
const CLIPS_AHEAD_PER_WORKER = 2;

/** Worker threads for an export of `clipCount` clips, or this thread for a small one. */
export function labelTextMaker(clipCount: number): ClipTextsMaker {
  const workers = Math.min(MAX_WORKERS, availableParallelism());
  return clipCount >= MIN_CLIPS_FOR_WORKERS && workers > 1
    ? textsInWorkers(workers)
    : textsInThisThread;
}

type Job = { clip: LabelFilesClip; texts: Promise<ClipTexts> };

type Running = {
  worker: Worker;
  pending: Map<number, { resolve: (texts: ClipTexts) => void; reject: (error: Error) => void }>;
  /** Why the worker is gone; clips are no longer sent to it. */
  gone: Error | null;
};

/** Clips' texts made by `count` worker threads, yielded in the clips' order. */
export function textsInWorkers(count: number, start = startLabelTextWorker): ClipTextsMaker {
  return async function* (plan, clips) {
    const running: Running[] = [];
    const stop = async () => {
      await Promise.all(running.map(({ worker }) => worker.terminate()));
    };
    try {
      for (let i = 0; i < count; i++) {
        const worker = start();
        const entry: Running = { worker, pending: new Map(), gone: null };
        const failAll = (error: Error) => {
          entry.gone ??= error;
          for (const job of entry.pending.values()) job.reject(error);
          entry.pending.clear();
        };
        worker.on('message', (message: FromLabelTextWorker) => {
          const job = entry.pending.get(message.index);
          if (job === undefined) return;
          entry.pending.delete(message.index);
          if ('error' in message) job.reject(errorFrom(message.error));
          else job.resolve(message.texts);
        });
        worker.on('error', (error: Error) =>
          failAll(
            new LabelWorkerError(
              'LABEL_WORKER_FAILED',
              `A thread writing the export's label files failed: ${error.message}`,
              { cause: error },
            ),
          ),
        );
        worker.on('exit', (code: number) =>
          failAll(
            new LabelWorkerError(
              'LABEL_WORKER_FAILED',
              `A thread writing the export's label files stopped (exit code ${code}); export again.`,
            ),
          ),
        );
        worker.postMessage({ type: 'plan', plan } satisfies ToLabelTextWorker);
        running.push(entry);
      }
      const submit = (clip: LabelFilesClip, index: number): Job => {
        const least = running.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
        const texts = new Promise<ClipTexts>((resolve, reject) => {
          if (least.gone) reject(least.gone);
          else least.pending.set(index, { resolve, reject });
        });
        // Awaited in order below; a rejection that lands after the export stopped is not lost.
        texts.catch(() => undefined);
        least.worker.postMessage({ type: 'clip', index, clip } satisfies ToLabelTextWorker);
        return { clip, texts };
      };
      const queue: Job[] = [];
      let index = 0;
      for await (const clip of clips) {
        index += 1;
        queue.push(submit(clip, index));
        if (queue.length >= count * CLIPS_AHEAD_PER_WORKER) {
          const job = queue.shift() as Job;
          yield { clip: job.clip, texts: await job.texts };
        }
      }
      for (const job of queue) yield { clip: job.clip, texts: await job.texts };
    } finally {
      await stop();
    }
  };
}

/** The error the writer threw in the worker, as the same class (and code) here. */
function errorFrom(error: ErrorMessage): Error {
  if (error.code !== undefined) {
    const coded = new CodedError(error.code, error.message);
    coded.name = error.name;
    return coded;
  }
  switch (error.name) {
    case 'RangeError':
      return new RangeError(error.message);
    case 'TypeError':
      return new TypeError(error.message);
    case 'SyntaxError':
      return new SyntaxError(error.message);
    case 'ProvenanceError':
      return new ProvenanceError(error.message);
    default: {
      const plain = new Error(error.message);
      plain.name = error.name;
      return plain;
    }
  }
}

/**
 * A clip's parsed labels and texts (tens of megabytes of short-lived objects) die young in a
 * young generation this size instead of being copied on into the old one: measured on 300 sets,
 * the collector's threads took about a quarter less CPU than with V8's default (48 MB: no gain).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 96 };

/**
 * The worker from the sources through tsx (tests, benches), else the bundle's
 * `labelTextWorker.js`, beside this code or one folder up (a bundle's chunks folder).
 */
function startLabelTextWorker(): Worker {
  const here = dirname(fileURLToPath(import.meta.url));
  if (!import.meta.url.endsWith('.ts')) {
    const beside = join(here, 'labelTextWorker.js');
    return new Worker(existsSync(beside) ? beside : join(here, '..', 'labelTextWorker.js'), {
      resourceLimits: WORKER_LIMITS,
    });
  }
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const relative = manifest.exports?.['./esm/api']?.import?.default;
  if (!relative) {
    throw new LabelWorkerError('LABEL_WORKER_FAILED', 'tsx has no ESM register API; reinstall it.');
  }
  const tsxApi = pathToFileURL(join(dirname(packageJson), relative)).href;
  const entry = pathToFileURL(join(here, 'labelTextWorker.ts')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, resourceLimits: WORKER_LIMITS });
}

import { LazyWorker, type WorkerLike } from '../lazyWorker';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FaceScanProgress } from '../../../shared/api/faceSchemas';
import type { Clip } from '../../../shared/api/schemas';
import { ApiError } from '../../../shared/api/apiError';
import { faceModelId, type FaceModelName } from '../../../shared/domain/faces/faceModelFiles';
import type { FaceBox } from '../../../shared/domain/faces/faceTracks';
import { displayedSize } from '../../../shared/domain/labels/viewTransform';
import type { EventBus } from '../eventBus';
import type { MediaService } from '../media/mediaService';
import type { FaceBackend } from './faceModel';
import type { FaceRegions } from './faceRegions';
import type { FromFaceWorker, ToFaceWorker } from './faceWorkerProtocol';

export type FaceScanErrorCode =
  'CLIP_NOT_FOUND' | 'SCAN_RUNNING' | 'FRAME_COUNT_CHANGED' | 'WORKER_FAILED';

export class FaceScanError extends ApiError<FaceScanErrorCode> {
  override name = 'FaceScanError';
}

/**
 * Longest side of the picture the detector sees. SSD MobileNet resizes to 512 internally; 1280
 * keeps small faces (a face across a room) a few pixels bigger before that, and the boxes come
 * back in displayed pixels at any size.
 */
export const MAX_FACE_INPUT_SIDE = 1280;

export function faceInputSize(displayed: { width: number; height: number }): {
  width: number;
  height: number;
} {
  const scale = Math.min(1, MAX_FACE_INPUT_SIDE / Math.max(displayed.width, displayed.height));
  const even = (v: number) => Math.max(2, Math.round((v * scale) / 2) * 2);
  return { width: even(displayed.width), height: even(displayed.height) };
}

/** As preannotationService's pose worker: sources through tsx, the bundle's `faceWorker.js` otherwise. */
function startWorker(): WorkerLike {
  const here = dirname(fileURLToPath(import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return new Worker(join(here, 'faceWorker.js'));
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const relative = manifest.exports?.['./esm/api']?.import?.default;
  if (!relative)
    throw new FaceScanError('WORKER_FAILED', 'tsx has no ESM register API; reinstall it.');
  const tsxApi = pathToFileURL(join(dirname(packageJson), relative)).href;
  const entry = pathToFileURL(join(here, 'faceWorker.ts')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

type Job = {
  readonly jobId: string;
  readonly clipId: string;
  readonly frameCount: number;
  readonly scaleX: number;
  readonly scaleY: number;
  model: string;
  backend: string | null;
  done: number;
  readonly finished: Promise<void>;
  resolve: () => void;
};

export type FaceScanServiceDeps = {
  media: Pick<MediaService, 'getClipFilePath' | 'getFrameTable'> & {
    getClip(clipId: string): Pick<Clip, 'id' | 'width' | 'height' | 'rotation'> | undefined;
  };
  faces: FaceRegions;
  events: EventBus;
  model?: FaceModelName;
  backend?: FaceBackend;
  createWorker?: () => WorkerLike;
  now?: () => Date;
};

/**
 * Scans clips for faces in the background: one job per clip, on a worker thread, every frame,
 * each frame's boxes committed as it finishes (so a cancelled, failed or interrupted scan resumes
 * where it stopped), progress as `faceScanProgress` events, tracks linked when the last frame is
 * in. The scan never marks a clip reviewed: a person does (FaceRegions.setReviewStatus).
 */
export class FaceScanService {
  readonly #deps: FaceScanServiceDeps;
  readonly #jobs = new Map<string, Job>();
  readonly #worker: LazyWorker<ToFaceWorker, FromFaceWorker>;

  constructor(deps: FaceScanServiceDeps) {
    this.#deps = deps;
    this.#worker = new LazyWorker({
      name: 'face worker',
      create: deps.createWorker ?? startWorker,
      onMessage: (message) => this.#onMessage(message),
      onGone: (error) => this.#onWorkerGone(error),
    });
  }

  start(clipId: string): { jobId: string; resumedFrames: number } {
    const { media, faces } = this.#deps;
    if ([...this.#jobs.values()].some((job) => job.clipId === clipId)) {
      throw new FaceScanError(
        'SCAN_RUNNING',
        'This clip is being scanned already; wait or cancel it.',
      );
    }
    const clip = media.getClip(clipId);
    const input = media.getClipFilePath(clipId);
    const table = media.getFrameTable(clipId);
    if (!clip || input === undefined || !table) {
      throw new FaceScanError(
        'CLIP_NOT_FOUND',
        `No clip with id ${clipId}: it may have been removed; reload the list.`,
      );
    }
    const model = this.#deps.model ?? 'ssd-mobilenetv1';
    const frameCount = table.frameTimes.length;
    const done = faces.beginScan(clipId, faceModelId(model), frameCount, this.#at());
    const displayed = displayedSize({ width: clip.width, height: clip.height }, clip.rotation);
    const size = faceInputSize(displayed);
    const jobId = randomUUID();
    let resolve = (): void => undefined;
    const finished = new Promise<void>((settle) => (resolve = settle));
    const job: Job = {
      jobId,
      clipId,
      frameCount,
      scaleX: displayed.width / size.width,
      scaleY: displayed.height / size.height,
      model: faceModelId(model),
      backend: null,
      done: done.size,
      finished,
      resolve,
    };
    this.#jobs.set(jobId, job);
    this.#emit(job, 'loading', null);
    this.#post({
      type: 'run',
      jobId,
      model,
      backend: this.#deps.backend ?? 'wasm',
      input,
      width: size.width,
      height: size.height,
      skip: [...done],
    });
    return { jobId, resumedFrames: done.size };
  }

  cancel(jobId: string): boolean {
    if (!this.#jobs.has(jobId)) return false;
    this.#post({ type: 'cancel', jobId });
    return true;
  }

  whenFinished(jobId: string): Promise<void> {
    return this.#jobs.get(jobId)?.finished ?? Promise.resolve();
  }

  /**
   * Stops at once, without touching the database again (the store closes right after): running
   * scans stay `scanning` with the frames they committed, and resume from there when started
   * again.
   */
  async close(): Promise<void> {
    const jobs = [...this.#jobs.values()];
    this.#jobs.clear();
    for (const job of jobs) job.resolve();
    await this.#worker.close();
  }

  #post(message: ToFaceWorker): void {
    this.#worker.post(message);
  }

  #onWorkerGone(error: Error): void {
    for (const job of [...this.#jobs.values()]) {
      this.#end(job, 'failed', {
        code: 'WORKER_FAILED',
        message: `Face scan stopped: ${error.message}`,
      });
    }
  }

  #onMessage(message: FromFaceWorker): void {
    const job = this.#jobs.get(message.jobId);
    if (!job) return;
    switch (message.type) {
      case 'loaded':
        job.model = message.modelId;
        job.backend = message.backend;
        this.#deps.faces.setBackend(job.clipId, message.backend);
        this.#emit(job, 'running', null);
        return;
      case 'frame': {
        const boxes: FaceBox[] = message.boxes.map((b) => ({
          x: b.x * job.scaleX,
          y: b.y * job.scaleY,
          width: b.width * job.scaleX,
          height: b.height * job.scaleY,
          score: b.score,
        }));
        this.#deps.faces.saveFrame(job.clipId, message.frame, boxes, this.#at());
        job.done++;
        this.#emit(job, 'running', null);
        return;
      }
      case 'finished':
        if (message.cancelled) this.#end(job, 'cancelled', null);
        else if (message.decoded !== job.frameCount) {
          this.#end(job, 'failed', {
            code: 'FRAME_COUNT_CHANGED',
            message: `ffmpeg decoded ${message.decoded} frames where the clip's frame table has ${job.frameCount}; the faces found are kept but not linked. Re-import the clip.`,
          });
        } else this.#end(job, 'done', null);
        return;
      case 'failed':
        this.#end(job, 'failed', { code: message.code, message: message.message });
        return;
    }
  }

  #end(job: Job, phase: 'done' | 'cancelled' | 'failed', error: FaceScanProgress['error']): void {
    this.#jobs.delete(job.jobId);
    const status = phase === 'done' ? 'scanned' : phase;
    this.#deps.faces.endScan(job.clipId, status, this.#at(), error?.message ?? null);
    this.#emit(job, phase, error);
    job.resolve();
  }

  #at(): string {
    return (this.#deps.now?.() ?? new Date()).toISOString();
  }

  #emit(job: Job, phase: FaceScanProgress['phase'], error: FaceScanProgress['error']): void {
    this.#deps.events.emit('faceScanProgress', {
      jobId: job.jobId,
      clipId: job.clipId,
      phase,
      done: job.done,
      total: job.frameCount,
      model: job.model,
      backend: job.backend,
      error,
    });
  }
}

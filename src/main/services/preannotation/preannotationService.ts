import { LazyWorker, type WorkerLike } from '../lazyWorker';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  effectiveScoreThreshold,
  type PreannotationFrames,
  type PreannotationProgress,
  type PreannotationRequest,
} from '../../../shared/api/preannotationSchemas';
import type { Clip, ProjectInfo } from '../../../shared/api/schemas';
import { resolveHandSide } from '../../../shared/domain/labels/handProposals';
import { displayedSize } from '../../../shared/domain/labels/viewTransform';
import { scalePose } from '../../../shared/domain/labels/poseProposals';
import type { EventBus } from '../eventBus';
import type { MediaService } from '../media/mediaService';
import { createGpuOrWorker, type OpenPoseWindow } from './gpuPoseRunner';
import { poseModelId } from '../../../shared/domain/poseModelFiles';
import { handsModelId } from '../../../shared/preannotation/handModelIds';
import { defaultModelsDir } from './modelsDir';
import type { PoseBackend } from './poseModel';
import { PreannotationError } from './preannotationError';
import type { FromWorker, ToWorker, WorkerJob } from './poseWorkerProtocol';
import type { FrameProposal, ModelPose } from '../../../shared/domain/modelPose';
import type { Rotation } from '../../../shared/domain/rotation';

/**
 * The model's input side: BlazePose and MoveNet resize to 256 px internally, so decoding larger only
 * costs ffmpeg time; 640 px keeps small, distant people resolvable before that resize.
 */
export const MAX_MODEL_INPUT_SIDE = 640;

/** Frames the job covers, in order: the current one, or every `every`-th of a range (both ends kept in range). */
export function framesToRun(frames: PreannotationFrames, frameCount: number): number[] {
  if (frames.mode === 'current') return [frames.frame];
  const out: number[] = [];
  for (let f = frames.from; f <= Math.min(frames.to, frameCount - 1); f += frames.every)
    out.push(f);
  return out;
}

/**
 * The time to seek to for frame `n`: halfway between its pts and its predecessor's, so ffmpeg's
 * "first frame at or after" lands on `n` whatever the rounding of either timestamp (VFR included).
 */
export function seekSecondsFor(frameTimes: readonly number[], n: number): number {
  const pts = frameTimes[n] ?? 0;
  const previous = frameTimes[n - 1];
  return n === 0 || previous === undefined ? 0 : (previous + pts) / 2;
}

/** Picture size the model sees: the displayed size scaled down to fit MAX_MODEL_INPUT_SIDE, even. */
export function modelInputSize(
  width: number,
  height: number,
  rotation: Rotation,
): { width: number; height: number; displayed: { width: number; height: number } } {
  const displayed = displayedSize({ width, height }, rotation);
  const scale = Math.min(1, MAX_MODEL_INPUT_SIDE / Math.max(displayed.width, displayed.height));
  const even = (v: number) => Math.max(2, Math.round((v * scale) / 2) * 2);
  return { width: even(displayed.width), height: even(displayed.height), displayed };
}

/** Hands named by the person's real side: the pose model's side, swapped for mirrored video. */
export function resolvePoseHands(pose: ModelPose, mirroredVideo: boolean): ModelPose {
  if (!pose.hands) return pose;
  return {
    ...pose,
    hands: pose.hands.map((hand) => ({ ...hand, side: resolveHandSide(hand.side, mirroredVideo) })),
  };
}

/**
 * The worker's entry: the TypeScript source when the services run from sources (tests, a source
 * checkout's CLI through tsx), the bundled `poseWorker.js` beside the bundle's chunks otherwise
 * (out/main in the desktop app, out/cli for the CLI). A worker thread does not inherit the host's
 * tsx hooks (Node 20) and ignores `--import` in `execArgv`, so a one-line bootstrap registers tsx
 * inside the worker first, as scripts/cliBundle.mjs does for the CLI.
 */
/**
 * tsx's ESM register API as an absolute path. `require.resolve` would give its CommonJS build, which
 * cannot be `import()`ed (it loads a sibling by a wrong relative path), so the package's export map
 * is read for the `import` condition.
 */
function tsxEsmApiPath(): string {
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports?: Record<string, { import?: { default?: string } }>;
  };
  const relative = manifest.exports?.['./esm/api']?.import?.default;
  if (!relative) {
    throw new PreannotationError('WORKER_FAILED', 'tsx has no ESM register API; reinstall it.');
  }
  return join(dirname(packageJson), relative);
}

function startWorker(): WorkerLike {
  // Paths are joined by hand: bundlers rewrite `new URL('./x', import.meta.url)` into assets.
  const here = dirname(fileURLToPath(import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return new Worker(join(here, 'poseWorker.js'));
  const tsxApi = pathToFileURL(tsxEsmApiPath()).href;
  const entry = pathToFileURL(join(here, 'poseWorker.ts')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

type Job = {
  readonly jobId: string;
  readonly clipId: string;
  readonly total: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly scoreThreshold: number;
  readonly mirroredVideo: boolean;
  model: string;
  handModel: string | null;
  backend: string | null;
  done: number;
  /** When the first frame started, for the ETA: model loading is not counted as per-frame work. */
  startedAt: number | null;
  readonly finished: Promise<undefined>;
  resolve: () => void;
};

export type PreannotationServiceDeps = {
  store: Pick<MediaService, 'getClipFilePath' | 'getFrameTable'> & {
    getClip(clipId: string): Pick<Clip, 'id' | 'width' | 'height' | 'rotation'> | undefined;
    /** The request's project, for the lead's pre-annotation settings. */
    getProject?(projectId: string): Pick<ProjectInfo, 'schema'> | undefined;
  };
  events: EventBus;
  backend?: PoseBackend;
  modelsDir?: string;
  /** Tests pass a fake; by default a real worker thread starts on the first job. */
  createWorker?: () => WorkerLike;
  /** The Electron shell's hidden WebGL window; without it jobs run on the worker thread. */
  openPoseWindow?: OpenPoseWindow;
  now?: () => number;
};

/**
 * Runs pose models over a clip's frames on a worker thread and reports each finished frame as a
 * `preannotationProgress` event (counts, ETA, the frame's proposals in displayed pixels). Jobs run
 * one after another; `cancel` stops one between frames (and kills the frame's decode).
 */
export class PreannotationService {
  readonly #deps: PreannotationServiceDeps;
  readonly #jobs = new Map<string, Job>();
  readonly #worker: LazyWorker<ToWorker, FromWorker>;

  constructor(deps: PreannotationServiceDeps) {
    this.#deps = deps;
    // The GPU window where its WebGL renderer is a real GPU (domain/poseBackend.ts), for jobs it
    // can run (body only); the worker thread otherwise, and always outside Electron.
    const openWindow = deps.openPoseWindow;
    this.#worker = new LazyWorker({
      name: 'pose worker',
      create:
        deps.createWorker ??
        (() => createGpuOrWorker(startWorker, openWindow ? { openWindow } : {})),
      onMessage: (message) => this.#onMessage(message),
      onGone: (error) => this.#onWorkerGone(error),
    });
  }

  start(request: PreannotationRequest): { jobId: string } {
    const { store } = this.#deps;
    const clip = store.getClip(request.clipId);
    const input = store.getClipFilePath(request.clipId);
    const table = store.getFrameTable(request.clipId);
    if (!clip || input === undefined || !table) {
      throw new PreannotationError(
        'CLIP_NOT_FOUND',
        `No clip with id ${request.clipId}: it may have been removed; reload the list.`,
      );
    }
    const frameCount = table.frameTimes.length;
    const frames = framesToRun(request.frames, frameCount);
    const first = frames[0];
    if (first === undefined || first >= frameCount) {
      throw new PreannotationError(
        'FRAME_OUT_OF_RANGE',
        `The clip has frames 0–${frameCount - 1}; choose frames inside it.`,
      );
    }
    const size = modelInputSize(clip.width, clip.height, clip.rotation);
    const settings =
      request.projectId === undefined
        ? undefined
        : store.getProject?.(request.projectId)?.schema.preannotation;
    // Hands with either model: the palm detector needs no body (poseModel.ts); with MoveNet,
    // which gives no knuckles, it is the only way hands are found.
    const hands = request.hands ?? true;
    const jobId = randomUUID();
    let resolve = (): void => undefined;
    const finished = new Promise<undefined>((settle) => {
      resolve = () => settle(undefined);
    });
    const job: Job = {
      jobId,
      clipId: clip.id,
      total: frames.length,
      scaleX: size.displayed.width / size.width,
      scaleY: size.displayed.height / size.height,
      scoreThreshold: effectiveScoreThreshold(request.scoreThreshold, settings),
      mirroredVideo: settings?.mirroredVideo ?? false,
      model: poseModelId(request.model),
      handModel: hands ? handsModelId() : null,
      backend: null,
      done: 0,
      startedAt: null,
      finished,
      resolve,
    };
    this.#jobs.set(jobId, job);
    const message: WorkerJob = {
      type: 'run',
      jobId,
      model: request.model,
      backend: this.#deps.backend ?? 'wasm',
      hands,
      modelsDir: this.#deps.modelsDir ?? defaultModelsDir(),
      input,
      width: size.width,
      height: size.height,
      frames: frames.map((frame) => ({
        frame,
        seekSeconds: seekSecondsFor(table.frameTimes, frame),
      })),
    };
    this.#emit(job, 'loading', [], null);
    this.#post(message);
    return { jobId };
  }

  /** False when the job already ended (or never existed). */
  cancel(jobId: string): boolean {
    if (!this.#jobs.has(jobId)) return false;
    this.#post({ type: 'cancel', jobId });
    return true;
  }

  /** Resolves when the job has ended (done, failed or cancelled); at once for an unknown id. */
  whenFinished(jobId: string): Promise<void> {
    return this.#jobs.get(jobId)?.finished ?? Promise.resolve();
  }

  async close(): Promise<void> {
    for (const jobId of this.#jobs.keys()) this.cancel(jobId);
    await this.#worker.close();
  }

  #post(message: ToWorker): void {
    this.#worker.post(message);
  }

  /** Every running job fails with the reason; the next job starts a fresh worker. */
  #onWorkerGone(error: Error): void {
    for (const job of [...this.#jobs.values()]) {
      this.#end(job, 'failed', {
        code: 'WORKER_FAILED',
        message: `Pre-annotation stopped: ${error.message}`,
      });
    }
  }

  #onMessage(message: FromWorker): void {
    const job = this.#jobs.get(message.jobId);
    if (!job) return;
    switch (message.type) {
      case 'loaded':
        job.model = message.modelId;
        job.handModel = message.handModelId;
        job.backend = message.backend;
        job.startedAt = this.#now();
        this.#emit(job, 'running', [], null);
        return;
      case 'frame': {
        job.done++;
        const proposal: FrameProposal = {
          frame: message.frame,
          poses: message.poses.map((pose) =>
            resolvePoseHands(scalePose(pose, job.scaleX, job.scaleY), job.mirroredVideo),
          ),
        };
        this.#emit(job, 'running', [proposal], null);
        return;
      }
      case 'finished':
        this.#end(job, message.cancelled ? 'cancelled' : 'done', null);
        return;
      case 'failed':
        this.#end(job, 'failed', { code: message.code, message: message.message });
        return;
    }
  }

  #end(
    job: Job,
    phase: 'done' | 'cancelled' | 'failed',
    error: PreannotationProgress['error'],
  ): void {
    this.#jobs.delete(job.jobId);
    this.#emit(job, phase, [], error);
    job.resolve();
  }

  #now(): number {
    return (this.#deps.now ?? performance.now.bind(performance))();
  }

  /** ETA: the average time per finished frame so far, times the frames left. */
  #eta(job: Job): number | null {
    if (job.startedAt === null || job.done === 0) return null;
    const perFrame = (this.#now() - job.startedAt) / 1000 / job.done;
    return Math.max(0, perFrame * (job.total - job.done));
  }

  #emit(
    job: Job,
    phase: PreannotationProgress['phase'],
    proposals: FrameProposal[],
    error: PreannotationProgress['error'],
  ): void {
    this.#deps.events.emit('preannotationProgress', {
      jobId: job.jobId,
      clipId: job.clipId,
      phase,
      done: job.done,
      total: job.total,
      etaSeconds: phase === 'running' ? this.#eta(job) : phase === 'done' ? 0 : null,
      model: job.model,
      handModel: job.handModel,
      backend: job.backend,
      scoreThreshold: job.scoreThreshold,
      proposals,
      error,
    });
  }
}

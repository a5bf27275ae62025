import type { Worker } from 'node:worker_threads';
import { isApiError } from '../../../shared/api/apiError';
import type {
  BrowserPoseBackend,
  PoseRunnerReply,
  PoseRunnerRequest,
} from '../../../shared/api/poseRunnerProtocol';
import { choosePoseBackend } from '../../../shared/domain/poseBackend';
import { decodeFrameRgb } from '../../../node/media/ffmpeg';
import { estimateJobFrames } from './estimateJobFrames';
import { defaultModelsDir } from './modelsDir';
import type { RgbImage } from './poseModel';
import type { FromWorker, ToWorker, WorkerJob } from './poseWorkerProtocol';
import type { ModelPose } from '../../../shared/domain/modelPose';
import type { PoseModelName } from '../../../shared/domain/poseModelFiles';

/**
 * The GPU path of pre-annotation, behind the pose worker's own interface (postMessage a
 * `ToWorker`, hear `FromWorker`s, terminate), so PreannotationService takes it where it takes the
 * worker thread. On the first job it opens the pose-runner window (a hidden Chromium page:
 * electron/poseWindow.ts, given by the Electron shell) and reads its WebGL renderer; if that is a real GPU
 * (domain/poseBackend.ts) jobs run there on tfjs WebGL — bodies, and hands through the same hand
 * pipeline as the worker (src/shared/preannotation/handPipeline.ts) — frames decoded here by ffmpeg
 * as the worker decodes them. Everything else goes to the worker thread, unchanged: outside
 * Electron, on a software renderer (SwiftShader, llvmpipe: WebGL there is ~10× slower than wasm),
 * jobs that ask for a backend other than the default, and every job after the window failed to
 * load a model.
 */

/** A window (or page) that runs pose models: src/renderer/poseRunner behind some transport. */
export interface PoseWindow {
  /** The page's WebGL renderer (UNMASKED_RENDERER_WEBGL), null when it has no WebGL. */
  probe(): Promise<string | null>;
  load(
    model: PoseModelName,
    backend: BrowserPoseBackend,
    hands: boolean,
  ): Promise<{
    modelId: string;
    handModelId: string | null;
    backend: BrowserPoseBackend;
    renderer: string | null;
  }>;
  estimate(image: RgbImage): Promise<{ poses: ModelPose[]; inferMs: number }>;
  close(): void;
}

/** Opens the pose window for models in `modelsDir`; 'unavailable' where there is none (Node). */
export type OpenPoseWindow = (modelsDir: string) => Promise<PoseWindow | 'unavailable'>;

/** Where no shell provides a window: the CLI, the loopback host, tests. */
const noPoseWindow: OpenPoseWindow = () => Promise.resolve('unavailable');

/** What the service drives: the worker thread's surface, typed by the messages it carries. */
export interface PoseWorkerLike {
  postMessage(message: ToWorker): void;
  on(event: 'message', listener: (message: FromWorker) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  terminate(): Promise<number>;
}

/**
 * Request/reply over a one-way channel each way (IPC to the window): each request carries an id,
 * its reply the same id. `send` throwing (the window gone) rejects that call.
 */
export function poseWindowClient(transport: {
  send(request: PoseRunnerRequest): void;
  onReply(listener: (reply: PoseRunnerReply) => void): void;
  close(): void;
}): PoseWindow & { fail(error: Error): void } {
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (reply: PoseRunnerReply) => void; reject: (error: Error) => void }
  >();
  transport.onReply((reply) => {
    const call = pending.get(reply.id);
    if (!call) return;
    pending.delete(reply.id);
    if (reply.type === 'failed') call.reject(new Error(reply.message));
    else call.resolve(reply);
  });
  const call = async <T extends PoseRunnerReply['type']>(
    request: PoseRunnerRequest,
    expected: T,
  ): Promise<Extract<PoseRunnerReply, { type: T }>> => {
    const reply = await new Promise<PoseRunnerReply>((resolve, reject) => {
      pending.set(request.id, { resolve, reject });
      try {
        transport.send(request);
      } catch (error) {
        pending.delete(request.id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    if (reply.type !== expected) {
      throw new Error(`The pose window answered ${reply.type} to a ${request.type}.`);
    }
    return reply as Extract<PoseRunnerReply, { type: T }>;
  };
  const fail = (error: Error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  };
  return {
    probe: async () => (await call({ id: nextId++, type: 'probe' }, 'probed')).renderer,
    load: async (model, backend, hands) => {
      const reply = await call({ id: nextId++, type: 'load', model, backend, hands }, 'loaded');
      return {
        modelId: reply.modelId,
        handModelId: reply.handModelId,
        backend: reply.backend,
        renderer: reply.renderer,
      };
    },
    estimate: async (image) => {
      const reply = await call(
        {
          id: nextId++,
          type: 'estimate',
          rgb: image.data,
          width: image.width,
          height: image.height,
        },
        'estimated',
      );
      return { poses: reply.poses, inferMs: reply.inferMs };
    },
    close: () => {
      fail(new Error('The pose window was closed.'));
      transport.close();
    },
    fail,
  };
}

/**
 * Jobs the GPU window takes: those on the default backend, with hands or without (the page runs
 * the worker's hand pipeline, src/shared/preannotation). A job that asks for another backend
 * (`cpu`, for comparing) wants that backend, so it goes to the worker.
 */
export function runsOnGpu(job: WorkerJob): boolean {
  return job.backend === 'wasm';
}

export type GpuPoseRunnerDeps = {
  /** The worker thread, started on the first job that goes to it. */
  fallback: () => PoseWorkerLike;
  /** The Electron shell's hidden window (electron/poseWindow.ts); default: none, as in Node. */
  openWindow?: OpenPoseWindow;
  decode?: typeof decodeFrameRgb;
  /** Where the choice is told (the app's log); default: nowhere. */
  log?: (line: string) => void;
};

/** The renderer string ('unavailable' without a window or WebGL) and the window, if it is used. */
type Probe = { renderer: string; gpu: PoseWindow | null };

export class GpuPoseRunner implements PoseWorkerLike {
  readonly #deps: GpuPoseRunnerDeps;
  readonly #listeners = {
    message: [] as ((message: FromWorker) => void)[],
    error: [] as ((error: Error) => void)[],
    exit: [] as ((code: number) => void)[],
  };
  /** Messages are routed in arrival order: a cancel never overtakes its job. */
  #inbox: Promise<void> = Promise.resolve();
  #gpuQueue: Promise<void> = Promise.resolve();
  #probed: Promise<Probe> | undefined;
  #gpuBroken = false;
  #fallback: PoseWorkerLike | undefined;
  readonly #gpuJobs = new Set<string>();
  readonly #cancelled = new Set<string>();
  readonly #controllers = new Map<string, AbortController>();
  #terminated = false;

  constructor(deps: GpuPoseRunnerDeps) {
    this.#deps = deps;
  }

  on(event: 'message', listener: (message: FromWorker) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'exit', listener: (code: number) => void): this;
  on(event: 'message' | 'error' | 'exit', listener: (value: never) => void): this {
    (this.#listeners[event] as ((value: never) => void)[]).push(listener);
    return this;
  }

  postMessage(message: ToWorker): void {
    if (message.type === 'cancel' && this.#gpuJobs.has(message.jobId)) {
      this.#cancelled.add(message.jobId);
      this.#controllers.get(message.jobId)?.abort();
      return;
    }
    this.#inbox = this.#inbox.then(() => this.#dispatch(message));
  }

  async terminate(): Promise<number> {
    this.#terminated = true;
    for (const jobId of this.#gpuJobs) this.#cancelled.add(jobId);
    for (const controller of this.#controllers.values()) controller.abort();
    const probed = await this.#probed?.catch(() => null);
    probed?.gpu?.close();
    return (await this.#fallback?.terminate()) ?? 0;
  }

  /**
   * The pose window's WebGL renderer string ('unavailable' outside Electron or without WebGL), for
   * domain/poseBackend.ts. Opens the window once; the first job reuses it when it is a real GPU.
   */
  async probe(modelsDir: string = defaultModelsDir()): Promise<string> {
    return (await this.#probeOnce(modelsDir)).renderer;
  }

  async #dispatch(message: ToWorker): Promise<void> {
    if (message.type === 'cancel') {
      if (this.#gpuJobs.has(message.jobId)) this.postMessage(message);
      else this.#worker().postMessage(message);
      return;
    }
    const gpu =
      runsOnGpu(message) && !this.#gpuBroken
        ? (await this.#probeOnce(message.modelsDir)).gpu
        : null;
    if (!gpu || this.#gpuBroken) {
      this.#worker().postMessage(message);
      return;
    }
    this.#gpuJobs.add(message.jobId);
    this.#gpuQueue = this.#gpuQueue.then(() => this.#runOnGpu(gpu, message));
  }

  #probeOnce(modelsDir: string): Promise<Probe> {
    this.#probed ??= (async (): Promise<Probe> => {
      const open = this.#deps.openWindow ?? noPoseWindow;
      const window = await open(modelsDir).catch((error: unknown) => {
        this.#deps.log?.(`pose window failed to open: ${String(error)}`);
        return 'unavailable' as const;
      });
      if (window === 'unavailable') return { renderer: 'unavailable', gpu: null };
      const renderer = await window.probe().catch(() => null);
      const backend = choosePoseBackend(renderer);
      this.#deps.log?.(`pre-annotation: WebGL renderer "${renderer ?? ''}" → ${backend}`);
      if (backend === 'webgl') return { renderer: renderer ?? 'unavailable', gpu: window };
      // A software rasteriser: the window is of no use, the worker runs wasm.
      window.close();
      return { renderer: renderer ?? 'unavailable', gpu: null };
    })();
    return this.#probed;
  }

  #worker(): PoseWorkerLike {
    if (this.#fallback) return this.#fallback;
    const worker = this.#deps.fallback();
    worker.on('message', (message) => this.#emit('message', message));
    worker.on('error', (error) => this.#emit('error', error));
    worker.on('exit', (code) => {
      this.#fallback = undefined;
      this.#emit('exit', code);
    });
    this.#fallback = worker;
    return worker;
  }

  #emit(event: 'message', value: FromWorker): void;
  #emit(event: 'error', value: Error): void;
  #emit(event: 'exit', value: number): void;
  #emit(event: 'message' | 'error' | 'exit', value: FromWorker | Error | number): void {
    for (const listener of this.#listeners[event]) (listener as (value: unknown) => void)(value);
  }

  /** As poseWorker.ts's `run`, with the window in place of the estimator. */
  async #runOnGpu(window: PoseWindow, job: WorkerJob): Promise<void> {
    const controller = new AbortController();
    this.#controllers.set(job.jobId, controller);
    const decode = this.#deps.decode ?? decodeFrameRgb;
    let loaded = false;
    try {
      if (this.#cancelled.has(job.jobId) || this.#terminated) {
        this.#emit('message', { type: 'finished', jobId: job.jobId, cancelled: true });
        return;
      }
      let model: { modelId: string; handModelId: string | null; backend: BrowserPoseBackend };
      try {
        model = await window.load(job.model, 'webgl', job.hands);
      } catch (error) {
        // A GPU that cannot take the model (lost context, driver): this and later jobs go to the
        // worker, which proposes the same points on wasm.
        this.#gpuBroken = true;
        this.#deps.log?.(
          `pose window failed to load ${job.model}: ${String(error)}; using the worker`,
        );
        this.#gpuJobs.delete(job.jobId);
        if (this.#cancelled.has(job.jobId)) {
          this.#emit('message', { type: 'finished', jobId: job.jobId, cancelled: true });
        } else this.#worker().postMessage(job);
        return;
      }
      loaded = true;
      this.#emit('message', {
        type: 'loaded',
        jobId: job.jobId,
        modelId: model.modelId,
        handModelId: model.handModelId,
        backend: model.backend,
      });
      await estimateJobFrames(job, {
        decode,
        controller,
        cancelled: () => this.#cancelled.has(job.jobId),
        estimate: async (image) => (await window.estimate(image)).poses,
        emit: (message) => this.#emit('message', message),
      });
      this.#emit('message', {
        type: 'finished',
        jobId: job.jobId,
        cancelled: this.#cancelled.has(job.jobId),
      });
    } catch (error) {
      if (this.#cancelled.has(job.jobId)) {
        this.#emit('message', { type: 'finished', jobId: job.jobId, cancelled: true });
        return;
      }
      this.#emit('message', {
        type: 'failed',
        jobId: job.jobId,
        code: isApiError(error)
          ? error.code
          : error instanceof Error && error.name === 'FfmpegError'
            ? 'DECODE_FAILED'
            : loaded
              ? 'MODEL_FAILED'
              : 'WORKER_FAILED',
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.#controllers.delete(job.jobId);
      this.#gpuJobs.delete(job.jobId);
      this.#cancelled.delete(job.jobId);
    }
  }
}

/**
 * The service's default pose worker: the GPU window where it pays, the worker thread otherwise.
 * Typed as the service's `WorkerLike` (node's Worker surface) so it drops in for `startWorker`.
 */
export function createGpuOrWorker(
  fallback: () => Pick<Worker, 'postMessage' | 'on' | 'terminate'>,
  options: Omit<GpuPoseRunnerDeps, 'fallback'> = {},
): Pick<Worker, 'postMessage' | 'on' | 'terminate'> {
  const worker = () => fallback() as unknown as PoseWorkerLike;
  return new GpuPoseRunner({ ...options, fallback: worker }) as unknown as Pick<
    Worker,
    'postMessage' | 'on' | 'terminate'
  >;
}

import { parentPort } from 'node:worker_threads';
import { isApiError } from '../../../shared/api/apiError';
import { decodeFrameRgb } from '../../../node/media/ffmpeg';
import { estimateJobFrames } from './estimateJobFrames';
import { createPoseEstimator, type PoseBackend, type PoseEstimator } from './poseModel';
import type { FromWorker, ToWorker, WorkerJob } from './poseWorkerProtocol';
import type { PoseModelName } from '../../../shared/domain/poseModelFiles';

/**
 * The worker thread that runs pose models, so the host's event loop (IPC, HTTP, SQLite saves) never
 * waits on inference: one frame of BlazePose is ~55 ms of solid CPU on this machine. Jobs run one
 * at a time in arrival order; loaded models stay loaded for the next job.
 */

const port = parentPort;
if (!port) throw new Error('poseWorker.ts must run as a worker thread.');

const estimators = new Map<string, Promise<PoseEstimator>>();
const cancelled = new Set<string>();
const controllers = new Map<string, AbortController>();
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker): void {
  port?.postMessage(message);
}

function estimatorFor(
  model: PoseModelName,
  backend: PoseBackend,
  modelsDir: string,
  hands: boolean,
) {
  const key = `${model}:${backend}:${hands ? 'hands' : 'body'}`;
  let estimator = estimators.get(key);
  if (!estimator) {
    estimator = createPoseEstimator({ model, backend, modelsDir, hands });
    // A failed load is not cached: the next job tries again (the files may have been restored).
    estimator.catch(() => estimators.delete(key));
    estimators.set(key, estimator);
  }
  return estimator;
}

async function run(job: WorkerJob): Promise<void> {
  const controller = new AbortController();
  controllers.set(job.jobId, controller);
  try {
    if (cancelled.has(job.jobId)) {
      post({ type: 'finished', jobId: job.jobId, cancelled: true });
      return;
    }
    const estimator = await estimatorFor(job.model, job.backend, job.modelsDir, job.hands);
    post({
      type: 'loaded',
      jobId: job.jobId,
      modelId: estimator.modelId,
      handModelId: estimator.handModelId,
      backend: estimator.backend,
    });
    await estimateJobFrames(job, {
      decode: decodeFrameRgb,
      controller,
      cancelled: () => cancelled.has(job.jobId),
      estimate: (image) => estimator.estimate(image),
      emit: post,
    });
    post({ type: 'finished', jobId: job.jobId, cancelled: cancelled.has(job.jobId) });
  } catch (error) {
    if (cancelled.has(job.jobId)) {
      // The cancel killed the frame's ffmpeg: that is the cancel working, not a failure.
      post({ type: 'finished', jobId: job.jobId, cancelled: true });
      return;
    }
    post({
      type: 'failed',
      jobId: job.jobId,
      code: isApiError(error)
        ? error.code
        : error instanceof Error && error.name === 'FfmpegError'
          ? 'DECODE_FAILED'
          : 'MODEL_FAILED',
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    controllers.delete(job.jobId);
    cancelled.delete(job.jobId);
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.jobId);
    controllers.get(message.jobId)?.abort();
    return;
  }
  queue = queue.then(() => run(message));
});

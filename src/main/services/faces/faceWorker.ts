import { parentPort } from 'node:worker_threads';
import { createFaceDetector, type FaceDetector } from './faceModel';
import { readFrames } from './rawFrames';
import type { FaceScanJob, FromFaceWorker, ToFaceWorker } from './faceWorkerProtocol';
import { isApiError } from '../../../shared/api/apiError';
import { CodedError } from '../../../shared/domain/codedError';

/**
 * The worker thread that runs the face detector, so the host's event loop (IPC, HTTP, SQLite
 * saves) never waits on inference. Jobs run one at a time in arrival order; a loaded detector
 * stays loaded for the next job. The clip is decoded once, front to back, by one ffmpeg.
 */

const port = parentPort;
if (!port) throw new Error('faceWorker.ts must run as a worker thread.');

const detectors = new Map<string, Promise<FaceDetector>>();
const controllers = new Map<string, AbortController>();
const cancelled = new Set<string>();
let queue: Promise<void> = Promise.resolve();

function post(message: FromFaceWorker): void {
  port?.postMessage(message);
}

function detectorFor(job: FaceScanJob): Promise<FaceDetector> {
  const key = `${job.model}:${job.backend}`;
  let detector = detectors.get(key);
  if (!detector) {
    detector = createFaceDetector({ model: job.model, backend: job.backend });
    detector.catch(() => detectors.delete(key));
    detectors.set(key, detector);
  }
  return detector;
}

async function run(job: FaceScanJob): Promise<void> {
  const controller = new AbortController();
  controllers.set(job.jobId, controller);
  let decoded = 0;
  try {
    if (cancelled.has(job.jobId)) {
      post({ type: 'finished', jobId: job.jobId, cancelled: true, decoded });
      return;
    }
    const detector = await detectorFor(job);
    post({
      type: 'loaded',
      jobId: job.jobId,
      modelId: detector.modelId,
      backend: detector.backend,
    });
    const skip = new Set(job.skip);
    for await (const data of readFrames({
      input: job.input,
      width: job.width,
      height: job.height,
      pixelFormat: 'rgb24',
      signal: controller.signal,
    })) {
      const frame = decoded++;
      if (cancelled.has(job.jobId)) break;
      if (skip.has(frame)) continue;
      const boxes = await detector.detect({ data, width: job.width, height: job.height });
      post({ type: 'frame', jobId: job.jobId, frame, boxes });
    }
    post({ type: 'finished', jobId: job.jobId, cancelled: cancelled.has(job.jobId), decoded });
  } catch (error) {
    if (cancelled.has(job.jobId)) {
      post({ type: 'finished', jobId: job.jobId, cancelled: true, decoded });
      return;
    }
    post({
      type: 'failed',
      jobId: job.jobId,
      code:
        isApiError(error) || error instanceof CodedError
          ? (error as CodedError).code
          : error instanceof Error && error.name === 'FfmpegError'
            ? 'DECODE_FAILED'
            : 'MODEL_FAILED',
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    controller.abort();
    controllers.delete(job.jobId);
    cancelled.delete(job.jobId);
  }
}

port.on('message', (message: ToFaceWorker) => {
  if (message.type === 'cancel') {
    cancelled.add(message.jobId);
    controllers.get(message.jobId)?.abort();
    return;
  }
  queue = queue.then(() => run(message));
});

import type { decodeFrameRgb } from '../../../node/media/ffmpeg';
import type { RgbImage } from './poseModel';
import type { FromWorker, WorkerJob } from './poseWorkerProtocol';
import type { ModelPose } from '../../../shared/domain/modelPose';

/**
 * Decodes and estimates a job's frames in order, telling each as a `frame` message, until done or
 * `cancelled()`; the worker thread and the GPU window run jobs through this one loop. The next
 * frame is decoded (by ffmpeg, in its own process) while this one is inferred, so the two cores
 * work at once: ffmpeg's seek-and-decode is ~40% of a frame's time here. A prefetch left behind
 * by a cancel has its ffmpeg killed through `controller`.
 */
export async function estimateJobFrames(
  job: WorkerJob,
  deps: {
    decode: typeof decodeFrameRgb;
    controller: AbortController;
    cancelled: () => boolean;
    estimate: (image: RgbImage) => Promise<ModelPose[]>;
    emit: (message: FromWorker) => void;
  },
): Promise<void> {
  const start = (index: number) => {
    const target = job.frames[index];
    if (!target) return null;
    const decoding = deps.decode({
      input: job.input,
      seekSeconds: target.seekSeconds,
      width: job.width,
      height: job.height,
      signal: deps.controller.signal,
    });
    // Its error is raised where it is awaited below; this only keeps a prefetch that a cancel
    // abandons from being reported as an unhandled rejection.
    decoding.catch(() => undefined);
    return decoding;
  };
  let next = start(0);
  for (let index = 0; index < job.frames.length && next; index++) {
    if (deps.cancelled()) break;
    const t0 = performance.now();
    const image = await next;
    next = start(index + 1);
    const t1 = performance.now();
    const poses = await deps.estimate(image);
    deps.emit({
      type: 'frame',
      jobId: job.jobId,
      frame: job.frames[index]?.frame ?? 0,
      poses,
      decodeMs: t1 - t0,
      inferMs: performance.now() - t1,
    });
  }
  if (deps.cancelled()) deps.controller.abort();
}

import type { PoseBackend } from './poseModel';
import type { ModelPose } from '../../../shared/domain/modelPose';
import type { PoseModelName } from '../../../shared/domain/poseModelFiles';

/** Messages between PreannotationService (host thread) and poseWorker.ts (its worker thread). */

export type WorkerJob = {
  readonly type: 'run';
  readonly jobId: string;
  readonly model: PoseModelName;
  readonly backend: PoseBackend;
  /** Also find hands: the palm detector's anywhere, and each BlazePose person's (poseModel.ts `hands`). */
  readonly hands: boolean;
  readonly modelsDir: string;
  readonly input: string;
  /** The picture the model sees: the displayed (upright) frame scaled to these pixels. */
  readonly width: number;
  readonly height: number;
  readonly frames: readonly { readonly frame: number; readonly seekSeconds: number }[];
};

export type ToWorker = WorkerJob | { readonly type: 'cancel'; readonly jobId: string };

export type FromWorker =
  | {
      readonly type: 'loaded';
      readonly jobId: string;
      readonly modelId: string;
      readonly handModelId: string | null;
      readonly backend: string;
    }
  | {
      readonly type: 'frame';
      readonly jobId: string;
      readonly frame: number;
      /** In the worker's picture pixels (`width`×`height` of the job). */
      readonly poses: ModelPose[];
      readonly decodeMs: number;
      readonly inferMs: number;
    }
  | { readonly type: 'finished'; readonly jobId: string; readonly cancelled: boolean }
  | {
      readonly type: 'failed';
      readonly jobId: string;
      readonly code: string;
      readonly message: string;
    };

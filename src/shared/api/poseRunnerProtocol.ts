import type { ModelPose } from '../domain/modelPose';
import type { PoseModelName } from '../domain/poseModelFiles';

/**
 * Messages between the main process and the hidden pose-runner window (src/renderer/poseRunner):
 * the GPU path of pre-annotation, taken when the window's WebGL renderer is a real GPU
 * (domain/poseBackend.ts). The window has no Node and no network: model files come from the main
 * process over IPC, frames as RGB bytes already decoded there (ffmpeg, as for the worker).
 */

/** The tfjs backends the browser runner can run on. */
export type BrowserPoseBackend = 'webgl' | 'wasm';

/** Main → window, one call answered by one reply with the same `id`. */
export type PoseRunnerRequest =
  | { readonly id: number; readonly type: 'probe' }
  | {
      readonly id: number;
      readonly type: 'load';
      readonly model: PoseModelName;
      readonly backend: BrowserPoseBackend;
      /** Also load the hand models and propose hands (the worker job's `hands`). */
      readonly hands: boolean;
    }
  | {
      readonly id: number;
      readonly type: 'estimate';
      /** `width * height * 3` RGB bytes, rows top to bottom. */
      readonly rgb: Uint8Array;
      readonly width: number;
      readonly height: number;
    };

export type PoseRunnerReply =
  | { readonly id: number; readonly type: 'probed'; readonly renderer: string | null }
  | {
      readonly id: number;
      readonly type: 'loaded';
      readonly modelId: string;
      /** The hand models' id when hands are proposed, else null. */
      readonly handModelId: string | null;
      readonly backend: BrowserPoseBackend;
      readonly renderer: string | null;
    }
  | {
      readonly id: number;
      readonly type: 'estimated';
      readonly poses: ModelPose[];
      readonly inferMs: number;
    }
  | { readonly id: number; readonly type: 'failed'; readonly message: string };

/** IPC channels: requests go main → window, replies window → main, model files on invoke. */
export const POSE_RUNNER_REQUEST = 'pose-runner:request';
export const POSE_RUNNER_REPLY = 'pose-runner:reply';
export const POSE_RUNNER_READ_MODEL = 'pose-runner:read-model';

/** Model files the runner may ask for: `<model>/<file>` with no way out of the models folder. */
export function isModelFilePath(path: string): boolean {
  return /^[a-z0-9-]+\/[A-Za-z0-9_.-]+\.(json|bin)$/.test(path) && !path.includes('..');
}

/** The page's bridge (its preload puts it on `window.poseRunner`). */
export interface PoseRunnerBridge {
  onRequest(listener: (request: PoseRunnerRequest) => void): void;
  reply(reply: PoseRunnerReply): void;
  readModelFile(path: string): Promise<Uint8Array>;
}

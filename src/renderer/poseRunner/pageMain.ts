import type {
  PoseRunnerBridge,
  PoseRunnerReply,
  PoseRunnerRequest,
} from '../../shared/api/poseRunnerProtocol';
import { createBrowserPoseRunner, webglRendererString, type BrowserPoseRunner } from './poseRunner';

/**
 * The hidden pose-runner window's script: answers the main process's requests (probe, load,
 * estimate) one at a time, in order, through the bridge its preload exposes.
 */

declare global {
  interface Window {
    poseRunner?: PoseRunnerBridge;
  }
}

export function servePoseRunner(bridge: PoseRunnerBridge): void {
  let runner: BrowserPoseRunner | undefined;
  let queue: Promise<void> = Promise.resolve();
  const answer = async (request: PoseRunnerRequest): Promise<PoseRunnerReply> => {
    switch (request.type) {
      case 'probe':
        return { id: request.id, type: 'probed', renderer: webglRendererString() };
      case 'load': {
        const hasHands = runner !== undefined && runner.handModelId !== null;
        if (
          runner?.model !== request.model ||
          runner.backend !== request.backend ||
          hasHands !== request.hands
        ) {
          runner?.dispose();
          runner = undefined;
          runner = await createBrowserPoseRunner({
            model: request.model,
            backend: request.backend,
            hands: request.hands,
            readModelFile: (path) => bridge.readModelFile(path),
          });
        }
        return {
          id: request.id,
          type: 'loaded',
          modelId: runner.modelId,
          handModelId: runner.handModelId,
          backend: runner.backend,
          renderer: runner.renderer,
        };
      }
      case 'estimate': {
        if (!runner) throw new Error('No pose model is loaded in the runner window.');
        const t0 = performance.now();
        const poses = await runner.estimate({
          data: request.rgb,
          width: request.width,
          height: request.height,
        });
        return { id: request.id, type: 'estimated', poses, inferMs: performance.now() - t0 };
      }
    }
  };
  bridge.onRequest((request) => {
    queue = queue.then(async () => {
      try {
        bridge.reply(await answer(request));
      } catch (error) {
        bridge.reply({
          id: request.id,
          type: 'failed',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    });
  });
}

if (typeof window !== 'undefined' && window.poseRunner) servePoseRunner(window.poseRunner);

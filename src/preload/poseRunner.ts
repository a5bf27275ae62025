import { contextBridge, ipcRenderer } from 'electron';
import {
  POSE_RUNNER_READ_MODEL,
  POSE_RUNNER_REPLY,
  POSE_RUNNER_REQUEST,
  type PoseRunnerBridge,
  type PoseRunnerReply,
  type PoseRunnerRequest,
} from '../shared/api/poseRunnerProtocol';

/**
 * The hidden pose-runner window's preload: requests in, replies out, model files on demand.
 * Nothing else of IPC reaches the page.
 */
const bridge: PoseRunnerBridge = {
  onRequest: (listener) => {
    ipcRenderer.on(POSE_RUNNER_REQUEST, (_event, request: PoseRunnerRequest) => {
      listener(request);
    });
  },
  reply: (reply: PoseRunnerReply) => {
    ipcRenderer.send(POSE_RUNNER_REPLY, reply);
  },
  readModelFile: (path) => ipcRenderer.invoke(POSE_RUNNER_READ_MODEL, path) as Promise<Uint8Array>,
};

contextBridge.exposeInMainWorld('poseRunner', bridge);

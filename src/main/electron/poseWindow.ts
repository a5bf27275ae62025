import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import {
  isModelFilePath,
  POSE_RUNNER_READ_MODEL,
  POSE_RUNNER_REPLY,
  POSE_RUNNER_REQUEST,
  type PoseRunnerReply,
} from '../../shared/api/poseRunnerProtocol';
import { poseWindowClient, type PoseWindow } from '../services/preannotation/gpuPoseRunner';

/**
 * The pose-runner page (src/renderer/poseRunner.html) in a hidden, sandboxed BrowserWindow: the
 * only place Framewise gets WebGL. The Electron shell hands this opener to the services
 * (`createServices({ openPoseWindow })`); the CLI and the loopback host have none, and
 * pre-annotation runs on the worker thread there. Kept thin: the request/reply logic is
 * gpuPoseRunner.ts's `poseWindowClient`, tested without Electron.
 *
 * The page has no network (its CSP allows nothing to be fetched); model files are read here, from
 * `modelsDir`, only for `<model>/<file>.json|.bin` paths and only for this window's requests.
 */

/** `out/renderer/…` and `out/preload/…` beside the main bundle (out/main, or a chunk below it). */
function bundled(...parts: string[]): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..']) {
    const path = join(here, up, ...parts);
    if (existsSync(path)) return path;
  }
  return null;
}

export async function openElectronPoseWindow(
  modelsDir: string,
): Promise<PoseWindow | 'unavailable'> {
  const page = process.env.ELECTRON_RENDERER_URL
    ? `${process.env.ELECTRON_RENDERER_URL}/poseRunner.html`
    : bundled('renderer', 'poseRunner.html');
  const preload = bundled('preload', 'poseRunner.cjs');
  if (!page || !preload) return 'unavailable';
  if (!app.isReady()) await app.whenReady();

  const window = new BrowserWindow({
    show: false,
    width: 64,
    height: 64,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      // Hidden windows are throttled by default; tfjs's WebGL waits on timers between kernels.
      backgroundThrottling: false,
    },
  });
  const contents = window.webContents;
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    event.preventDefault();
  });

  const replyListeners: ((reply: PoseRunnerReply) => void)[] = [];
  const onReply = (event: IpcMainEvent, reply: PoseRunnerReply) => {
    if (event.sender.id !== contents.id) return;
    for (const listener of replyListeners) listener(reply);
  };
  ipcMain.on(POSE_RUNNER_REPLY, onReply);
  ipcMain.handle(POSE_RUNNER_READ_MODEL, async (event: IpcMainInvokeEvent, path: unknown) => {
    if (event.sender.id !== contents.id || typeof path !== 'string' || !isModelFilePath(path)) {
      throw new Error('Not a model file of this window.');
    }
    return readFile(join(modelsDir, path));
  });
  let closed = false;
  const cleanUp = () => {
    if (closed) return;
    closed = true;
    ipcMain.removeListener(POSE_RUNNER_REPLY, onReply);
    ipcMain.removeHandler(POSE_RUNNER_READ_MODEL);
  };

  const client = poseWindowClient({
    send: (request) => {
      if (window.isDestroyed()) throw new Error('The pose window is gone.');
      contents.send(POSE_RUNNER_REQUEST, request);
    },
    onReply: (listener) => replyListeners.push(listener),
    close: () => {
      cleanUp();
      if (!window.isDestroyed()) window.destroy();
    },
  });
  window.on('closed', () => {
    cleanUp();
    client.fail(new Error('The pose window was closed.'));
  });
  contents.on('render-process-gone', (_event, details) => {
    client.fail(new Error(`The pose window's renderer stopped (${details.reason}).`));
  });

  const url = page.startsWith('http') ? page : pathToFileURL(page).href;
  try {
    await window.loadURL(url);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

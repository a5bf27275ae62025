import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  isModelFilePath,
  POSE_RUNNER_READ_MODEL,
  POSE_RUNNER_REPLY,
  POSE_RUNNER_REQUEST,
  type PoseRunnerReply,
} from '../../../shared/api/poseRunnerProtocol';
import { poseWindowClient, type PoseWindow } from './gpuPoseRunner';

/**
 * The pose-runner page (src/renderer/poseRunner.html) in a hidden, sandboxed BrowserWindow: the
 * only place Framewise gets WebGL. Electron is imported lazily, and only when this process is
 * Electron's main process, so the CLI, the loopback host and the tests import this module (through
 * gpuPoseRunner.ts) without Electron, and get 'unavailable'. Kept thin: the request/reply logic is
 * gpuPoseRunner.ts's `poseWindowClient`, tested without Electron.
 *
 * The page has no network (its CSP allows nothing to be fetched); model files are read here, from
 * `modelsDir`, only for `<model>/<file>.json|.bin` paths and only for this window's requests.
 */

/** The few Electron APIs used here, written out: services do not import Electron's types. */
type IpcEvent = { sender: { id: number } };
type WebContents = {
  id: number;
  send(channel: string, ...args: unknown[]): void;
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: { reason: string }) => void,
  ): void;
  on(event: 'will-navigate', listener: (event: { preventDefault(): void }) => void): void;
  setWindowOpenHandler(handler: () => { action: 'deny' }): void;
};
type BrowserWindowLike = {
  webContents: WebContents;
  loadURL(url: string): Promise<void>;
  on(event: 'closed', listener: () => void): void;
  isDestroyed(): boolean;
  destroy(): void;
};
type ElectronMain = {
  app: { isReady(): boolean; whenReady(): Promise<void> };
  BrowserWindow: new (options: Record<string, unknown>) => BrowserWindowLike;
  ipcMain: {
    on(channel: string, listener: (event: IpcEvent, reply: PoseRunnerReply) => void): void;
    removeListener(
      channel: string,
      listener: (event: IpcEvent, reply: PoseRunnerReply) => void,
    ): void;
    handle(channel: string, handler: (event: IpcEvent, path: unknown) => Promise<Uint8Array>): void;
    removeHandler(channel: string): void;
  };
};

/** True in Electron's main process (not its renderers, not plain Node). */
export function inElectronMain(): boolean {
  return typeof process.versions.electron === 'string' && process.type === 'browser';
}

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
  if (!inElectronMain()) return 'unavailable';
  const page = process.env.ELECTRON_RENDERER_URL
    ? `${process.env.ELECTRON_RENDERER_URL}/poseRunner.html`
    : bundled('renderer', 'poseRunner.html');
  const preload = bundled('preload', 'poseRunner.cjs');
  if (!page || !preload) return 'unavailable';
  const { app, BrowserWindow, ipcMain } = (await import('electron')) as unknown as ElectronMain;
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
  const onReply = (event: IpcEvent, reply: PoseRunnerReply) => {
    if (event.sender.id !== contents.id) return;
    for (const listener of replyListeners) listener(reply);
  };
  ipcMain.on(POSE_RUNNER_REPLY, onReply);
  ipcMain.handle(POSE_RUNNER_READ_MODEL, async (event, path) => {
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

import { join } from 'node:path';
import { app, BrowserWindow, session, shell, type IpcMainInvokeEvent } from 'electron';
import { contentSecurityPolicy } from '../../shared/api/contentSecurityPolicy';
import { createServices, type Services } from '../services/createServices';
import { defaultDatabasePath } from '../services/db/openDatabase';
import { APP_NAME } from '../services/userDataDir';
import { forwardEvents, registerIpcBridge } from './ipcBridge';
import { handleMediaScheme, MEDIA_SCHEME, registerMediaScheme } from './mediaProtocol';
import { openElectronPoseWindow } from './poseWindow';
import { createSafeStorageVault } from './tokenVault';

const CSP = contentSecurityPolicy([`${MEDIA_SCHEME}:`]);

app.setName(APP_NAME);
registerMediaScheme();
// Electron's default menu-less window still honours these; nothing remote is ever loaded.
app.enableSandbox();

let services: Services | null = null;
let mainWindow: BrowserWindow | null = null;

function rendererUrl(): string {
  const dev = process.env.ELECTRON_RENDERER_URL;
  return dev ?? new URL(`file://${join(import.meta.dirname, '../renderer/index.html')}`).href;
}

function isOwnPage(url: string): boolean {
  const expected = new URL(rendererUrl());
  const actual = new URL(url);
  return (
    actual.protocol === expected.protocol &&
    actual.host === expected.host &&
    actual.pathname === expected.pathname
  );
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frameUrl = event.senderFrame?.url;
  return (
    mainWindow !== null &&
    event.sender.id === mainWindow.webContents.id &&
    frameUrl !== undefined &&
    isOwnPage(frameUrl)
  );
}

function createWindow(current: Services): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    title: APP_NAME,
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  const stopForwarding = forwardEvents(current, window);
  window.on('closed', () => {
    stopForwarding();
    mainWindow = null;
  });
  void window.loadURL(rendererUrl());
  return window;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event, url) => {
    if (!isOwnPage(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  const current = createServices({
    databasePath: defaultDatabasePath(process.env.FRAMEWISE_DATA_DIR ?? app.getPath('userData')),
    // Set by `npm start`: better-sqlite3 built for Electron's ABI (node_modules has Node's).
    sqliteNativeBinding: process.env.FRAMEWISE_SQLITE_BINDING,
    openPoseWindow: openElectronPoseWindow,
  });
  services = current;
  // The sync token is kept only where the OS keyring encrypts it; a saved one signs in now.
  try {
    current.sync.useVault(createSafeStorageVault(join(app.getPath('userData'), 'sync-token.bin')));
  } catch (error) {
    console.error('Framewise: the saved sync sign-in could not be restored; sign in again.', error);
  }
  handleMediaScheme(current.store);
  registerIpcBridge(current, isTrustedSender);
  mainWindow = createWindow(current);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(current);
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', () => {
  services?.close();
  services = null;
});

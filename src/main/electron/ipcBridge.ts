import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { callNames } from '../../shared/api/contract';
import { callChannel, EVENT_CHANNEL } from '../../shared/api/ipcChannels';
import { dispatchCall } from '../services/api/dispatch';
import type { Services } from '../services/createServices';

/**
 * One IPC channel per contract call, each checking that the sender is our window showing our
 * page (VS Code's ipcMain does the same), then handing the raw input to the shared dispatcher.
 */
export function registerIpcBridge(
  services: Services,
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean,
): () => void {
  for (const name of callNames) {
    ipcMain.handle(callChannel(name), (event, input: unknown) => {
      if (!isTrustedSender(event)) {
        return {
          ok: false,
          error: { code: 'FORBIDDEN', message: 'Calls from this page are refused.' },
        };
      }
      return dispatchCall(services.handlers, name, input);
    });
  }
  return () => {
    for (const name of callNames) ipcMain.removeHandler(callChannel(name));
  };
}

export function forwardEvents(services: Services, window: BrowserWindow): () => void {
  return services.events.subscribe((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, name, payload);
  });
}

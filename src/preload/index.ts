import { contextBridge, ipcRenderer } from 'electron';
import { createClient } from '../shared/api/createClient';
import type { Envelope } from '../shared/api/contract';
import { callChannel, EVENT_CHANNEL, mediaUrlFor } from '../shared/api/ipcChannels';

/** The contract's client, and nothing else, is what the page can reach. */
const client = createClient({
  invoke: (name, input) =>
    ipcRenderer.invoke(callChannel(name), input) as Promise<Envelope<unknown>>,
  subscribe: (name, listener) => {
    const handler = (_event: unknown, eventName: unknown, payload: unknown) => {
      if (eventName === name) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
  mediaUrl: mediaUrlFor,
});

contextBridge.exposeInMainWorld('framewise', client);

import type { ApiClient } from '../../../shared/api/contract';

declare global {
  interface Window {
    /** The contract client the Electron preload exposes; absent when the renderer runs in a browser. */
    framewise?: ApiClient;
  }
}

export {};

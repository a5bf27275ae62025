import { z } from 'zod';
import type { ApiClient } from '../../../shared/api/contract';
import { createClient } from '../../../shared/api/createClient';
import { createLoopbackTransport } from './loopbackTransport';

/**
 * The one client the renderer talks to: the preload's in Electron, the loopback host's in a
 * browser. Nothing else in the renderer knows which.
 */
export function connectApiClient(): ApiClient {
  // Zod probes `new Function` to compile fast parsers; under our CSP (no 'unsafe-eval') the probe
  // fails and is reported as a policy violation, so parse without it.
  z.config({ jitless: true });
  if (window.framewise) return window.framewise;
  forgetTokenInAddressBar();
  return createClient(createLoopbackTransport({ origin: window.location.origin }));
}

/**
 * The host turned `?token=` into an HttpOnly cookie when it served this page; the token has no
 * further use here and should not linger in history, bookmarks or screenshots.
 */
function forgetTokenInAddressBar(): void {
  const url = new URL(window.location.href);
  if (!url.searchParams.has('token')) return;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.href);
}

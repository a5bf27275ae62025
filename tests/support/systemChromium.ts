/**
 * Chromium from the system (never `playwright install`), with the flags it needs on these
 * machines: running as root, no GPU, and no network of its own (no updates, sync or QUIC probes).
 * The e2e config and the browser benchmarks launch it the same way.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

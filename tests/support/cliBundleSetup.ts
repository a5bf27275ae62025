import { buildCliBundle } from '../../scripts/build-cli.mjs';
import { bundleIsCurrent } from '../../scripts/cliBundle.mjs';

/**
 * Vitest's globalSetup: the integration tests run `framewise` and `framewise-server` as users do,
 * from the bundle built at install. Built here when missing or older than the sources, so a test
 * never runs yesterday's CLI nor pays tsx's compile on each of its process starts.
 */
export default async function buildCliOnce(): Promise<void> {
  if (!bundleIsCurrent()) await buildCliBundle();
}

/**
 * Probes each file named on the command line the way `framewise probe` and import do, and
 * prints one JSON line per file: `start` before it, then its outcome (`ok`, or `typed` with the
 * ImportError code, or `untyped` for anything else) and the process's peak memory so far. The
 * parent runs this in its own process so a hang or a crash is seen, not suffered.
 *
 * usage: tsx tests/support/probeChild.ts <file>...
 */
import { resourceUsage } from 'node:process';
import { ImportError } from '../../src/node/importError';
import { probeVideo } from '../../src/node/media/probeVideo';

for (const file of process.argv.slice(2)) {
  console.log(JSON.stringify({ start: file }));
  let outcome: Record<string, unknown>;
  try {
    await probeVideo(file);
    outcome = { outcome: 'ok' };
  } catch (error) {
    outcome =
      error instanceof ImportError
        ? { outcome: 'typed', code: error.code }
        : { outcome: 'untyped', message: error instanceof Error ? error.stack : String(error) };
  }
  console.log(
    JSON.stringify({ file, ...outcome, maxRssMiB: Math.round(resourceUsage().maxRSS / 1024) }),
  );
}

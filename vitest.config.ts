import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './tests/support/longestFirstSequencer';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    // The CLI tests start the bundled CLI (out/cli); this builds it when the sources changed.
    // Temp folders in RAM for the run (fsync on a VM's disk was most of the sync tests' time).
    globalSetup: ['tests/support/cliBundleSetup.ts', 'tests/support/ramTempSetup.ts'],
    // Safety nets that catch a hang, never a slow machine: no test's pass depends on how fast
    // it runs (issue #14). Ten minutes is several times the slowest test's time under load 12
    // on two cores; the 200-kill crash test sets its own.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Integration tests open real SQLite files and spawn ffprobe; two cores, so keep workers few.
    maxWorkers: 2,
    // The long files start first, so the two workers end together (see the sequencer).
    sequence: { sequencer: LongestFirstSequencer },
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    // The CLI tests start the bundled CLI (out/cli); this builds it when the sources changed.
    globalSetup: ['tests/support/cliBundleSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests open real SQLite files and spawn ffprobe; two cores, so keep workers few.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './tests/support/longestFirstSequencer';

/**
 * The CLI tests start the bundled CLI (out/cli); this builds it when the sources changed. Temp
 * folders in RAM for the run (fsync on a VM's disk was most of the sync tests' time).
 */
const GLOBAL_SETUP = ['tests/support/cliBundleSetup.ts', 'tests/support/ramTempSetup.ts'];

/** Test files that mock a module (vi.mock): a fresh process each. */
const ISOLATED = ['src/main/electron/tokenVault.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    // Safety nets that catch a hang, never a slow machine: no test's pass depends on how fast
    // it runs (issue #14). Ten minutes is several times the slowest test's time under load 12
    // on two cores; the 200-kill crash test sets its own.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Integration tests open real SQLite files and spawn ffprobe; two cores, so keep workers few.
    maxWorkers: 2,
    // The long files start first, so the two workers end together (see the sequencer).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          // Pure code (the shared domain and formats, the renderer's stores and tools): no files,
          // processes, ports or process-wide state. A fresh process per file cost more CPU than
          // these files' tests (starting vitest's worker and importing zod, the domain …
          // again for each of ~90 files), so they share long-lived threads.
          name: 'unit',
          include: ['src/shared/**/*.test.ts', 'src/renderer/**/*.test.ts'],
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          // Real SQLite files, servers, child processes. A fresh process per file cost ~1.3 s of
          // CPU per file (forking, vitest's worker, importing better-sqlite3, fastify, PGlite,
          // tfjs … again), more than most of these files' tests: each worker's process, and the
          // modules it loaded, serve file after file. That holds because no file here changes
          // process.env, the working folder or globals, each closes what it opens, and our
          // modules keep only caches at module level (the ffprobe found, the PGlite template,
          // the tfjs wasm backend, which every model test uses).
          name: 'integration',
          include: ['src/main/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ISOLATED,
          pool: 'forks',
          isolate: false,
          globalSetup: GLOBAL_SETUP,
        },
      },
      {
        extends: true,
        test: {
          // Files that replace a module (vi.mock) need a process of their own.
          name: 'isolated',
          include: ISOLATED,
          pool: 'forks',
        },
      },
    ],
  },
});

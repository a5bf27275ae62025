import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './tests/support/systemChromium';

/** Spec files that each take a worker for over a minute, longest first within the name order. */
const LONG_SPECS = [
  '**/poseRunnerWebgl.spec.ts',
  '**/review.spec.ts',
  '**/teamLoop.spec.ts',
  '**/faceReview.spec.ts',
  '**/delivery.spec.ts',
];

export default defineConfig({
  testDir: 'tests/e2e',
  // Temp folders in RAM, as for vitest: the hosts' SQLite databases (every commit fsynced), the
  // team servers' PGlite folders, imported clips and exports, and Chromium's profiles all go
  // through os.tmpdir(), and an fsync on the VM's disk is milliseconds of a test waiting.
  globalSetup: './tests/support/ramTempSetup.ts',
  // Each worker runs its own loopback host and database (fixtures.ts). Three on two cores: the
  // specs mostly wait (round trips, a frame to decode, a server to start), so two workers kept
  // under one core busy (73 % on a quiet machine). A third finished the suite in 7.5 min instead
  // of 9.4 with the same CPU beside other work; a fourth did no better (8.0 min, heavier load).
  workers: 3,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: 'list',
  // Safety nets that catch a hang, never a slow machine (issue #14): a busy two-core machine
  // takes several times a quiet one's time, and no test's pass may depend on how fast it runs.
  timeout: 600_000,
  expect: { timeout: 60_000 },
  outputDir: 'test-results',
  // Playwright hands out spec files in name order; the longest single runs go first, so the
  // workers end together instead of one running a long spec alone at the end. The player's cases
  // run side by side (player.spec.ts) and fill the gaps. Same settings for both: a worker that
  // moves from the first project to the second starts afresh, once.
  projects: [
    { name: 'long', testMatch: LONG_SPECS },
    { name: 'e2e', testIgnore: LONG_SPECS },
  ],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_FLAGS],
    },
    // An action waits for its element at most as long as an expectation does, not a whole test.
    actionTimeout: 60_000,
    navigationTimeout: 60_000,
    // A failed test keeps a trace of its actions, console and network, without the DOM snapshot
    // before and after each action and the screencast: those took a third of a UI spec's time and
    // half of a frame walk's (hundreds of actions). `--trace retain-on-failure` on the command line
    // brings them back for a failure being looked into; the failure's screenshot is kept anyway.
    trace: { mode: 'retain-on-failure', snapshots: false, screenshots: false, sources: true },
    screenshot: 'only-on-failure',
  },
});

import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './tests/support/systemChromium';

export default defineConfig({
  testDir: 'tests/e2e',
  // Each worker runs its own loopback host and database (fixtures.ts). Two: the player's
  // frame-by-frame walk waits on round trips more than it uses a core, so a second spec file fits
  // beside it on two cores.
  workers: 2,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: 'list',
  // Safety nets that catch a hang, never a slow machine (issue #14): a busy two-core machine
  // takes several times a quiet one's time, and no test's pass may depend on how fast it runs.
  timeout: 600_000,
  expect: { timeout: 60_000 },
  outputDir: 'test-results',
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
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});

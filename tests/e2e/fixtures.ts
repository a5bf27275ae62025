import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { test as base, expect, type Page } from '@playwright/test';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** A running `framewise serve`: the URL it printed (with `?token=`), its origin and token. */
export type LoopbackHost = { url: string; origin: string; token: string };

type WorkerFixtures = { host: LoopbackHost };
type TestOptions = {
  /** Console errors a test provokes on purpose (Chromium logs every 4xx response it fetches). */
  allowedConsoleErrors: RegExp[];
};

const STARTUP_TIMEOUT_MS = 45_000;
/** The CLI to run as `<cli> serve --db FILE`; overridable to try the tests against another host. */
const HOST_CLI = process.env.FRAMEWISE_E2E_CLI ?? 'bin/framewise.mjs';

export const test = base.extend<TestOptions, WorkerFixtures>({
  host: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads fixture dependencies from this pattern.
    async ({}, use) => {
      if (!existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) {
        throw new Error('out/renderer is missing: run `npm run build` before the e2e tests.');
      }
      const dataDir = mkdtempSync(join(tmpdir(), 'framewise-e2e-'));
      const child = spawn(
        process.execPath,
        [HOST_CLI, 'serve', '--db', join(dataDir, 'framewise.sqlite')],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      try {
        const url = new URL(await firstLine(child));
        const token = url.searchParams.get('token');
        if (!token) throw new Error(`framewise serve printed a URL without a token: ${url.href}`);
        await use({ url: url.href, origin: url.origin, token });
      } finally {
        await stop(child);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: STARTUP_TIMEOUT_MS + 15_000 },
  ],

  allowedConsoleErrors: [[], { option: true }],

  // Every test that drives the page also proves the page logged no errors.
  page: async ({ page, allowedConsoleErrors }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() !== 'error') return;
      if (allowedConsoleErrors.some((allowed) => allowed.test(text))) return;
      errors.push(`console: ${text}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    await use(page);
    expect(errors, 'errors logged by the page').toEqual([]);
  },
});

export { expect };

/** Opens the app the way a person does: the printed URL, token and all. */
export async function openApp(page: Page, host: LoopbackHost): Promise<void> {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { level: 1, name: 'Batches' })).toBeVisible();
}

function firstLine(child: ChildProcess): Promise<string> {
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('framewise serve was spawned without pipes.');
  let errorOutput = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    errorOutput = (errorOutput + chunk).slice(-4000);
  });
  return new Promise((resolveLine, reject) => {
    const lines = createInterface({ input: stdout });
    const fail = (why: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`framewise serve ${why}.\nstderr:\n${errorOutput}`));
    };
    const timer = setTimeout(
      () => fail(`printed no URL within ${STARTUP_TIMEOUT_MS} ms`),
      STARTUP_TIMEOUT_MS,
    );
    lines.once('line', (line) => {
      clearTimeout(timer);
      // Keep draining stdout so the host never blocks on a full pipe.
      lines.on('line', () => undefined);
      resolveLine(line.trim());
    });
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => fail(`could not start: ${error.message}`));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

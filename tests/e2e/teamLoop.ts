import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection, createServer, type Socket } from 'node:net';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { SERVER_BIN, spawnServer } from '../integration/server/serverHarness';
import { startTestPostgres } from '../integration/server/postgresForTests';
import { freshMigratedPgliteDir } from '../support/migratedPgliteTemplate';
import { expect } from './fixtures';

const run = promisify(execFile);

/**
 * A real `framewise-server serve` for a team, on PostgreSQL when DATABASE_URL names a server (as
 * CI sets it: a fresh database on it), else on PGlite in a fresh, migrated folder. `admin` runs the real CLI
 * (`bin/framewise-server.mjs`) against it while it serves: on PGlite the CLI hands the command to
 * the running server; on PostgreSQL it opens the database beside it.
 */
export type TeamServer = {
  backend: 'postgres' | 'pglite';
  url: string;
  /** The server's data folder: the PGlite database (without PostgreSQL) and `blobs/`, the clips. */
  dataDir: string;
  admin: <T>(...args: string[]) => Promise<T>;
  /** The same CLI run by an account from their own machine (`--server`, FRAMEWISE_TOKEN). */
  asAccount: <T>(token: string, ...args: string[]) => Promise<T>;
  stop: () => Promise<void>;
};

export async function startTeamServer(): Promise<TeamServer> {
  const usePostgres = (process.env.DATABASE_URL ?? '') !== '';
  const postgres = usePostgres ? await startTestPostgres() : null;
  // On PostgreSQL too: the clips' blobs live in the data folder, never the user's default one. On
  // PGlite the folder starts migrated (a first start on an empty folder is serverCli.test.ts's).
  const dataDir =
    postgres !== null
      ? mkdtempSync(join(tmpdir(), 'fw-e2e-team-loop-'))
      : await freshMigratedPgliteDir('fw-e2e-team-loop-');
  const target = postgres !== null ? { databaseUrl: postgres.url } : { dataDir };
  const env: NodeJS.ProcessEnv = { ...process.env };
  const where: string[] = ['--data', dataDir];
  if (postgres !== null) env.DATABASE_URL = postgres.url;
  else delete env.DATABASE_URL;
  const removeData = async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await postgres?.stop();
  };
  let server;
  try {
    server = await spawnServer(target, postgres !== null ? where : []);
  } catch (error) {
    await removeData();
    throw error;
  }
  return {
    backend: postgres !== null ? 'postgres' : 'pglite',
    url: server.url,
    dataDir,
    admin: async <T>(...args: string[]): Promise<T> => {
      const { stdout } = await run(process.execPath, [SERVER_BIN, ...args, ...where], { env });
      return JSON.parse(stdout) as T;
    },
    asAccount: async <T>(token: string, ...args: string[]): Promise<T> => {
      const { stdout } = await run(
        process.execPath,
        [SERVER_BIN, ...args, '--server', server.url],
        { env: { ...process.env, FRAMEWISE_TOKEN: token } },
      );
      return JSON.parse(stdout) as T;
    },
    stop: async () => {
      await server.stop();
      await removeData();
    },
  };
}

/**
 * Collects what a page logs as an error (the `page` fixture does this for the one page it gives;
 * a spec with pages of its own checks theirs with `expect(errors).toEqual([])`).
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return errors;
}

/** From the batches screen: Sync settings, sign out whoever is in, sign in with `token`. */
export async function signIn(page: Page, serverUrl: string, token: string, account: string) {
  await page.getByRole('button', { name: 'Sync settings' }).click();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('Server address').fill(serverUrl);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sync-online')).toHaveText('Online');
  await expect(page.getByTestId('sync-account')).toHaveText(account);
  await page.getByRole('button', { name: 'Back to batches' }).click();
}

/**
 * From the batches screen: Sync settings, Sync now until nothing is left to send (a submit waits
 * for its clip's checksum, which the import computes in the background), back to batches.
 */
export async function syncUntilSent(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sync settings' }).click();
  const syncNow = page.getByRole('button', { name: 'Sync now' });
  await expect(async () => {
    // This round's answer, not a report an earlier round left on the screen.
    const answered = page.waitForResponse((response) => response.url().endsWith('/api/syncNow'));
    await syncNow.click();
    await answered;
    await expect(page.getByTestId('sync-pending')).toHaveText('0', { timeout: 1_000 });
  }).toPass();
  await expect(page.getByTestId('sync-refused')).toHaveText('0');
  await page.getByRole('button', { name: 'Back to batches' }).click();
}

/** Every file of an export folder, by relative path, as text. */
function filesOf(folder: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(folder, path), readFileSync(path, 'utf8'));
    }
  };
  walk(folder);
  return files;
}

/**
 * The label files of an export, with the fields that differ by design between two exports (the
 * export's time and id, the ffmpeg in use: the server runs none) replaced. The report and the
 * checksums are left out: they describe the export itself.
 */
export function labelFiles(folder: string): Map<string, string> {
  const report = JSON.parse(readFileSync(join(folder, 'export_report.json'), 'utf8')) as {
    exportedAt?: string;
    exported_at?: string;
  };
  const exportedAt = report.exportedAt ?? report.exported_at;
  if (exportedAt === undefined) throw new Error(`${folder}/export_report.json has no export time`);
  const normalized = new Map<string, string>();
  for (const [path, text] of filesOf(folder)) {
    if (path === 'export_report.json' || path === 'checksums.sha256') continue;
    normalized.set(
      path,
      text
        .replaceAll(exportedAt, '<exported_at>')
        .replace(/"export_id":"[^"]*"/g, '"export_id":"<id>"')
        .replace(/"ffmpeg_version":(null|"[^"]*")/g, '"ffmpeg_version":"<ffmpeg>"'),
    );
  }
  return normalized;
}

/**
 * A workstation's network link to the server: a TCP pass-through on 127.0.0.1 that the test can
 * cut (every connection reset, new ones too) and restore, as a cable pulled and plugged back.
 */
export type Link = {
  url: string;
  cut: () => void;
  restore: () => void;
  close: () => Promise<void>;
};

export async function openLink(serverUrl: string): Promise<Link> {
  const target = new URL(serverUrl);
  const sockets = new Set<Socket>();
  let up = true;
  const listener = createServer((client) => {
    if (!up) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
  const address = listener.address();
  if (typeof address !== 'object' || address === null) throw new Error('the link has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      up = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore: () => {
      up = true;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => done());
      }),
  };
}

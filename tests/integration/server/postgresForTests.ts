import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A real PostgreSQL for the integration tests, one fresh database per caller:
 * - DATABASE_URL set (CI exports it after `.ci/run` starts or finds a server): a new database on
 *   that server, dropped afterwards;
 * - otherwise, outside CI, a throwaway cluster (initdb + pg_ctl, run as the `postgres` user since
 *   PostgreSQL refuses root) on a free port, removed afterwards;
 * - in CI without a reachable server: a loud failure, never a silent skip.
 */
export type TestPostgres = { url: string; stop: () => Promise<void> };

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function freshDatabase(baseUrl: string): Promise<TestPostgres> {
  const name = `fw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `DATABASE_URL is set but PostgreSQL is not reachable at it (${(error as Error).message}). ` +
        'Start PostgreSQL (.ci/run does) or unset DATABASE_URL to let the tests start their own.',
    );
  }
  await admin.query(`CREATE DATABASE ${name}`);
  // As the throwaway cluster's fsync=off: a commit returns without waiting for its WAL flush.
  // Transactions, locks and isolation are unchanged; only a crash of PostgreSQL itself could lose
  // the last commits, and no test crashes it (the server tests kill framewise-server, whose
  // commits PostgreSQL already holds). The flush wait was most of the push tests' time on a VM.
  await admin.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    stop: async () => {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

function asPostgresUser(command: string, args: string[]): string[] {
  // Root may not run PostgreSQL; any other user runs it directly.
  return process.getuid?.() === 0
    ? ['runuser', '-u', 'postgres', '--', command, ...args]
    : [command, ...args];
}

function run(argv: string[]): void {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  const result = spawnSync(file, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${argv.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`,
    );
  }
}

async function throwawayCluster(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'fw-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', dir]);
  const port = await freePort();
  run(
    asPostgresUser('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]),
  );
  run(
    asPostgresUser('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`,
      'start',
    ]),
  );
  const base = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const database = await freshDatabase(base);
  return {
    url: database.url,
    stop: async () => {
      await database.stop();
      run(asPostgresUser('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const url = process.env.DATABASE_URL;
  if (url) return freshDatabase(url);
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but DATABASE_URL is not set: the server tests must run against a real PostgreSQL ' +
        'in CI. .ci/run starts one and exports DATABASE_URL.',
    );
  }
  return throwawayCluster();
}

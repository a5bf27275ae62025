import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** One statement's rows. `$1`-style parameters, the same on PostgreSQL and PGlite. */
export type Queryable = {
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
};

/**
 * The server's database: a PostgreSQL pool, or an embedded PGlite. Both speak the same SQL; every
 * write that must land together goes through `transaction`, which holds one connection (pg) or
 * PGlite's transaction lock until COMMIT.
 */
export type Db = Queryable & {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type DbTarget = { databaseUrl: string } | { dataDir: string };

export async function openDb(target: DbTarget): Promise<Db> {
  return 'databaseUrl' in target ? openPostgres(target.databaseUrl) : openPglite(target.dataDir);
}

function openPostgres(connectionString: string): Db {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // An idle client losing its connection (a restarted PostgreSQL) must not crash the process;
  // the pool drops it and the next query opens a new one.
  pool.on('error', (error) => {
    console.error('framewise-server: idle PostgreSQL connection failed:', error.message);
  });
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(on(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable; release it as broken so the pool does not reuse it.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<Db> {
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const on = (client: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(sql: string) {
      await client.exec(sql);
    },
  });
  return {
    kind: 'pglite',
    ...on(db),
    // PGlite is one connection: its transaction() queues every other query until COMMIT.
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(on(tx))),
    // Closing twice is a no-op, as pg's Pool.end() after end() is not: callers may hand the
    // folder to another process and close their handle later.
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}

import type { Database } from 'better-sqlite3';

declare const readBrand: unique symbol;
declare const writeBrand: unique symbol;

/**
 * Proof that the caller is inside `db.read`: the statements it runs see one snapshot. Repositories
 * take it as their first argument instead of reaching for a connection of their own.
 */
export type ReadTx = { readonly connection: Database; readonly [readBrand]: true };

/**
 * Proof that the caller is inside `db.write`: everything done with it commits or rolls back
 * together. Cross-feature effects (`syncOutbox.enqueue(tx, …)`, `audit.append(tx, …)`,
 * `purgeClip(tx, …)`) take one, so they land in the caller's transaction, never in one of their own.
 */
export type Tx = ReadTx & { readonly [writeBrand]: true };

/**
 * The workstation's unit of work over its one better-sqlite3 connection (WAL, migrated by
 * `openDatabase`). better-sqlite3 is synchronous, so a transaction is a plain function call; a
 * `write` inside another `write` becomes a savepoint of the outer one.
 */
export class Db {
  readonly connection: Database;
  readonly #tx: Tx;

  constructor(connection: Database) {
    this.connection = connection;
    this.#tx = { connection } as Tx;
  }

  /** A consistent snapshot for several reads (deferred transaction: takes no write lock). */
  read<T>(work: (tx: ReadTx) => T): T {
    if (this.connection.inTransaction) return work(this.#tx);
    return this.connection.transaction(() => work(this.#tx)).deferred();
  }

  /**
   * One write transaction. It takes the write lock up front (BEGIN IMMEDIATE): a deferred read
   * that later upgrades fails with SQLITE_BUSY under WAL without waiting out the busy timeout.
   */
  write<T>(work: (tx: Tx) => T): T {
    return this.connection.transaction(() => work(this.#tx)).immediate();
  }

  get readonly(): boolean {
    return this.connection.readonly;
  }

  close(): void {
    // SQLite's advice for long-lived connections: refresh planner statistics before closing.
    if (!this.connection.readonly) this.connection.pragma('optimize');
    this.connection.close();
  }
}

/** ISO 8601 UTC with milliseconds; sorts as text in time order. */
export function now(): string {
  return new Date().toISOString();
}

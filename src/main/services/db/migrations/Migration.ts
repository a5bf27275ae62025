import type { Database } from 'better-sqlite3';

/**
 * One schema change. `up` runs inside a transaction with foreign keys off (so a table can be
 * rebuilt) and must leave no foreign-key violation behind; the runner sets `user_version`.
 */
export type Migration = {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
};

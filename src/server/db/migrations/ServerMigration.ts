/**
 * One change to the server's schema: SQL that runs unchanged on PostgreSQL and PGlite, in its own
 * transaction. `schema_migrations` records `version` and `name` once it has run.
 */
export type ServerMigration = {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
};

import type { Db } from '../Db';
import type { ServerMigration } from './ServerMigration';

/** An arbitrary constant naming the migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 0x6677_0001;

/** Applies the migrations `db` has not run yet, in order; returns the versions applied. */
export async function runServerMigrations(
  db: Db,
  migrations: readonly ServerMigration[],
): Promise<number[]> {
  for (const [index, migration] of migrations.entries()) {
    if (migration.version !== index + 1) {
      throw new Error(
        `Server migration ${migration.name} is at ${index + 1}, says ${migration.version}`,
      );
    }
  }
  // Under the lock too: two processes racing on CREATE TABLE IF NOT EXISTS can still collide.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(/* sql */ `
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
  });
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const done = await tx.query<{ name: string }>(
        'SELECT name FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      const recorded = done[0];
      if (recorded !== undefined) {
        // A renamed or reordered migration would otherwise be skipped as if it had run.
        if (recorded.name !== migration.name) {
          throw new Error(
            `Server migration ${migration.version} ran here as "${recorded.name}", but this ` +
              `server calls it "${migration.name}": a shipped migration was renamed or reordered.`,
          );
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  const rows = await db.query<{ version: number }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  const latest = rows[0]?.version ?? 0;
  if (latest > migrations.length) {
    throw new Error(
      `This database was migrated by a newer framewise-server (schema ${latest}; this one knows ` +
        `${migrations.length}). Update the server.`,
    );
  }
  return applied;
}

import type { Db } from '../../../src/server/db/Db';

/**
 * A fingerprint of every table in the server's schema (row count and a digest of the rows), so a
 * test can prove a refused request changed nothing, including tables added after it was written.
 */
export async function databaseState(db: Db): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const state: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = await db.query<{ n: number; digest: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest
       FROM "${name}" t`,
    );
    state[name] = `${rows[0]?.n ?? 0}:${rows[0]?.digest ?? ''}`;
  }
  return state;
}

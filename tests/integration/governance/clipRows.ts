import type Database from 'better-sqlite3';

/** The columns that tie a row to a clip, directly or through one of its annotation sets. */
export const CLIP_COLUMNS = ['clip_id', 'set_id', 'clip_ref', 'server_set_id'] as const;

/** Every table of the file with at least one of `CLIP_COLUMNS`, with those it has. */
export function tablesWithClipColumns(db: Database.Database): Map<string, string[]> {
  const tables = db
    .prepare<[], string>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .pluck()
    .all();
  const out = new Map<string, string[]>();
  for (const table of tables) {
    const columns = db
      .prepare<[string], string>('SELECT name FROM pragma_table_info(?)')
      .pluck()
      .all(table)
      .filter((column) => (CLIP_COLUMNS as readonly string[]).includes(column));
    if (columns.length > 0) out.set(table, columns);
  }
  return out;
}

export type ClipKeys = {
  clipId: string | null;
  sha256: string;
  setIds: readonly string[];
  serverSetIds: readonly string[];
};

/** Rows per table that name the clip by any of its keys (tables with none are left out). */
export function rowsOfClip(db: Database.Database, clip: ClipKeys): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [table, columns] of tablesWithClipColumns(db)) {
    const terms: string[] = [];
    const params: string[] = [];
    const any = (column: string, values: readonly string[]) => {
      if (values.length === 0) return;
      terms.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    };
    for (const column of columns) {
      if (column === 'clip_id') any('clip_id', clip.clipId === null ? [] : [clip.clipId]);
      if (column === 'clip_ref') any('lower(clip_ref)', [clip.sha256]);
      if (column === 'set_id') any('set_id', clip.setIds);
      if (column === 'server_set_id') any('server_set_id', clip.serverSetIds);
    }
    if (terms.length === 0) continue;
    // Table names come from sqlite_master, never from input.
    const n = db
      .prepare<string[], number>(`SELECT count(*) FROM "${table}" WHERE ${terms.join(' OR ')}`)
      .pluck()
      .get(...params);
    if (n !== undefined && n > 0) counts[table] = n;
  }
  return counts;
}

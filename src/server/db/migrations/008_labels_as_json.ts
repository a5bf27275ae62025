import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Labels are stored as `json` (the pushed text, checked by the shared schema before it is stored)
 * rather than `jsonb`. No query looks inside them; they go out whole, to a lead's pull and to
 * `framewise-server export`, and turning a megabyte of jsonb back into text cost PGlite about
 * 40 ms a set, three times what json's stored text costs (issue #15's benchmark). Storing them
 * also no longer converts them.
 */
const sql = /* sql */ `
ALTER TABLE annotation_sets ALTER COLUMN labels TYPE json USING labels::json;
ALTER TABLE set_versions ALTER COLUMN labels TYPE json USING labels::json;
`;

export const migration008: ServerMigration = { version: 8, name: 'labels_as_json', sql };

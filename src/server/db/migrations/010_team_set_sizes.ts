import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * A lead's pull cuts its pages by bytes (a page must come within the workstation's timeout on a
 * slow link), so it must know each set's size before it reads the set. Measuring `labels::text`
 * in the query decompresses and copies every megabyte it measures; these columns hold the sizes,
 * kept by PostgreSQL on every write, so no writer can forget them. Bytes of the text the pull
 * sends: json's stored text, jsonb's output.
 */
const sql = /* sql */ `
ALTER TABLE annotation_sets
  ADD COLUMN labels_bytes integer GENERATED ALWAYS AS (octet_length(labels::text)) STORED,
  ADD COLUMN project_schema_bytes integer
    GENERATED ALWAYS AS (octet_length(project_schema::text)) STORED;
`;

export const migration010: ServerMigration = { version: 10, name: 'team_set_sizes', sql };

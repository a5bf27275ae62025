import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * The lead's dataset (#15):
 * - `change_seq` orders every change a lead's workstation must learn of (a push, a verdict, a
 *   reassignment): its pull asks for the sets changed after the last `change_seq` it saw. Writers
 *   take it as the last step of their transaction under one advisory lock (sets.ts,
 *   `markSetChanged`), so numbers commit in order and a reader at N never later finds a lower one.
 *   NULL: never pushed (an empty set waiting for its annotator).
 * - `clip_facts` and `project_schema` are what a push carries besides the labels (frame times,
 *   size, rotation, file name, the manifest's contributor and consent; the project schema), so
 *   `framewise-server export` writes the same label files as a workstation. They go with the set
 *   when consent is withdrawn.
 * Sets pushed before this migration are numbered in the order they last changed.
 */
const sql = /* sql */ `
CREATE SEQUENCE set_change_seq;
ALTER TABLE annotation_sets ADD COLUMN change_seq bigint UNIQUE;
ALTER TABLE annotation_sets ADD COLUMN clip_facts jsonb;
ALTER TABLE annotation_sets ADD COLUMN project_schema jsonb;

UPDATE annotation_sets s SET change_seq = o.n
FROM (
  SELECT id, row_number() OVER (ORDER BY updated_at, id) AS n FROM annotation_sets
  WHERE labels IS NOT NULL OR status <> 'in_progress'
) o
WHERE s.id = o.id;
SELECT setval('set_change_seq', coalesce((SELECT max(change_seq) FROM annotation_sets), 0) + 1, false);
`;

export const migration006: ServerMigration = { version: 6, name: 'team_sets', sql };

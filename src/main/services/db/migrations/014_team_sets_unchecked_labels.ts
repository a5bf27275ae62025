import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * A pulled set's labels (and schema) are checked where they enter, against the shared schemas,
 * by the lead's pull (`teamSetsWire.ts`), and stored as the text that was checked. SQLite's
 * `json_valid` CHECK parsed each megabyte again on every insert: about a quarter of the time a
 * lead's first pull spent on a set (#15's benchmark). The table is rebuilt without those two
 * checks; nothing else changes.
 */
const sql = /* sql */ `
CREATE TABLE sync_team_sets_new (
  server_set_id TEXT PRIMARY KEY NOT NULL,
  server TEXT NOT NULL,
  clip_ref TEXT NOT NULL CHECK (length(clip_ref) = 64),
  project_id TEXT NOT NULL,
  annotator TEXT NOT NULL,
  reviewers_json TEXT NOT NULL CHECK (json_valid(reviewers_json)),
  status TEXT NOT NULL CHECK (status IN ('submitted', 'in_review', 'accepted')),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  labels_json TEXT NOT NULL,
  project_json TEXT,
  change_seq INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  pulled_at TEXT NOT NULL
) STRICT;

INSERT INTO sync_team_sets_new SELECT server_set_id, server, clip_ref, project_id, annotator,
  reviewers_json, status, revision, labels_json, project_json, change_seq, updated_at, pulled_at
  FROM sync_team_sets;
DROP TABLE sync_team_sets;
ALTER TABLE sync_team_sets_new RENAME TO sync_team_sets;
CREATE INDEX sync_team_sets_clip ON sync_team_sets (clip_ref);
`;

export const migration014: Migration = {
  version: 14,
  name: 'team_sets_unchecked_labels',
  up(db) {
    db.exec(sql);
  },
};

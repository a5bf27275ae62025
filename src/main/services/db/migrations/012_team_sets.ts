import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * The lead's dataset (#15): the handed-in sets of the projects this workstation's lead leads, as
 * the server gave them (`GET /v1/team-sets`), so Export here writes the team's work for every clip
 * imported here. Keyed by the server's set id; a row is replaced only by a later change
 * (`change_seq`), and goes when its set leaves the statuses pulled (sent back for changes).
 * `clip_ref` (the file's sha256) finds the local clip, and lets a consent withdrawal purge the
 * rows (the sync module owns them). `project_json` is the schema the labels were made with;
 * `reviewers_json` the accounts that gave verdicts, for provenance.
 */
const sql = /* sql */ `
CREATE TABLE sync_team_sets (
  server_set_id TEXT PRIMARY KEY NOT NULL,
  server TEXT NOT NULL,
  clip_ref TEXT NOT NULL CHECK (length(clip_ref) = 64),
  project_id TEXT NOT NULL,
  annotator TEXT NOT NULL,
  reviewers_json TEXT NOT NULL CHECK (json_valid(reviewers_json)),
  status TEXT NOT NULL CHECK (status IN ('submitted', 'in_review', 'accepted')),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  labels_json TEXT NOT NULL CHECK (json_valid(labels_json)),
  project_json TEXT CHECK (project_json IS NULL OR json_valid(project_json)),
  change_seq INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  pulled_at TEXT NOT NULL
) STRICT;

CREATE INDEX sync_team_sets_clip ON sync_team_sets (clip_ref);
`;

export const migration012: Migration = {
  version: 12,
  name: 'team_sets',
  up(db) {
    db.exec(sql);
  },
};

import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Cross-machine agreement: the handed-in sets of double-annotated clips as the server gave them to
 * this lead (`GET /v1/double-annotation/sets`), so the agreement page can compare two annotators
 * who labelled on other workstations. Keyed by the server's set id; a later pull of a set replaces
 * the row only with a higher revision. `clip_ref` (the file's sha256) is how a row finds the local
 * clip, when it is imported here, and how a consent withdrawal finds the rows to purge.
 */
const sql = /* sql */ `
CREATE TABLE double_annotation_sets (
  server_set_id TEXT PRIMARY KEY NOT NULL,
  server TEXT NOT NULL,
  clip_ref TEXT NOT NULL CHECK (length(clip_ref) = 64),
  project_id TEXT NOT NULL,
  annotator TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status <> 'in_progress'),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  labels_json TEXT NOT NULL CHECK (json_valid(labels_json)),
  updated_at TEXT NOT NULL,
  pulled_at TEXT NOT NULL
) STRICT;

CREATE INDEX double_annotation_sets_clip ON double_annotation_sets (clip_ref);
`;

export const migration009: Migration = {
  version: 9,
  name: 'double_annotation_sets',
  up(db) {
    db.exec(sql);
  },
};

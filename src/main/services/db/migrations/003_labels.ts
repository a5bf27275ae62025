import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Labels are stored as an append-only command log plus snapshots, not as normalised rows:
 * - Every edit already is a command (`applyCommand`), so persisting it is one INSERT of the
 *   command and its inverse: one small transaction per edit, whatever the edit's size, and the
 *   log is the audit trail of who changed what and when (the generic audit_log records only
 *   set-level events, so it does not grow by one row per dragged point).
 * - `label_snapshots` holds the whole document at some seq; reading a set is its snapshot plus the
 *   replay of the commands after it. The store writes a new snapshot every few hundred commands.
 * - `annotation_sets.seq` is the seq of the last command (0 for none): the optimistic-concurrency
 *   check of an edit reads one row, and a crash can never leave it out of step with the log
 *   because both change in the same transaction.
 *
 * On delete:
 * - annotation_sets → clips RESTRICT and → projects RESTRICT: labels are the work users pay for.
 * - label_commands and label_snapshots → annotation_sets RESTRICT: likewise, never a cascade.
 *
 * The log is append-only, enforced by triggers as audit_log is. Status is a closed set (checked).
 * `schema_json` is the project file as parsed (defaults filled), re-parsed by the store on read.
 */
const sql = /* sql */ `
CREATE TABLE projects (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version > 0),
  schema_json TEXT NOT NULL CHECK (json_valid(schema_json)),
  created_at TEXT NOT NULL
) STRICT;

CREATE TABLE annotation_sets (
  id TEXT PRIMARY KEY NOT NULL,
  clip_id TEXT NOT NULL REFERENCES clips (id) ON DELETE RESTRICT,
  annotator TEXT NOT NULL CHECK (annotator <> ''),
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  status TEXT NOT NULL DEFAULT 'in_progress'
    CHECK (status IN ('in_progress', 'submitted', 'in_review', 'accepted', 'changes_requested')),
  revision INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
  seq INTEGER NOT NULL DEFAULT 0 CHECK (seq >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (clip_id, annotator)
) STRICT;

CREATE TABLE label_commands (
  set_id TEXT NOT NULL REFERENCES annotation_sets (id) ON DELETE RESTRICT,
  seq INTEGER NOT NULL CHECK (seq > 0),
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  command_json TEXT NOT NULL CHECK (json_valid(command_json)),
  inverse_json TEXT NOT NULL CHECK (json_valid(inverse_json)),
  PRIMARY KEY (set_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE label_snapshots (
  set_id TEXT NOT NULL REFERENCES annotation_sets (id) ON DELETE RESTRICT,
  seq INTEGER NOT NULL CHECK (seq >= 0),
  doc_json TEXT NOT NULL CHECK (json_valid(doc_json)),
  at TEXT NOT NULL,
  PRIMARY KEY (set_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER label_commands_no_update BEFORE UPDATE ON label_commands
BEGIN
  SELECT RAISE(ABORT, 'label_commands is append-only');
END;

CREATE TRIGGER label_commands_no_delete BEFORE DELETE ON label_commands
BEGIN
  SELECT RAISE(ABORT, 'label_commands is append-only');
END;
`;

export const migration003: Migration = {
  version: 3,
  name: 'labels',
  up(db) {
    db.exec(sql);
  },
};

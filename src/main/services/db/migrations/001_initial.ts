import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * On delete:
 * - clips → batches RESTRICT: clips will carry annotations, the work users pay for; removing a
 *   batch must be a deliberate operation that deals with its clips, never a cascade.
 * - frame_tables → clips CASCADE: the frame table is part of the clip (derived from its file),
 *   kept in its own table only so that listing clips never reads the blob.
 * - file_errors → batches CASCADE: an error only describes one import of that batch.
 * - audit_log has no foreign keys: it must outlive what it describes.
 *
 * Enums that grow with the app (error codes, codec families, frame-table sources) carry no CHECK,
 * since widening a CHECK means rebuilding the table; the store parses them on read. Rotation and
 * checksum state are closed sets and are checked.
 */
const sql = /* sql */ `
CREATE TABLE batches (
  id TEXT PRIMARY KEY NOT NULL,
  folder TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  manifest_json TEXT CHECK (manifest_json IS NULL OR json_valid(manifest_json)),
  manifest_batch_id TEXT,
  contributor TEXT,
  region TEXT,
  imported_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE clips (
  id TEXT PRIMARY KEY NOT NULL,
  batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE RESTRICT,
  relative_path TEXT NOT NULL,
  file_path TEXT NOT NULL,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  mtime_ms REAL NOT NULL,
  fingerprint TEXT NOT NULL UNIQUE,
  expected_sha256 TEXT
    CHECK (expected_sha256 IS NULL OR (length(expected_sha256) = 64 AND expected_sha256 NOT GLOB '*[^0-9a-f]*')),
  sha256 TEXT CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
  checksum_state TEXT NOT NULL DEFAULT 'pending'
    CHECK (checksum_state IN ('pending', 'done', 'mismatch', 'error')),
  container TEXT NOT NULL,
  codec TEXT NOT NULL,
  codec_family TEXT NOT NULL,
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  rotation INTEGER NOT NULL CHECK (rotation IN (0, 90, 180, 270)),
  duration_seconds REAL NOT NULL CHECK (duration_seconds >= 0),
  frame_count INTEGER NOT NULL CHECK (frame_count > 0),
  frame_table_source TEXT NOT NULL,
  flagged_metadata TEXT NOT NULL CHECK (json_valid(flagged_metadata)),
  imported_at TEXT NOT NULL,
  UNIQUE (batch_id, relative_path),
  -- A computed verdict needs the hash it was computed from.
  CHECK (checksum_state IN ('pending', 'error') OR sha256 IS NOT NULL)
) STRICT;

CREATE INDEX clips_pending_checksum ON clips (imported_at) WHERE checksum_state = 'pending';

-- Presentation times as Float64 little-endian, 8 bytes a frame: 108,000 frames for 30 min at 60 fps.
CREATE TABLE frame_tables (
  clip_id TEXT PRIMARY KEY NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
  frame_count INTEGER NOT NULL CHECK (frame_count > 0),
  frame_times BLOB NOT NULL CHECK (length(frame_times) = 8 * frame_count),
  last_frame_duration REAL NOT NULL CHECK (last_frame_duration >= 0)
) STRICT;

CREATE TABLE file_errors (
  batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
  relative_path TEXT NOT NULL,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (batch_id, relative_path)
) STRICT;

-- AUTOINCREMENT: an audit id is never reused, even by a row written after a crash.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  details TEXT NOT NULL CHECK (json_valid(details) AND json_type(details) = 'object')
) STRICT;

CREATE INDEX audit_log_entity ON audit_log (entity_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
`;

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(sql);
  },
};

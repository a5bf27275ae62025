import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Clip delivery (#18): the server holds the clips. A clip's id (`clip_ref`, the `video_id` of
 * every export) is the sha256 of the contributor's original file; the copy annotators download
 * has its location, device and dates neutralised and so its own sha256 (`delivered_sha256`), which
 * the downloader checks. Both are blobs in the blob store, keyed by their hash; the original is
 * handed to the project's lead only. `frame_table_sha256` lets a workstation prove that the copy
 * it probed has the frame table the server probed. What probing flagged is kept as field names,
 * never values: the values are the contributor's location and device.
 *
 * An upload (`uploads`) is written to a staging file on the server as its chunks arrive;
 * `received` is the last byte acknowledged, where an interrupted upload resumes.
 */
const sql = /* sql */ `
CREATE TABLE ingest_batches (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id),
  name text NOT NULL CHECK (name <> ''),
  manifest jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE clip_files (
  clip_ref text PRIMARY KEY CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  project_id text NOT NULL REFERENCES projects (id),
  batch_id text NOT NULL REFERENCES ingest_batches (id),
  relative_path text NOT NULL,
  original_size bigint NOT NULL CHECK (original_size > 0),
  delivered_sha256 text NOT NULL CHECK (delivered_sha256 ~ '^[0-9a-f]{64}$'),
  delivered_size bigint NOT NULL CHECK (delivered_size > 0),
  container text NOT NULL,
  summary jsonb NOT NULL,
  frame_count integer NOT NULL CHECK (frame_count > 0),
  frame_table_sha256 text NOT NULL CHECK (frame_table_sha256 ~ '^[0-9a-f]{64}$'),
  flagged_fields text[] NOT NULL,
  ingested_by text NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX clip_files_delivered ON clip_files (delivered_sha256);
CREATE INDEX clip_files_project ON clip_files (project_id);

CREATE TABLE uploads (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  batch_id text NOT NULL REFERENCES ingest_batches (id),
  relative_path text NOT NULL,
  clip_ref text NOT NULL CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  received bigint NOT NULL DEFAULT 0 CHECK (received >= 0 AND received <= size_bytes),
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'failed')),
  outcome jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (batch_id, relative_path)
);
CREATE INDEX uploads_clip ON uploads (clip_ref);

-- Blobs a withdrawal removed from the database, to be deleted from the blob store once that
-- commits (a store is not transactional, and a shell command may run without one): the server
-- drains it at start, after admin commands and on a timer.
CREATE TABLE blob_deletions (
  blob_sha256 text PRIMARY KEY CHECK (blob_sha256 ~ '^[0-9a-f]{64}$'),
  clip_ref text NOT NULL CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  kind text NOT NULL CHECK (kind IN ('original', 'delivered')),
  queued_at timestamptz NOT NULL DEFAULT now()
);
`;

export const migration009: ServerMigration = { version: 9, name: 'clip_delivery', sql };

import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * One row per clip that has ever been asked for an H.264 proxy (a clip without a row has state
 * 'none'). proxies → clips CASCADE: the proxy is derived from the clip's file and means nothing
 * without it (the file on disk is removed by the proxy service, not by SQL).
 *
 * State is a closed set and is checked; `file_path` is set only once the proxy passed its frame
 * check, so a path in this table always names a usable file. `frame_count` is the proxy's own
 * count, kept for the audit of why it was accepted.
 */
const sql = /* sql */ `
CREATE TABLE proxies (
  clip_id TEXT PRIMARY KEY NOT NULL REFERENCES clips (id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ready', 'failed')),
  file_path TEXT,
  progress REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
  message TEXT,
  frame_count INTEGER CHECK (frame_count IS NULL OR frame_count > 0),
  updated_at TEXT NOT NULL,
  CHECK (state <> 'ready' OR (file_path IS NOT NULL AND frame_count IS NOT NULL))
) STRICT;

CREATE INDEX proxies_unfinished ON proxies (updated_at) WHERE state IN ('queued', 'running');
`;

export const migration002: Migration = {
  version: 2,
  name: 'proxies',
  up(db) {
    db.exec(sql);
  },
};

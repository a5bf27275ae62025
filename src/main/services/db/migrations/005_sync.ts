import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Offline-first sync with the central server:
 * - `sync_outbox`: work to deliver, in `seq` order. A submit writes its row in the same
 *   transaction as the status change, so a submitted set is never left without one and a
 *   crash never leaves a row for a submit that did not happen. `id` is the Idempotency-Key the
 *   server dedupes on; `payload_json` is the document as submitted (the request is the same on
 *   every retry); `base_revision` is frozen at the first attempt for the same reason. A delivered
 *   row is deleted (the audit log records the delivery); a conflict or refusal stays, with its
 *   payload, until the user resolves it: local work is never discarded.
 * - `sync_sets`: what the server last told us of each local set (its id, revision, status).
 * - `sync_conflicts`: 409s and refusals with both versions, shown to the user.
 * - `sync_inbox`: events pulled from the server (review comments, assignments, consent
 *   withdrawals), keyed by server and event id so a re-pulled event is applied once.
 * - `sync_state`: small key/value state that survives restarts (the events cursor per account).
 *
 * Outbox kinds grow with the app (review verdicts next) and carry no CHECK; states are closed.
 */
const sql = /* sql */ `
CREATE TABLE sync_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  set_id TEXT NOT NULL REFERENCES annotation_sets (id) ON DELETE RESTRICT,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  base_revision INTEGER CHECK (base_revision IS NULL OR base_revision >= 0),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'conflict', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at TEXT NOT NULL
) STRICT;

CREATE INDEX sync_outbox_state ON sync_outbox (state, seq);

CREATE TABLE sync_sets (
  set_id TEXT PRIMARY KEY NOT NULL REFERENCES annotation_sets (id) ON DELETE RESTRICT,
  server_set_id TEXT,
  server_revision INTEGER NOT NULL DEFAULT 0 CHECK (server_revision >= 0),
  server_status TEXT,
  updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX sync_sets_server ON sync_sets (server_set_id);

CREATE TABLE sync_conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  outbox_id TEXT NOT NULL,
  set_id TEXT NOT NULL REFERENCES annotation_sets (id) ON DELETE RESTRICT,
  code TEXT NOT NULL,
  message TEXT NOT NULL,
  local_json TEXT NOT NULL CHECK (json_valid(local_json)),
  server_json TEXT CHECK (server_json IS NULL OR json_valid(server_json)),
  server_revision INTEGER,
  recorded_at TEXT NOT NULL,
  resolved_at TEXT
) STRICT;

CREATE TABLE sync_inbox (
  event_key TEXT PRIMARY KEY NOT NULL,
  kind TEXT NOT NULL,
  clip_ref TEXT,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  received_at TEXT NOT NULL
) STRICT;

CREATE TABLE sync_state (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) STRICT;
`;

export const migration005: Migration = {
  version: 5,
  name: 'sync',
  up(db) {
    db.exec(sql);
  },
};

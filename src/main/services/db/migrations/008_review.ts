import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * QA review on the workstation, offline-first like the annotator's sync. Keyed by the server's
 * set id: a reviewer has no local annotation set for the clips they review.
 * - `review_queue`: the reviewer's queue as last pulled, with the labels at the revision to review,
 *   so a review can be done on a plane and synced later.
 * - `review_comments`: comments on a set. A reviewer's own comments start as drafts (`sent_at`
 *   NULL) and go out with the verdict; comments pulled with a review event (the annotator's
 *   side) arrive sent. Resolution is recorded here first, then synced.
 * - `review_outbox`: verdicts and resolutions to deliver, each row's `id` the Idempotency-Key.
 *   A verdict row is written in the same transaction that marks its drafts sent.
 * - `reviewed_revisions`: the labels this reviewer gave a verdict on, the "before" of the
 *   "changes since last review" diff when the set comes back.
 */
const sql = /* sql */ `
CREATE TABLE review_queue (
  server_set_id TEXT PRIMARY KEY NOT NULL,
  clip_ref TEXT NOT NULL,
  project_id TEXT NOT NULL,
  annotator TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 0),
  status TEXT NOT NULL,
  labels_json TEXT NOT NULL CHECK (json_valid(labels_json)),
  submitted_at TEXT NOT NULL,
  model_share REAL NOT NULL CHECK (model_share >= 0 AND model_share <= 1),
  pulled_at TEXT NOT NULL
) STRICT;

CREATE TABLE review_comments (
  id TEXT PRIMARY KEY NOT NULL,
  server_set_id TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 0),
  author TEXT NOT NULL,
  at TEXT NOT NULL,
  pin_json TEXT NOT NULL CHECK (json_valid(pin_json)),
  text TEXT NOT NULL CHECK (text <> ''),
  suggestion_json TEXT CHECK (suggestion_json IS NULL OR json_valid(suggestion_json)),
  sent_at TEXT,
  resolved_by TEXT,
  resolved_at TEXT,
  CHECK ((resolved_by IS NULL) = (resolved_at IS NULL))
) STRICT;

CREATE INDEX review_comments_set ON review_comments (server_set_id, at);

CREATE TABLE review_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('verdict', 'resolve')),
  server_set_id TEXT NOT NULL,
  payload_json TEXT NOT NULL CHECK (json_valid(payload_json)),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at TEXT NOT NULL
) STRICT;

CREATE INDEX review_outbox_state ON review_outbox (state, seq);

CREATE TABLE reviewed_revisions (
  server_set_id TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  revision INTEGER NOT NULL CHECK (revision >= 0),
  verdict TEXT NOT NULL CHECK (verdict IN ('accept', 'request_changes')),
  labels_json TEXT NOT NULL CHECK (json_valid(labels_json)),
  reviewed_at TEXT NOT NULL,
  PRIMARY KEY (server_set_id, reviewer, revision)
) STRICT;
`;

export const migration008: Migration = {
  version: 8,
  name: 'review',
  up(db) {
    db.exec(sql);
  },
};

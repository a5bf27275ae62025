import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Which clip each server set the review module keeps rows about belongs to. `review_comments`,
 * `review_outbox` and `reviewed_revisions` name a set by the server's id only, and the queue row
 * that said which clip it was goes once the server stops listing the set; a consent withdrawal
 * names the clip (its sha256), so without this map it could not find them. Filled from the
 * cached queue here; the review module adds a row whenever it stores anything about a set.
 */
const sql = /* sql */ `
CREATE TABLE review_sets (
  server_set_id TEXT PRIMARY KEY NOT NULL,
  clip_ref TEXT NOT NULL CHECK (length(clip_ref) = 64)
) STRICT;

CREATE INDEX review_sets_clip ON review_sets (clip_ref);

INSERT OR IGNORE INTO review_sets (server_set_id, clip_ref)
  SELECT server_set_id, lower(clip_ref) FROM review_queue WHERE length(clip_ref) = 64;
`;

export const migration011: Migration = {
  version: 11,
  name: 'review_sets',
  up(db) {
    db.exec(sql);
  },
};

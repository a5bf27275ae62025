import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Face regions (#19), owned by the faces module (src/main/services/faces/faceRegions.ts):
 * - `face_scans`: one row per clip scanned: the detector, how far the scan got (a stopped or
 *   crashed scan resumes after `frames_done`), and the clip's blur review status, which the
 *   export's blur policy reads.
 * - `face_detections`: the detector's boxes on each frame, written as each frame finishes, so a
 *   scan resumes where it stopped.
 * - `face_tracks`: the boxes linked into tracks once the scan ends, plus tracks a person added;
 *   `removed` marks a false one a person took out (kept, so a rescan does not bring it back
 *   unseen). Boxes are per frame in displayed pixels: data a keyframed box track of kind `face`
 *   can be made from later.
 * Face data is personal data about the clip: a consent withdrawal deletes all three.
 */
const sql = /* sql */ `
CREATE TABLE face_scans (
  clip_id TEXT PRIMARY KEY NOT NULL REFERENCES clips (id),
  model TEXT NOT NULL,
  backend TEXT,
  frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
  frames_done INTEGER NOT NULL DEFAULT 0 CHECK (frames_done >= 0),
  status TEXT NOT NULL CHECK (status IN ('scanning', 'scanned', 'failed', 'cancelled')),
  error TEXT,
  review_status TEXT NOT NULL DEFAULT 'unreviewed'
    CHECK (review_status IN ('unreviewed', 'reviewed')),
  reviewed_by TEXT,
  reviewed_at TEXT,
  updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE face_detections (
  clip_id TEXT NOT NULL REFERENCES clips (id),
  frame INTEGER NOT NULL CHECK (frame >= 0),
  boxes_json TEXT NOT NULL CHECK (json_valid(boxes_json)),
  PRIMARY KEY (clip_id, frame)
) STRICT;

CREATE TABLE face_tracks (
  clip_id TEXT NOT NULL REFERENCES clips (id),
  track_id TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('detector', 'person')),
  removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
  boxes_json TEXT NOT NULL CHECK (json_valid(boxes_json)),
  updated_by TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (clip_id, track_id)
) STRICT;
`;

export const migration013: Migration = {
  version: 13,
  name: 'face_regions',
  up(db) {
    db.exec(sql);
  },
};

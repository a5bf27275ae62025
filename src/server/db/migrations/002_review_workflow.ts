import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * The review workflow: a request for changes carries its reason; an annotator resolves comments
 * one by one (a row per comment, so a retried resolve cannot resolve twice); a lead marks clips
 * for double annotation (a second assignment of the same clip, recorded as such).
 */
const sql = /* sql */ `
ALTER TABLE reviews ADD COLUMN reason text;
CREATE INDEX reviews_set ON reviews (set_id, revision);

CREATE TABLE comment_resolutions (
  set_id text NOT NULL REFERENCES annotation_sets (id),
  comment_id text NOT NULL,
  resolved_by text NOT NULL REFERENCES users (id),
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (set_id, comment_id)
);

CREATE TABLE double_annotation (
  clip_ref text NOT NULL CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  project_id text NOT NULL REFERENCES projects (id),
  first_assignment_id text NOT NULL REFERENCES assignments (id),
  second_assignment_id text NOT NULL REFERENCES assignments (id),
  marked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, clip_ref)
);
`;

export const migration002: ServerMigration = { version: 2, name: 'review_workflow', sql };

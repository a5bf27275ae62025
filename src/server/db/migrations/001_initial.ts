import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * - Clips are named by `clip_ref`, the sha256 of the video's bytes: the one identity every
 *   workstation computes for the same file wherever it was imported (local clip ids are per
 *   database). A batch manifest's per-clip checksums give the same value before hashing finishes.
 * - An assignment creates its (empty) annotation set, so a push only ever updates a row it can
 *   lock: two pushes of one set, through two server processes, serialize on `FOR UPDATE`.
 * - `set_versions` keeps every pushed document: a later push never overwrites an earlier one.
 * - `idempotency_keys` is per user, holding the request's hash and the answer given, written in
 *   the same transaction as the push (Stripe's design).
 * - `events.id` is the feed cursor; event writers take one advisory lock so ids commit in order
 *   and a reader never skips an event committed late with a lower id.
 */
const sql = /* sql */ `
CREATE TABLE users (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name <> ''),
  role text NOT NULL CHECK (role IN ('annotator', 'reviewer', 'lead')),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  token_sha256 text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE projects (
  id text PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name <> ''),
  lead_id text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE assignments (
  id text PRIMARY KEY,
  project_id text NOT NULL REFERENCES projects (id),
  clip_ref text NOT NULL CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  annotator_id text NOT NULL REFERENCES users (id),
  reviewer_id text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (clip_ref, annotator_id)
);
CREATE INDEX assignments_reviewer ON assignments (reviewer_id);
CREATE INDEX assignments_project ON assignments (project_id);

CREATE TABLE annotation_sets (
  id text PRIMARY KEY,
  assignment_id text NOT NULL UNIQUE REFERENCES assignments (id),
  status text NOT NULL DEFAULT 'in_progress'
    CHECK (status IN ('in_progress', 'submitted', 'in_review', 'accepted', 'changes_requested')),
  revision integer NOT NULL DEFAULT 0 CHECK (revision >= 0),
  labels jsonb,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX annotation_sets_status ON annotation_sets (status);

CREATE TABLE set_versions (
  set_id text NOT NULL REFERENCES annotation_sets (id),
  revision integer NOT NULL,
  labels jsonb NOT NULL,
  pushed_by text NOT NULL REFERENCES users (id),
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (set_id, revision)
);

CREATE TABLE reviews (
  id text PRIMARY KEY,
  set_id text NOT NULL REFERENCES annotation_sets (id),
  reviewer_id text NOT NULL REFERENCES users (id),
  verdict text NOT NULL CHECK (verdict IN ('accept', 'request_changes')),
  revision integer NOT NULL,
  comments jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE idempotency_keys (
  user_id text NOT NULL REFERENCES users (id),
  key text NOT NULL,
  request_sha256 text NOT NULL,
  status_code integer NOT NULL,
  response jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

CREATE TABLE consent_withdrawals (
  clip_ref text PRIMARY KEY CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  reason text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id),
  kind text NOT NULL,
  payload jsonb NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_user ON events (user_id, id);
`;

export const migration001: ServerMigration = { version: 1, name: 'initial', sql };

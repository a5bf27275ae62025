import type { Db } from './Db';

/**
 * The server schema's history, oldest first; `schema_migrations` records which have run. The same
 * SQL runs on PostgreSQL and PGlite. Never edit or reorder a migration that has shipped: add the
 * next number. Each runs in its own transaction under an advisory lock, so two server processes
 * starting together over one PostgreSQL do not both apply it.
 */
export type ServerMigration = {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
};

/*
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
const initial = /* sql */ `
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

/*
 * The review workflow: a request for changes carries its reason; an annotator resolves comments
 * one by one (a row per comment, so a retried resolve cannot resolve twice); a lead marks clips
 * for double annotation (a second assignment of the same clip, recorded as such).
 */
const reviewWorkflow = /* sql */ `
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

/*
 * The audit trail: every mutating action, chained by hash (src/server/audit.ts writes it).
 * - Append-only in the database too: a trigger refuses UPDATE, DELETE and TRUNCATE, so a bug or
 *   a careless admin cannot rewrite history; someone who bypasses it (a superuser disabling the
 *   trigger) is caught by `framewise-server audit verify`, which recomputes the chain.
 * - Entries hold ids, counts and checksums, never label content: a consent withdrawal deletes a
 *   clip's labels and leaves the entries that say they existed.
 * - `audit_head` (one row) holds the last entry's seq and hash, updated in the same transaction as
 *   each append. Without it, deleting the newest entries leaves a chain that is whole but short;
 *   with it, such a truncation shows as a head beyond the last entry. (Someone who can also
 *   rewrite the head defeats that check; the exported head a buyer keeps is the outside anchor.)
 *   Its trigger lets the head only move forward, to an entry that is in the log.
 */
const auditLog = /* sql */ `
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY CHECK (seq > 0),
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  project_id text,
  clip_ref text CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  set_id text,
  revision integer,
  details jsonb NOT NULL,
  prev_hash text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_project ON audit_log (project_id, seq);
CREATE INDEX audit_log_clip ON audit_log (clip_ref, seq);

CREATE TABLE audit_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq bigint NOT NULL CHECK (seq >= 0),
  hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);
INSERT INTO audit_head (seq, hash) VALUES (0, '${'0'.repeat(64)}');

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq <= OLD.seq
     OR NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
    RAISE EXCEPTION 'the audit head only moves forward, to an entry of the log (% to % refused)',
      OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
`;

/*
 * Consent the lead records on the server for a clip (a batch shipped without its record, or a
 * renewal after expiry); sync carries it to every workstation assigned the clip. One row per clip,
 * the latest record: the audit log keeps each one that was made.
 */
const consentRecords = /* sql */ `
CREATE TABLE consent_records (
  clip_ref text PRIMARY KEY CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  consent jsonb NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
`;

export const serverMigrations: readonly ServerMigration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'review_workflow', sql: reviewWorkflow },
  { version: 3, name: 'audit_log', sql: auditLog },
  { version: 4, name: 'consent_records', sql: consentRecords },
];

/** An arbitrary constant naming the migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 0x6677_0001;

/** Applies the migrations `db` has not run yet, in order; returns the versions applied. */
export async function migrateServerDb(
  db: Db,
  migrations: readonly ServerMigration[] = serverMigrations,
): Promise<number[]> {
  for (const [index, migration] of migrations.entries()) {
    if (migration.version !== index + 1) {
      throw new Error(
        `Server migration ${migration.name} is at ${index + 1}, says ${migration.version}`,
      );
    }
  }
  // Under the lock too: two processes racing on CREATE TABLE IF NOT EXISTS can still collide.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(/* sql */ `
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
  });
  const applied: number[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (done.length > 0) return false;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  const rows = await db.query<{ version: number }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  const latest = rows[0]?.version ?? 0;
  if (latest > migrations.length) {
    throw new Error(
      `This database was migrated by a newer framewise-server (schema ${latest}; this one knows ` +
        `${migrations.length}). Update the server.`,
    );
  }
  return applied;
}

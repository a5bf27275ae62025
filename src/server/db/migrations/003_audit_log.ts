import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
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
const sql = /* sql */ `
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

export const migration003: ServerMigration = { version: 3, name: 'audit_log', sql };

import { auditEntryHash, GENESIS_HASH } from '../../audit/auditChain';
import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Governance (issue #9):
 * - audit_log gains `prev_hash` and `hash`: each entry is chained to the one before it
 *   (`auditEntryHash`), so an edited or deleted entry is detectable (`framewise audit verify`).
 *   Existing rows are backfilled in id order; the no-update trigger is dropped for the backfill
 *   only and recreated as it was.
 * - `consent_withdrawals`: withdrawals recorded here (by the lead, or pulled from the server), so
 *   the clip list, the store's lock and export all see them. A row names a consent id (every clip
 *   under it, including clips imported later) or one clip. No foreign key: a withdrawal must
 *   outlive whatever it names.
 * - `purge_in_progress` and label_commands' triggers: the label log stays append-only, except for
 *   the labels of the clip a withdrawal is purging right now. The purge inserts the clip here,
 *   deletes, and removes the row in the same transaction, so outside a purge the table is empty
 *   and the triggers refuse as before.
 */
const sql = /* sql */ `
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

CREATE TABLE consent_withdrawals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  consent_id TEXT,
  clip_id TEXT,
  withdrawn_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('local', 'server')),
  CHECK (consent_id IS NOT NULL OR clip_id IS NOT NULL)
) STRICT;

CREATE INDEX consent_withdrawals_consent ON consent_withdrawals (consent_id)
  WHERE consent_id IS NOT NULL;
CREATE INDEX consent_withdrawals_clip ON consent_withdrawals (clip_id) WHERE clip_id IS NOT NULL;

CREATE TABLE purge_in_progress (
  clip_id TEXT PRIMARY KEY NOT NULL,
  started_at TEXT NOT NULL
) STRICT;

DROP TRIGGER label_commands_no_update;
DROP TRIGGER label_commands_no_delete;

CREATE TRIGGER label_commands_no_update BEFORE UPDATE ON label_commands
BEGIN
  SELECT RAISE(ABORT, 'label_commands is append-only');
END;

CREATE TRIGGER label_commands_no_delete BEFORE DELETE ON label_commands
WHEN NOT EXISTS (
  SELECT 1 FROM purge_in_progress p JOIN annotation_sets s ON s.clip_id = p.clip_id
  WHERE s.id = OLD.set_id
)
BEGIN
  SELECT RAISE(ABORT, 'label_commands is append-only');
END;
`;

/**
 * Frozen copy of the audit row as this migration read it: a migration never follows later changes
 * to the live one (`audit/auditEntry.ts`).
 */
type AuditRow = {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  details: string;
};

export const migration006: Migration = {
  version: 6,
  name: 'governance',
  up(db) {
    db.exec(sql);
    db.exec('DROP TRIGGER audit_log_no_update');
    const rows = db
      .prepare<[], AuditRow>(
        'SELECT id, at, actor, action, entity_type, entity_id, details FROM audit_log ORDER BY id',
      )
      .iterate();
    const update = db.prepare<[string, string, number]>(
      'UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?',
    );
    let prev = GENESIS_HASH;
    const chained: { id: number; prev: string; hash: string }[] = [];
    for (const row of rows) {
      const hash = auditEntryHash(prev, {
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        details: row.details,
      });
      chained.push({ id: row.id, prev, hash });
      prev = hash;
    }
    // Updated after the read: better-sqlite3 refuses writes while an iterator is open.
    for (const row of chained) update.run(row.prev, row.hash, row.id);
    db.exec(/* sql */ `
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
      END;`);
  },
};

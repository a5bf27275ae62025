import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * The server names a withdrawn clip by its content hash (`clipRef`, the sha256 every machine
 * computes for the same file), not by this workstation's clip id or the manifest's consent id,
 * and the event may arrive before the clip is imported here. `consent_withdrawals.clip_sha256`
 * records such a withdrawal so the clip is withdrawn (locked, never exported) whenever it is
 * imported. The CHECK grows to admit it, which SQLite can only do by rebuilding the table.
 */
const sql = /* sql */ `
CREATE TABLE consent_withdrawals_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  consent_id TEXT,
  clip_id TEXT,
  clip_sha256 TEXT
    CHECK (clip_sha256 IS NULL OR (length(clip_sha256) = 64 AND clip_sha256 NOT GLOB '*[^0-9a-f]*')),
  withdrawn_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('local', 'server')),
  reason TEXT,
  CHECK (consent_id IS NOT NULL OR clip_id IS NOT NULL OR clip_sha256 IS NOT NULL)
) STRICT;

INSERT INTO consent_withdrawals_new
  (id, consent_id, clip_id, withdrawn_at, recorded_at, actor, source)
SELECT id, consent_id, clip_id, withdrawn_at, recorded_at, actor, source FROM consent_withdrawals;

DROP TABLE consent_withdrawals;
ALTER TABLE consent_withdrawals_new RENAME TO consent_withdrawals;

CREATE INDEX consent_withdrawals_consent ON consent_withdrawals (consent_id)
  WHERE consent_id IS NOT NULL;
CREATE INDEX consent_withdrawals_clip ON consent_withdrawals (clip_id) WHERE clip_id IS NOT NULL;
CREATE INDEX consent_withdrawals_sha256 ON consent_withdrawals (clip_sha256)
  WHERE clip_sha256 IS NOT NULL;
`;

export const migration007: Migration = {
  version: 7,
  name: 'withdrawal_by_checksum',
  up(db) {
    db.exec(sql);
  },
};

import type { Migration } from './Migration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Consent may come from the server as well as from the batch manifest: a lead records a consent
 * for a clip there (a batch shipped without its record, or a renewal after expiry), and sync
 * brings it here. Keyed by the clip's content hash, like server withdrawals, because the record
 * may arrive before the clip is imported. The latest record the lead made is the one that counts;
 * a withdrawal still wins over any record.
 */
const sql = /* sql */ `
CREATE TABLE server_consents (
  clip_sha256 TEXT PRIMARY KEY
    CHECK (length(clip_sha256) = 64 AND clip_sha256 NOT GLOB '*[^0-9a-f]*'),
  consent_json TEXT NOT NULL CHECK (json_valid(consent_json)),
  recorded_at TEXT NOT NULL,
  recorded_by TEXT NOT NULL,
  received_at TEXT NOT NULL
) STRICT;
`;

export const migration010: Migration = {
  version: 10,
  name: 'server_consents',
  up(db) {
    db.exec(sql);
  },
};

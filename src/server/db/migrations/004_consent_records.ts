import type { ServerMigration } from './ServerMigration';

/*
 * Frozen once shipped: a later change is a new migration, never an edit here.
 *
 * Consent the lead records on the server for a clip (a batch shipped without its record, or a
 * renewal after expiry); sync carries it to every workstation assigned the clip. One row per clip,
 * the latest record: the audit log keeps each one that was made.
 */
const sql = /* sql */ `
CREATE TABLE consent_records (
  clip_ref text PRIMARY KEY CHECK (clip_ref ~ '^[0-9a-f]{64}$'),
  consent jsonb NOT NULL,
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
`;

export const migration004: ServerMigration = { version: 4, name: 'consent_records', sql };

import { createHash } from 'node:crypto';

/** The `prev_hash` of the first entry: there is nothing before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** An audit row as stored: `details` is the JSON text exactly as written, never re-serialised. */
export type ChainedFields = {
  id: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: string;
};

/**
 * sha256 (hex) over the previous entry's hash and this entry's stored fields, as a JSON array in a
 * fixed order: JSON's string escaping makes the serialisation unambiguous (no field can run into
 * the next), and hashing the stored `details` text means verifying never depends on how a later
 * version orders object keys. The id is in the hash so renumbering rows is caught too.
 *
 * Frozen: migration 006 backfilled existing rows with it and every workstation's chain depends on
 * it; a change needs a new chain version, not an edit here.
 */
export function auditEntryHash(prevHash: string, entry: ChainedFields): string {
  const canonical = JSON.stringify([
    prevHash,
    entry.id,
    entry.at,
    entry.actor,
    entry.action,
    entry.entityType,
    entry.entityId,
    entry.details,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

import { createHash } from 'node:crypto';
import { chainCanonical, GENESIS_HASH } from '../../../shared/domain/auditChain';

export { GENESIS_HASH };

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
 * sha256 (hex) over the previous entry's hash and this entry's stored fields in a fixed order
 * (`chainCanonical`, shared with the server's log). Hashing the stored `details` text means
 * verifying never depends on how a later version orders object keys. The id is in the hash so
 * renumbering rows is caught too.
 *
 * Frozen: migration 006 backfilled existing rows with it and every workstation's chain depends on
 * it; a change needs a new chain version, not an edit here.
 */
export function auditEntryHash(prevHash: string, entry: ChainedFields): string {
  const canonical = chainCanonical(prevHash, [
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

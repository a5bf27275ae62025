import type { AuditTrailEntry } from '../../../shared/api/governanceSchemas';
import type { ChainedFields } from './auditChain';

/**
 * What is recorded: who did what to which entity. `details` holds ids, counts, states and
 * checksums only, never text a person wrote (a reviewer's reason, a comment): the log is
 * append-only and outlives a consent withdrawal, so it must not keep what the purge deletes.
 */
export type AuditEntry = {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: Record<string, unknown>;
};

/** An entry as stored: its id, time and place in the hash chain. */
export type AuditRecord = AuditTrailEntry;

/** The audit_log row, as every reader of the table selects it (`AUDIT_COLUMNS`). */
export type AuditRow = {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  details: string;
  prev_hash: string | null;
  hash: string | null;
};

export const AUDIT_COLUMNS =
  'id, at, actor, action, entity_type, entity_id, details, prev_hash, hash';

function toDetails(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Audit details must be a JSON object, found ${json.slice(0, 40)}`);
  }
  return value as Record<string, unknown>;
}

export function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    details: toDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The fields the chain hashes, with `details` as the stored text (never re-serialised). */
export function chainedFieldsOf(row: AuditRow): ChainedFields {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    details: row.details,
  };
}

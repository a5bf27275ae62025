import type { Database } from 'better-sqlite3';
import type { AuditTrailEntry } from '../../../shared/api/governanceSchemas';
import { AUDIT_COLUMNS, toAuditRecord, type AuditRow } from './auditEntry';

export type { AuditTrailEntry };

/**
 * The entries about one batch, oldest first: the batch itself, its clips (also those purged since:
 * clip rows stay as tombstones), their annotation sets, and entries that name the batch or one of
 * its clips in their details (withdrawals, exports). Each keeps `prevHash` and `hash`, so a reader
 * holding the workstation's verified chain head can check every exported entry.
 */
export function auditTrailOfBatch(db: Database, batchId: string): AuditTrailEntry[] {
  const rows = db
    .prepare<{ batchId: string }, AuditRow>(
      /* sql */ `
      WITH clip_ids AS (SELECT id FROM clips WHERE batch_id = @batchId),
           set_ids AS (SELECT id FROM annotation_sets WHERE clip_id IN (SELECT id FROM clip_ids))
      SELECT ${AUDIT_COLUMNS}
      FROM audit_log
      WHERE entity_id = @batchId
         OR entity_id IN (SELECT id FROM clip_ids)
         OR entity_id IN (SELECT id FROM set_ids)
         OR json_extract(details, '$.batchId') = @batchId
         OR json_extract(details, '$.clipId') IN (SELECT id FROM clip_ids)
      ORDER BY id`,
    )
    .all({ batchId });
  return rows.map(toAuditRecord);
}

/** JSON Lines, one entry a line, as `framewise audit export` writes it. */
export function auditTrailJsonl(entries: readonly AuditTrailEntry[]): string {
  return entries.map((entry) => JSON.stringify(entry) + '\n').join('');
}

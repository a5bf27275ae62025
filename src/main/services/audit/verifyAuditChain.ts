import type { Database } from 'better-sqlite3';
import { auditEntryHash, GENESIS_HASH } from './auditChain';
import { AUDIT_COLUMNS, chainedFieldsOf, type AuditRow } from './auditEntry';

/** Why the chain broke at an entry. */
export type ChainProblem =
  /** The entry's stored fields no longer give its stored hash: it was edited. */
  | 'entry_altered'
  /** The entry does not point at the hash of the entry before it: one was deleted or replaced. */
  | 'link_broken'
  /** Ids jump: the entries between were deleted. */
  | 'entries_missing'
  /** AUTOINCREMENT handed out ids beyond the last entry: the newest entries were deleted. */
  | 'tail_missing'
  /** No hash at all: written around the store, after the chain began. */
  | 'unhashed';

export type ChainVerdict =
  | { ok: true; entries: number; lastHash: string }
  | {
      ok: false;
      entries: number;
      /** The first bad entry (for `tail_missing`, the first id that is gone). */
      firstBadId: number;
      problem: ChainProblem;
      message: string;
    };

/**
 * Walks the whole audit log in id order, recomputing every hash, and names the first entry where
 * the chain breaks. Reads inside one transaction, so an append meanwhile is not mistaken for a
 * break. Ids start at 1 and have no gaps: the store appends at AUTOINCREMENT's next id, and a
 * rolled-back append rolls the counter back too.
 */
export function verifyAuditChain(db: Database): ChainVerdict {
  return db.transaction((): ChainVerdict => {
    let prev = GENESIS_HASH;
    let expectedId = 1;
    let entries = 0;
    const rows = db
      .prepare<[], AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY id`)
      .iterate();
    for (const row of rows) {
      const fail = (problem: ChainProblem, id: number, message: string): ChainVerdict => {
        rows.return?.();
        return { ok: false, entries, firstBadId: id, problem, message };
      };
      if (row.id !== expectedId) {
        return fail(
          'entries_missing',
          expectedId,
          `Audit entries ${expectedId}–${row.id - 1} are missing: they were deleted.`,
        );
      }
      if (row.hash === null || row.prev_hash === null) {
        return fail('unhashed', row.id, `Audit entry ${row.id} (${row.action}) has no hash.`);
      }
      if (row.prev_hash !== prev) {
        return fail(
          'link_broken',
          row.id,
          `Audit entry ${row.id} (${row.action}) does not follow the entry before it: an entry ` +
            'was deleted or replaced.',
        );
      }
      const hash = auditEntryHash(prev, chainedFieldsOf(row));
      if (hash !== row.hash) {
        return fail(
          'entry_altered',
          row.id,
          `Audit entry ${row.id} (${row.action} on ${row.entity_type} ${row.entity_id}, ` +
            `${row.at}) was altered after it was written.`,
        );
      }
      prev = hash;
      expectedId += 1;
      entries += 1;
    }
    const sequence = db
      .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
      .pluck()
      .get();
    if (sequence !== undefined && sequence >= expectedId) {
      return {
        ok: false,
        entries,
        firstBadId: expectedId,
        problem: 'tail_missing',
        message: `Audit entries ${expectedId}–${sequence} were written and are gone: the newest entries were deleted.`,
      };
    }
    return { ok: true, entries, lastHash: prev };
  })();
}

import type { Database, Statement } from 'better-sqlite3';
import { auditEntryHash, GENESIS_HASH } from './auditChain';

/** What is recorded: who did what to which entity, with details as a JSON object. */
export type ChainedAuditEntry = {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  details: Record<string, unknown>;
};

type Statements = {
  last: Statement<[], { id: number; hash: string | null }>;
  sequence: Statement<[], number>;
  insert: Statement<
    [
      {
        id: number;
        at: string;
        actor: string;
        action: string;
        entityType: string;
        entityId: string;
        details: string;
        prevHash: string;
        hash: string;
      },
    ]
  >;
};

const prepared = new WeakMap<Database, Statements>();

function statementsFor(db: Database): Statements {
  let s = prepared.get(db);
  if (s === undefined) {
    s = {
      last: db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
      sequence: db
        .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")
        .pluck(),
      insert: db.prepare(/* sql */ `
        INSERT INTO audit_log
          (id, at, actor, action, entity_type, entity_id, details, prev_hash, hash)
        VALUES
          (@id, @at, @actor, @action, @entityType, @entityId, @details, @prevHash, @hash)`),
    };
    prepared.set(db, s);
  }
  return s;
}

/**
 * Appends one entry chained to the last (`auditEntryHash`): the one way every connection writes
 * the audit log. The caller must hold a write transaction (BEGIN IMMEDIATE), so the last entry
 * read here is still the last one at the insert.
 */
export function appendChainedAudit(db: Database, entry: ChainedAuditEntry, at: string): void {
  if (!db.inTransaction) {
    throw new Error('appendChainedAudit needs a write transaction: the chain head could move');
  }
  const s = statementsFor(db);
  const last = s.last.get();
  // AUTOINCREMENT's counter, not only max(id): an id is never reused, even after a deleted tail.
  const id = Math.max(s.sequence.get() ?? 0, last?.id ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const fields = {
    id,
    at,
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    details: JSON.stringify(entry.details),
  };
  s.insert.run({ ...fields, prevHash, hash: auditEntryHash(prevHash, fields) });
}

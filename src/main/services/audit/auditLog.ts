import type { Database, Statement } from 'better-sqlite3';
import { now, type Db, type ReadTx, type Tx } from '../db/db';
import { StoreError } from '../store/storeError';
import { auditEntryHash, GENESIS_HASH, type ChainedFields } from './auditChain';
import {
  AUDIT_COLUMNS,
  toAuditRecord,
  type AuditEntry,
  type AuditRecord,
  type AuditRow,
} from './auditEntry';

type Statements = {
  last: Statement<[], { id: number; hash: string | null }>;
  sequence: Statement<[], number>;
  insert: Statement<[ChainedFields & { prevHash: string; hash: string }]>;
  all: Statement<[number], AuditRow>;
  byEntity: Statement<[string, number], AuditRow>;
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
      all: db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY id DESC LIMIT ?`),
      byEntity: db.prepare(
        `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT ?`,
      ),
    };
    prepared.set(db, s);
  }
  return s;
}

/**
 * The audit module: owns `audit_log`. Every other module records what it did with
 * `audit.append(tx, entry)` inside its own unit of work, so the entry commits with the change.
 */
export class AuditLog {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Appends one entry chained to the last (`auditEntryHash`). The transaction holds the write lock
   * (BEGIN IMMEDIATE), so the last entry read here is still the last one at the insert.
   */
  append(tx: Tx, entry: AuditEntry, at: string = now()): void {
    appendEntry(tx.connection, entry, at);
  }

  /** An entry that is the whole change (nothing else to commit with it). */
  record(entry: AuditEntry): void {
    this.#db.write((tx) => {
      this.append(tx, entry);
    });
  }

  /** Newest first. */
  list(filter: { entityId?: string; limit?: number } = {}, tx?: ReadTx): AuditRecord[] {
    const { entityId, limit } = filter;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new StoreError('INVALID_INPUT', `An audit limit must be a whole number, not ${limit}.`);
    }
    const s = statementsFor((tx ?? this.#db).connection);
    // LIMIT -1 is SQLite for "no limit".
    const rows =
      entityId === undefined ? s.all.all(limit ?? -1) : s.byEntity.all(entityId, limit ?? -1);
    return rows.map(toAuditRecord);
  }
}

function appendEntry(db: Database, entry: AuditEntry, at: string): void {
  if (!db.inTransaction) {
    throw new Error('An audit append needs a write transaction: the chain head could move');
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

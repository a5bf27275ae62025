import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/api/syncProtocol';
import {
  chainCanonical,
  ChainWalker,
  GENESIS_HASH,
  type ChainValue,
  type ChainVerdict,
} from '../shared/domain/auditChain';
import type { Db, Queryable } from './db/Db';

/**
 * The server's audit trail (migration 3): one entry per mutating action, written in the action's
 * own transaction, each chained to the one before by `chainCanonical` (the same scheme as the
 * workstation's log).
 */

/** What an action records: who, what, and which project, clip, set and revision it touched. */
export type AuditEntry = {
  actor: string;
  action: string;
  projectId?: string | null;
  clipRef?: string | null;
  setId?: string | null;
  revision?: number | null;
  /** Ids, counts and checksums only: never label content, which a withdrawal must be able to delete. */
  details?: Record<string, unknown>;
};

/** An entry as stored and exported: with its hashes, so a reader can recompute each one. */
export type StoredAuditEntry = {
  seq: number;
  at: string;
  actor: string;
  action: string;
  projectId: string | null;
  clipRef: string | null;
  setId: string | null;
  revision: number | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** The actor of actions taken at the server's shell rather than through the API. */
export const ADMIN_ACTOR = 'admin:cli';

/** An arbitrary constant naming the audit lock among PostgreSQL advisory locks. */
const AUDIT_LOCK = 0x6677_0003;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The hashed fields in their frozen order. `details` is hashed as canonical JSON (sorted keys):
 * jsonb does not keep the text it was given, so the hash is over a form that survives the round
 * trip. `at` as ISO 8601 with milliseconds, as written.
 */
function chainFields(entry: Omit<StoredAuditEntry, 'prevHash' | 'hash'>): ChainValue[] {
  return [
    entry.seq,
    entry.at,
    entry.actor,
    entry.action,
    entry.projectId,
    entry.clipRef,
    entry.setId,
    entry.revision,
    canonicalJson(entry.details),
  ];
}

/** The hash an exported entry must carry: a buyer recomputes it from the entry alone. */
export function auditEntryHash(entry: Omit<StoredAuditEntry, 'hash'>): string {
  return sha256Hex(chainCanonical(entry.prevHash, chainFields(entry)));
}

/**
 * Appends entries inside the caller's transaction. Writers take one advisory lock (then the head
 * row), so the chain stays linear however many requests and server processes write at once; the
 * lock is held to COMMIT, so callers append last, after any other lock they take (events first),
 * which keeps the lock order the same everywhere.
 */
export async function appendAudit(tx: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const heads = await tx.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM audit_head FOR UPDATE',
  );
  const head = heads[0];
  if (head === undefined) throw new Error('audit_head has no row: the audit log is damaged');
  let seq = Number(head.seq);
  let prevHash = head.hash;
  for (const entry of entries) {
    seq += 1;
    const stored = {
      seq,
      at: new Date().toISOString(),
      actor: entry.actor,
      action: entry.action,
      projectId: entry.projectId ?? null,
      clipRef: entry.clipRef ?? null,
      setId: entry.setId ?? null,
      revision: entry.revision ?? null,
      details: entry.details ?? {},
      prevHash,
    };
    const hash = auditEntryHash(stored);
    await tx.query(
      `INSERT INTO audit_log (seq, at, actor, action, project_id, clip_ref, set_id, revision,
         details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)`,
      [
        seq,
        stored.at,
        stored.actor,
        stored.action,
        stored.projectId,
        stored.clipRef,
        stored.setId,
        stored.revision,
        canonicalJson(stored.details),
        prevHash,
        hash,
      ],
    );
    prevHash = hash;
  }
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2', [seq, prevHash]);
}

type Row = {
  seq: string | number;
  at: string | Date;
  actor: string;
  action: string;
  project_id: string | null;
  clip_ref: string | null;
  set_id: string | null;
  revision: number | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

const COLUMNS =
  'seq, at, actor, action, project_id, clip_ref, set_id, revision, details, prev_hash, hash';

function fromRow(row: Row): StoredAuditEntry {
  return {
    seq: Number(row.seq),
    at: new Date(row.at).toISOString(),
    actor: row.actor,
    action: row.action,
    projectId: row.project_id,
    clipRef: row.clip_ref,
    setId: row.set_id,
    revision: row.revision,
    details: row.details,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

const PAGE = 5000;

/**
 * Walks the whole log in seq order, recomputing every hash, and checks the last entry against the
 * recorded head. One repeatable-read snapshot, so appends meanwhile are neither seen nor mistaken
 * for a break; read a page at a time, so a long log need not fit in memory.
 */
export async function verifyAudit(db: Db): Promise<ChainVerdict> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const walker = new ChainWalker(sha256Hex);
    let after = 0;
    for (;;) {
      const rows = await tx.query<Row>(
        `SELECT ${COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT ${PAGE}`,
        [after],
      );
      let going = true;
      for (const row of rows) {
        const entry = fromRow(row);
        going = walker.next({
          seq: entry.seq,
          prevHash: entry.prevHash,
          hash: entry.hash,
          label: `${entry.action} by ${entry.actor} at ${entry.at}`,
          fields: chainFields(entry),
        });
        if (!going) break;
        after = entry.seq;
      }
      if (!going || rows.length < PAGE) break;
    }
    const heads = await tx.query<{ seq: string | number; hash: string }>(
      'SELECT seq, hash FROM audit_head',
    );
    const head = heads[0];
    // A deleted head row is itself tampering: treat it as a head at the genesis, which any
    // non-empty log contradicts.
    return walker.finish(
      head === undefined
        ? { seq: 0, hash: GENESIS_HASH }
        : { seq: Number(head.seq), hash: head.hash },
    );
  });
}

/** The chain's head now: what a buyer keeps beside an export to check it later. */
export async function auditHead(db: Queryable): Promise<{ seq: number; hash: string }> {
  const rows = await db.query<{ seq: string | number; hash: string }>(
    'SELECT seq, hash FROM audit_head',
  );
  const head = rows[0];
  return head === undefined
    ? { seq: 0, hash: GENESIS_HASH }
    : { seq: Number(head.seq), hash: head.hash };
}

/**
 * A project's entries (optionally one clip's) after seq `after`, oldest first. Each carries
 * `prevHash` and `hash`, so every exported entry can be recomputed on its own; linking it to its
 * neighbours needs the entries of other projects between, which `audit verify` on the server
 * checks.
 */
export async function auditTrail(
  db: Queryable,
  filter: { projectId: string; clipRef?: string; after?: number; limit?: number },
): Promise<StoredAuditEntry[]> {
  const params: unknown[] = [filter.projectId, filter.after ?? 0];
  // Entries about a clip but no one project (a consent withdrawal) belong to every project the
  // clip is assigned in, or was until its withdrawal deleted the assignments.
  let where = `seq > $2 AND (project_id = $1 OR (project_id IS NULL AND clip_ref IN
    (SELECT clip_ref FROM assignments WHERE project_id = $1
     UNION SELECT clip_ref FROM withdrawn_sets WHERE project_id = $1)))`;
  if (filter.clipRef !== undefined) {
    params.push(filter.clipRef);
    where += ` AND clip_ref = $${params.length}`;
  }
  params.push(filter.limit ?? PAGE);
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM audit_log WHERE ${where} ORDER BY seq LIMIT $${params.length}`,
    params,
  );
  return rows.map(fromRow);
}

/** sha256 of a labels document, as entries name it: the content stays out of the log. */
export function labelsChecksum(labels: unknown): string {
  return sha256Hex(canonicalJson(labels));
}

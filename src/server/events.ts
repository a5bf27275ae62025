import { SyncEvent } from '../shared/api/syncProtocol';
import type { Queryable } from './db/Db';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NewEvent = DistributiveOmit<SyncEvent, 'id'>;

/** An arbitrary constant naming the events lock among PostgreSQL advisory locks. */
const EVENTS_LOCK = 0x6677_0002;

/**
 * Appends events for users, inside the caller's transaction. Writers take one advisory lock, so
 * event ids commit in id order: a reader at cursor N can never later find an id below N appear.
 * Events are rare (reviews, assignments, consent), so serializing their writers costs little.
 */
export async function appendEvents(
  tx: Queryable,
  events: readonly { userId: string; event: NewEvent }[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [EVENTS_LOCK]);
  for (const { userId, event } of events) {
    const { kind, ...payload } = event;
    await tx.query('INSERT INTO events (user_id, kind, payload) VALUES ($1, $2, $3::jsonb)', [
      userId,
      kind,
      JSON.stringify(payload),
    ]);
  }
}

export async function eventsSince(
  db: Queryable,
  userId: string,
  cursor: number,
  limit: number,
): Promise<{ events: SyncEvent[]; cursor: number }> {
  const rows = await db.query<{ id: number; kind: string; payload: Record<string, unknown> }>(
    'SELECT id, kind, payload FROM events WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3',
    [userId, cursor, limit],
  );
  // Parsed on the way out too: a row written by an older server must still match the contract.
  const events = rows.map((row) => SyncEvent.parse({ ...row.payload, id: row.id, kind: row.kind }));
  return { events, cursor: rows.at(-1)?.id ?? cursor };
}

/**
 * Deletes the events about a withdrawn clip that carry what people wrote (reviews, with their
 * comments and reason), inside the withdrawal's transaction. Notices of ids and dates (assigned,
 * unassigned, consent recorded and withdrawn) stay, so a workstation that was away still reads
 * the clip's story in order and ends at the withdrawal. A reader's cursor is an id, so the gaps
 * skip nothing.
 */
export async function purgeClipEvents(tx: Queryable, clipRef: string): Promise<void> {
  await tx.query(`DELETE FROM events WHERE payload ->> 'clipRef' = $1 AND kind = 'review'`, [
    clipRef,
  ]);
}

import { randomUUID } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import type { Tx } from '../db/db';
import type { SubmitPayload } from './syncQueue';

/** Finished work to deliver to the server, queued by the module that finished it. */
export type OutboxEntry = { kind: 'submit_set'; setId: string; payload: SubmitPayload; at: string };

/**
 * The one way another module puts work in `sync_outbox` (sync's table): inside the caller's
 * transaction, so a submitted set always has its delivery queued and a refused submit queues
 * nothing (issue #5). The row's id is the delivery's Idempotency-Key.
 */
export class SyncOutbox {
  readonly #insert: Statement<[string, string, string, string, string]>;

  constructor(db: Database) {
    this.#insert = db.prepare(/* sql */ `
      INSERT INTO sync_outbox (id, kind, set_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?)`);
  }

  enqueue(_tx: Tx, entry: OutboxEntry): string {
    const id = randomUUID();
    this.#insert.run(id, entry.kind, entry.setId, JSON.stringify(entry.payload), entry.at);
    return id;
  }
}

import { randomUUID } from 'node:crypto';
import type { Tx } from '../db/db';
import type { SubmitPayload } from './syncQueue';
import type { SyncRepository } from './syncRepository';

/** Finished work to deliver to the server, queued by the module that finished it. */
export type OutboxEntry = { kind: 'submit_set'; setId: string; payload: SubmitPayload; at: string };

/**
 * The one way another module puts work in `sync_outbox` (sync's table): inside the caller's
 * transaction, so a submitted set always has its delivery queued and a refused submit queues
 * nothing (issue #5). The row's id is the delivery's Idempotency-Key.
 */
export class SyncOutbox {
  readonly #repo: SyncRepository;

  constructor(repository: SyncRepository) {
    this.#repo = repository;
  }

  enqueue(tx: Tx, entry: OutboxEntry): string {
    const id = randomUUID();
    this.#repo.queueDelivery(tx, {
      id,
      kind: entry.kind,
      setId: entry.setId,
      payloadJson: JSON.stringify(entry.payload),
      at: entry.at,
    });
    return id;
  }
}

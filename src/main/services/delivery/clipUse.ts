import type { Db } from '../db/db';
import type { ClipUse } from './deliveryService';

/**
 * Which delivered clips the quota must keep, read in one snapshot of the database. Delivery has
 * no tables; it reads labels', sync's and review's read-only, because "someone still needs this
 * file" spans them all:
 * - open: the clip a window shows or reopens at (each account's saved workspace);
 * - unsent work: a set started or sent back here (a draft the annotator is still on), a submit
 *   waiting in sync's outbox, or a verdict or resolution waiting in review's.
 */
export function clipUseReader(db: Db): () => (clipRef: string) => ClipUse {
  return () => {
    const { open, unsent } = db.read((tx) => {
      const refs = (sql: string): Set<string> =>
        new Set(
          (tx.connection.prepare(sql).all() as { ref: string | null }[])
            .map((row) => row.ref)
            .filter((ref): ref is string => ref !== null),
        );
      return {
        open: refs(/* sql */ `
          SELECT c.sha256 AS ref FROM workspaces w
          JOIN clips c ON c.id = json_extract(w.state_json, '$.clipId')`),
        unsent: refs(/* sql */ `
          SELECT c.sha256 AS ref FROM annotation_sets s JOIN clips c ON c.id = s.clip_id
            WHERE s.status IN ('in_progress', 'changes_requested')
          UNION
          SELECT c.sha256 FROM sync_outbox o
            JOIN annotation_sets s ON s.id = o.set_id JOIN clips c ON c.id = s.clip_id
          UNION
          SELECT r.clip_ref FROM review_outbox o JOIN review_sets r USING (server_set_id)`),
      };
    });
    return (clipRef) => ({ open: open.has(clipRef), unsentWork: unsent.has(clipRef) });
  };
}

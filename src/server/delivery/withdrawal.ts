import { appendAudit } from '../audit';
import type { BlobStore } from '../blobs/blobStore';
import type { Db, Queryable } from '../db/Db';
import { purgeClipUploads } from './uploads';

/**
 * Inside a consent withdrawal's transaction: the clip's file record and uploads go, and its blobs
 * (the original, and the delivered copy unless another clip's copy has the same bytes) are queued
 * for deletion from the store once the withdrawal commits. Returns how many blobs were queued.
 */
export async function purgeClipFiles(tx: Queryable, clipRef: string): Promise<number> {
  await purgeClipUploads(tx, clipRef);
  const rows = await tx.query<{ delivered_sha256: string }>(
    'DELETE FROM clip_files WHERE clip_ref = $1 RETURNING delivered_sha256',
    [clipRef],
  );
  const row = rows[0];
  if (row === undefined) return 0;
  const shared = await tx.query(
    'SELECT 1 FROM clip_files WHERE delivered_sha256 = $1 OR clip_ref = $1',
    [row.delivered_sha256],
  );
  const blobs: [string, 'original' | 'delivered'][] = [[clipRef, 'original']];
  if (shared.length === 0) blobs.push([row.delivered_sha256, 'delivered']);
  for (const [sha, kind] of blobs) {
    await tx.query(
      `INSERT INTO blob_deletions (blob_sha256, clip_ref, kind) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [sha, clipRef, kind],
    );
  }
  return blobs.length;
}

/**
 * Deletes the queued blobs from the store, each followed by its audit entry ("clip.blob_delete")
 * in the transaction that forgets it. A failure leaves the rest queued for the next drain.
 */
export async function drainBlobDeletions(db: Db, blobs: BlobStore, actor: string): Promise<number> {
  const queued = await db.query<{ blob_sha256: string; clip_ref: string; kind: string }>(
    'SELECT blob_sha256, clip_ref, kind FROM blob_deletions ORDER BY queued_at, blob_sha256',
  );
  let deleted = 0;
  for (const item of queued) {
    // A blob still referenced (a clip re-ingested with the same delivered bytes) stays.
    const inUse = await db.query(
      'SELECT 1 FROM clip_files WHERE clip_ref = $1 OR delivered_sha256 = $1',
      [item.blob_sha256],
    );
    if (inUse.length === 0) await blobs.delete(item.blob_sha256);
    await db.transaction(async (tx) => {
      const gone = await tx.query(
        'DELETE FROM blob_deletions WHERE blob_sha256 = $1 RETURNING blob_sha256',
        [item.blob_sha256],
      );
      if (gone.length === 0) return;
      await appendAudit(tx, [
        {
          actor,
          action: 'clip.blob_delete',
          clipRef: item.clip_ref,
          details: {
            kind: item.kind,
            sha256: item.blob_sha256,
            store: blobs.kind,
            kept: inUse.length > 0,
          },
        },
      ]);
    });
    deleted += 1;
  }
  return deleted;
}

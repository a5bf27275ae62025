import type { AuthUser } from '../auth';
import type { Queryable } from '../db/Db';
import { ServerError } from '../serverError';

/** A clip the caller may download, as `GET /v1/deliveries` lists it. */
export type Delivery = {
  clipRef: string;
  /** Why the caller has it: the work they do on it. */
  as: 'annotator' | 'reviewer' | 'lead';
  /** The copy annotators get: location, device and dates neutralised; its own sha256. */
  sha256: string;
  sizeBytes: number;
  container: string;
  frameCount: number;
  frameTableSha256: string;
};

type Row = {
  clip_ref: string;
  as: Delivery['as'];
  delivered_sha256: string;
  delivered_size: string | number;
  container: string;
  frame_count: number;
  frame_table_sha256: string;
};

const toDelivery = (row: Row): Delivery => ({
  clipRef: row.clip_ref,
  as: row.as,
  sha256: row.delivered_sha256,
  sizeBytes: Number(row.delivered_size),
  container: row.container,
  frameCount: row.frame_count,
  frameTableSha256: row.frame_table_sha256,
});

/**
 * The clips held here that `user` works on: assigned to annotate, to review, or in a project
 * they lead (by assignment, or ingested into it). An admin sees no data (as on every route).
 * The strongest reason names the row, so a lead who also annotates gets the copy once.
 */
const DELIVERABLE = /* sql */ `
  SELECT DISTINCT ON (c.clip_ref) c.clip_ref, w.as, c.delivered_sha256, c.delivered_size,
    c.container, c.frame_count, c.frame_table_sha256
  FROM clip_files c
  JOIN (
    SELECT clip_ref, 'annotator' AS as, 1 AS rank FROM assignments WHERE annotator_id = $1
    UNION ALL SELECT clip_ref, 'reviewer', 2 FROM assignments WHERE reviewer_id = $1
    UNION ALL SELECT a.clip_ref, 'lead', 3 FROM assignments a JOIN projects p
      ON p.id = a.project_id WHERE p.lead_id = $1
    UNION ALL SELECT f.clip_ref, 'lead', 3 FROM clip_files f JOIN projects p
      ON p.id = f.project_id WHERE p.lead_id = $1
  ) w ON w.clip_ref = c.clip_ref
  WHERE NOT EXISTS (SELECT 1 FROM consent_withdrawals x WHERE x.clip_ref = c.clip_ref)`;

export async function listDeliveries(db: Queryable, user: AuthUser): Promise<Delivery[]> {
  const rows = await db.query<Row>(`${DELIVERABLE} ORDER BY c.clip_ref, w.rank`, [user.id]);
  return rows.map(toDelivery);
}

/**
 * What `user` may download of one clip: the delivered copy when they work on it, the original
 * only when they lead it. Anyone else, and a clip the server does not hold, get one answer (404):
 * a caller learns nothing about clips that are not theirs.
 */
export async function deliveryFor(
  db: Queryable,
  user: AuthUser,
  clipRef: string,
  variant: 'delivered' | 'original',
): Promise<{ blob: string; sizeBytes: number; container: string }> {
  const rows = await db.query<Row & { original_size: string | number }>(
    `${DELIVERABLE} AND c.clip_ref = $2 ORDER BY c.clip_ref, w.rank DESC`,
    [user.id, clipRef],
  );
  const row = rows[0];
  if (row === undefined) {
    throw new ServerError(
      'CLIP_NOT_DELIVERABLE',
      'This clip is not on the server, or not assigned to you for annotation or review.',
    );
  }
  if (variant === 'delivered') {
    return {
      blob: row.delivered_sha256,
      sizeBytes: Number(row.delivered_size),
      container: row.container,
    };
  }
  if (row.as !== 'lead') {
    throw new ServerError(
      'FORBIDDEN',
      "The original, with the contributor's location and device, is for the project's lead only.",
    );
  }
  const original = await db.query<{ original_size: string | number }>(
    'SELECT original_size FROM clip_files WHERE clip_ref = $1',
    [clipRef],
  );
  return {
    blob: clipRef,
    sizeBytes: Number(original[0]?.original_size ?? 0),
    container: row.container,
  };
}

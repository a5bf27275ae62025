import type { ClipDeliveryOffer } from '../../shared/api/syncProtocol';
import type { AuthUser } from '../auth';
import type { Queryable } from '../db/Db';
import { ServerError } from '../serverError';

/** A clip the caller may download, as `GET /v1/deliveries` lists it. */
export type Delivery = ClipDeliveryOffer;

type Row = {
  clip_ref: string;
  as: Delivery['as'];
  delivered_sha256: string;
  delivered_size: string | number;
  original_size: string | number;
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
 * Which clips a caller works on, by role, with the same rules as the sets they may see
 * (`sets.ts#visibleTo`) and review (`reviewSet`): an annotator the clips assigned to them; a
 * reviewer the clips whose set waits in their review queue (handed in, not yet judged), so the
 * footage reaches a reviewer when there is something to review and no earlier; a lead every clip
 * of the projects they lead, assigned or only ingested (they compare annotators and assign).
 * An admin runs commands and gets no footage, as on every route.
 */
function workedOn(user: AuthUser): string | null {
  switch (user.role) {
    case 'annotator':
      return /* sql */ `SELECT clip_ref FROM assignments WHERE annotator_id = $1`;
    case 'reviewer':
      return /* sql */ `SELECT a.clip_ref FROM assignments a
        JOIN annotation_sets s ON s.assignment_id = a.id
        WHERE a.reviewer_id = $1 AND s.status IN ('submitted', 'in_review')`;
    case 'lead':
      return /* sql */ `SELECT a.clip_ref FROM assignments a
          JOIN projects p ON p.id = a.project_id WHERE p.lead_id = $1
        UNION SELECT f.clip_ref FROM clip_files f
          JOIN projects p ON p.id = f.project_id WHERE p.lead_id = $1`;
    case 'admin':
      return null;
  }
}

/** `as` in the listing: the role the caller works on the clip in. */
const asOf = (user: AuthUser): Delivery['as'] | null => (user.role === 'admin' ? null : user.role);

async function deliverable(db: Queryable, user: AuthUser, clipRef: string | null): Promise<Row[]> {
  const source = workedOn(user);
  const as = asOf(user);
  if (source === null || as === null) return [];
  return db.query<Row>(
    `SELECT c.clip_ref, $2::text AS as, c.delivered_sha256, c.delivered_size, c.original_size,
       c.container, c.frame_count, c.frame_table_sha256
     FROM clip_files c
     WHERE c.clip_ref IN (${source})
       AND ($3::text IS NULL OR c.clip_ref = $3)
       AND NOT EXISTS (SELECT 1 FROM consent_withdrawals x WHERE x.clip_ref = c.clip_ref)
     ORDER BY c.clip_ref`,
    [user.id, as, clipRef],
  );
}

export async function listDeliveries(db: Queryable, user: AuthUser): Promise<Delivery[]> {
  return (await deliverable(db, user, null)).map(toDelivery);
}

/**
 * What `user` may download of one clip: the delivered copy when they work on it, the original
 * only when they lead its project. Anyone else, and a clip the server does not hold, get one
 * answer (404): a caller learns nothing about clips that are not theirs.
 */
export async function deliveryFor(
  db: Queryable,
  user: AuthUser,
  clipRef: string,
  variant: 'delivered' | 'original',
): Promise<{ blob: string; sizeBytes: number; container: string }> {
  const row = (await deliverable(db, user, clipRef))[0];
  if (row === undefined) {
    throw new ServerError(
      'CLIP_NOT_DELIVERABLE',
      'This clip is not on the server, or not yours to annotate, review or lead.',
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
  return { blob: row.clip_ref, sizeBytes: Number(row.original_size), container: row.container };
}

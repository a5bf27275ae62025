import type { AuthUser } from './auth';
import type { Queryable } from './db/Db';
import { ServerError } from './serverError';

/**
 * The tombstones of a withdrawn clip's sets (migration 5): ids only, the one trace a withdrawal
 * leaves outside the audit log and `consent_withdrawals`. They let the server tell the people who
 * worked on a set that its consent was withdrawn, rather than that it never existed, when an
 * offline workstation delivers a verdict, a resolve or labels late.
 */

/** An arbitrary constant naming the per-clip lock among PostgreSQL advisory locks. */
const CLIP_LOCK = 0x6677_0004;

/**
 * Serializes a withdrawal with anything that adds rows about the same clip (an assignment, a
 * double mark): without it, an assignment committed by another server process while the
 * withdrawal runs would escape its purge. Taken first, before the events and audit locks.
 */
export async function lockClip(tx: Queryable, clipRef: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CLIP_LOCK, clipRef]);
}

/** Whether the clip's consent was withdrawn; call under `lockClip` before adding rows about it. */
export async function isWithdrawn(tx: Queryable, clipRef: string): Promise<boolean> {
  const rows = await tx.query('SELECT 1 FROM consent_withdrawals WHERE clip_ref = $1', [clipRef]);
  return rows.length > 0;
}

/** Records a tombstone for each of the clip's sets, before its rows are deleted. */
export async function recordWithdrawnSets(tx: Queryable, clipRef: string): Promise<string[]> {
  const rows = await tx.query<{ set_id: string }>(
    `INSERT INTO withdrawn_sets (set_id, clip_ref, project_id, assignment_id, annotator_id,
       reviewer_id)
     SELECT s.id, a.clip_ref, a.project_id, a.id, a.annotator_id, a.reviewer_id
     FROM annotation_sets s JOIN assignments a ON a.id = s.assignment_id
     WHERE a.clip_ref = $1
     ON CONFLICT DO NOTHING RETURNING set_id`,
    [clipRef],
  );
  return rows.map((row) => row.set_id);
}

/** Everyone who worked on the clip's withdrawn sets, and their projects' leads. */
export async function usersOfWithdrawnClip(tx: Queryable, clipRef: string): Promise<string[]> {
  const rows = await tx.query<{ user_id: string }>(
    `SELECT annotator_id AS user_id FROM withdrawn_sets WHERE clip_ref = $1
     UNION SELECT reviewer_id FROM withdrawn_sets WHERE clip_ref = $1 AND reviewer_id IS NOT NULL
     UNION SELECT p.lead_id FROM withdrawn_sets t JOIN projects p ON p.id = t.project_id
       WHERE t.clip_ref = $1`,
    [clipRef],
  );
  return rows.map((row) => row.user_id);
}

export function consentWithdrawn(what: string): ServerError {
  return new ServerError(
    'CONSENT_WITHDRAWN',
    `The contributor withdrew consent for this clip: ${what} Its labels, reviews and comments ` +
      'are deleted here and will be deleted on your workstation at its next sync.',
  );
}

/**
 * Throws CONSENT_WITHDRAWN when `setId` was a set of a withdrawn clip that `user` worked on (its
 * annotator or reviewer, or its project's lead); anyone else learns nothing.
 */
export async function refuseIfWithdrawnSet(
  tx: Queryable,
  user: AuthUser,
  setId: string,
  what: string,
): Promise<void> {
  const rows = await tx.query(
    `SELECT 1 FROM withdrawn_sets t JOIN projects p ON p.id = t.project_id
     WHERE t.set_id = $1 AND $2 IN (t.annotator_id, t.reviewer_id, p.lead_id)`,
    [setId, user.id],
  );
  if (rows.length > 0) throw consentWithdrawn(what);
}

/** The same for a clip `user` was assigned to annotate. */
export async function refuseIfWithdrawnClip(
  tx: Queryable,
  user: AuthUser,
  clipRef: string,
  what: string,
): Promise<void> {
  const rows = await tx.query(
    'SELECT 1 FROM withdrawn_sets WHERE clip_ref = $1 AND annotator_id = $2',
    [clipRef, user.id],
  );
  if (rows.length > 0) throw consentWithdrawn(what);
}

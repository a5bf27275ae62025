import { createHash, randomUUID } from 'node:crypto';
import { ClipRef } from '../shared/api/syncProtocol';
import { ADMIN_ACTOR, appendAudit } from './audit';
import type { Db, Queryable } from './db/Db';
import { sendConsentRecord } from './consentRecords';
import { appendEvents } from './events';
import { ServerError } from './serverError';
import { isWithdrawn } from './withdrawnSets';

export type DoubleMarked = { clipRef: string; first: string; second: string; setId: string };

/** The share of clips to double, checked without the database (the CLI refuses early). */
export function checkDoubleShare(share: number): void {
  if (!(share > 0 && share <= 1)) {
    throw new ServerError(
      'INVALID_INPUT',
      'The share is a fraction above 0 and at most 1 (0.1 = 10 %).',
    );
  }
}

/**
 * A lead marks a share of a project's clips for double annotation: each chosen clip gets a second
 * assignment to another annotator (the same reviewer), so agreement can be computed once both
 * are in. Clips already double count toward the share, so running it again tops up rather than
 * doubling more. The choice is by hash of the clip reference: stable across runs and unrelated to
 * import order or who labelled what. The second annotator is the candidate with the fewest
 * assignments in the project, spreading the extra work.
 */
export async function markDoubleAnnotation(
  db: Db,
  input: { projectId: string; share: number; annotators?: readonly string[]; actor?: string },
): Promise<{ clips: number; target: number; marked: DoubleMarked[] }> {
  checkDoubleShare(input.share);
  return db.transaction(async (tx) => {
    const project = await tx.query('SELECT 1 FROM projects WHERE id = $1', [input.projectId]);
    if (project.length === 0) throw new ServerError('NOT_FOUND', `No project ${input.projectId}.`);
    const clips = await tx.query<{
      clip_ref: string;
      assignment_id: string;
      annotator_id: string;
      reviewer_id: string | null;
      n: number;
      doubled: boolean;
    }>(
      `SELECT a.clip_ref, min(a.id) AS assignment_id, min(a.annotator_id) AS annotator_id,
         min(a.reviewer_id) AS reviewer_id, count(*)::int AS n,
         EXISTS (SELECT 1 FROM double_annotation d
           WHERE d.project_id = a.project_id AND d.clip_ref = a.clip_ref) AS doubled
       FROM assignments a WHERE a.project_id = $1 GROUP BY a.project_id, a.clip_ref`,
      [input.projectId],
    );
    const target = Math.ceil(clips.length * input.share);
    const already = clips.filter((c) => c.doubled).length;
    const candidates = await tx.query<{ id: string; name: string; load: number }>(
      input.annotators === undefined
        ? `SELECT u.id, u.name, count(a.id)::int AS load FROM users u
             JOIN assignments a ON a.annotator_id = u.id AND a.project_id = $1
           WHERE u.role = 'annotator' GROUP BY u.id, u.name`
        : `SELECT u.id, u.name, count(a.id)::int AS load FROM users u
             LEFT JOIN assignments a ON a.annotator_id = u.id AND a.project_id = $1
           WHERE u.role = 'annotator' AND u.name = ANY($2::text[]) GROUP BY u.id, u.name`,
      input.annotators === undefined ? [input.projectId] : [input.projectId, input.annotators],
    );
    if (input.annotators !== undefined && candidates.length !== input.annotators.length) {
      throw new ServerError('USER_NOT_FOUND', 'Every --annotators name must be an annotator.');
    }
    const order = (ref: string) => createHash('sha256').update(`double|${ref}`).digest('hex');
    const open = clips
      .filter((c) => !c.doubled && c.n === 1)
      .sort((a, b) => (order(a.clip_ref) < order(b.clip_ref) ? -1 : 1));
    const marked: DoubleMarked[] = [];
    const names = new Map(candidates.map((c) => [c.id, c.name]));
    const firstNames = new Map(
      (
        await tx.query<{ id: string; name: string }>('SELECT id, name FROM users WHERE role = $1', [
          'annotator',
        ])
      ).map((u) => [u.id, u.name]),
    );
    for (const clip of open) {
      if (already + marked.length >= target) break;
      const second = candidates
        .filter((c) => c.id !== clip.annotator_id)
        .sort((a, b) => a.load - b.load || a.name.localeCompare(b.name))[0];
      if (second === undefined) {
        throw new ServerError(
          'INVALID_INPUT',
          'No second annotator to give clips to: name them with --annotators.',
        );
      }
      const clipRef = ClipRef.parse(clip.clip_ref);
      // Withdrawn since the clips were listed. No clip lock here: taken after this loop's events
      // and audit locks it could deadlock with a withdrawal; a withdrawal racing past this check
      // fails on the double mark's foreign key instead, and is run again.
      if (await isWithdrawn(tx, clipRef)) continue;
      const assignmentId = randomUUID();
      const setId = randomUUID();
      await tx.query(
        `INSERT INTO assignments (id, project_id, clip_ref, annotator_id, reviewer_id)
         VALUES ($1, $2, $3, $4, $5)`,
        [assignmentId, input.projectId, clipRef, second.id, clip.reviewer_id],
      );
      await tx.query('INSERT INTO annotation_sets (id, assignment_id) VALUES ($1, $2)', [
        setId,
        assignmentId,
      ]);
      await tx.query(
        `INSERT INTO double_annotation (clip_ref, project_id, first_assignment_id,
           second_assignment_id) VALUES ($1, $2, $3, $4)`,
        [clipRef, input.projectId, clip.assignment_id, assignmentId],
      );
      await appendEvents(tx, [
        {
          userId: second.id,
          event: {
            kind: 'assigned',
            assignmentId,
            clipRef,
            projectId: input.projectId,
            as: 'annotator',
          },
        },
      ]);
      await sendConsentRecord(tx, clipRef, { users: [second.id], projectId: input.projectId });
      await appendAudit(tx, [
        {
          actor: input.actor ?? ADMIN_ACTOR,
          action: 'double.mark',
          projectId: input.projectId,
          clipRef,
          setId,
          revision: 0,
          details: {
            assignmentId,
            firstAssignmentId: clip.assignment_id,
            annotatorId: second.id,
          },
        },
      ]);
      second.load += 1;
      marked.push({
        clipRef,
        first: firstNames.get(clip.annotator_id) ?? clip.annotator_id,
        second: names.get(second.id) ?? second.id,
        setId,
      });
    }
    return { clips: clips.length, target, marked };
  });
}

/** A withdrawn clip is no longer marked for double annotation in any project. */
export async function purgeClipDoubleAnnotation(tx: Queryable, clipRef: string): Promise<void> {
  await tx.query('DELETE FROM double_annotation WHERE clip_ref = $1', [clipRef]);
}

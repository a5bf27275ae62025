import type { ProjectProgress, ProjectSummary } from '../shared/api/syncProtocol';
import type { AuthUser } from './auth';
import type { Queryable } from './db/Db';
import { ServerError } from './serverError';

/** The projects `user` leads (an admin: every project); 403 for anyone else. */
export async function leadProjects(db: Queryable, user: AuthUser): Promise<ProjectSummary[]> {
  if (user.role !== 'lead' && user.role !== 'admin') {
    throw new ServerError('FORBIDDEN', 'Projects are listed for their leads.');
  }
  const rows = await db.query<{ id: string; name: string }>(
    `SELECT id, name FROM projects WHERE $1::text IS NULL OR lead_id = $1 ORDER BY name, id`,
    [user.role === 'admin' ? null : user.id],
  );
  return rows.map((row) => ({ projectId: row.id, name: row.name }));
}

const DAY = `to_char(timezone('UTC', %), 'YYYY-MM-DD')`;
const day = (column: string) => DAY.replace('%', column);

/**
 * A project's progress for its lead: sets by status, per annotator what they handed in, what was
 * accepted, how often changes were requested and their output per day, per reviewer the sets
 * waiting. Counted from the sets, their pushed versions and the reviews, so every server process
 * over one database answers the same. 403 for anyone but the project's lead.
 */
export async function projectProgress(
  db: Queryable,
  user: AuthUser,
  projectId: string,
): Promise<ProjectProgress> {
  if (user.role !== 'lead')
    throw new ServerError('FORBIDDEN', "Progress is for the project's lead.");
  const project = await db.query<{ name: string; lead_id: string }>(
    'SELECT name, lead_id FROM projects WHERE id = $1',
    [projectId],
  );
  const row = project[0];
  if (row === undefined || row.lead_id !== user.id) {
    throw new ServerError('FORBIDDEN', "Progress is for the project's lead.");
  }
  const statuses = await db.query<{ status: string; never_pushed: boolean; n: number }>(
    `SELECT s.status, s.revision = 0 AS never_pushed, count(*)::int AS n
     FROM annotation_sets s JOIN assignments a ON a.id = s.assignment_id
     WHERE a.project_id = $1 GROUP BY 1, 2`,
    [projectId],
  );
  const withdrawn = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM withdrawn_sets WHERE project_id = $1',
    [projectId],
  );
  const clipsByStatus: ProjectProgress['clipsByStatus'] = {
    assigned: 0,
    in_progress: 0,
    submitted: 0,
    in_review: 0,
    changes_requested: 0,
    accepted: 0,
    withdrawn: withdrawn[0]?.n ?? 0,
  };
  for (const s of statuses) {
    const key = s.status === 'in_progress' && s.never_pushed ? 'assigned' : s.status;
    if (key in clipsByStatus) clipsByStatus[key as keyof typeof clipsByStatus] += s.n;
  }

  const annotators = await db.query<{
    annotator: string;
    assigned: number;
    submitted: number;
    accepted: number;
    accepts: number;
    changes: number;
  }>(
    `SELECT u.name AS annotator, count(*)::int AS assigned,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM set_versions v WHERE v.set_id = s.id))::int
         AS submitted,
       count(*) FILTER (WHERE s.status = 'accepted')::int AS accepted,
       coalesce(sum((SELECT count(*) FROM reviews r WHERE r.set_id = s.id AND r.verdict = 'accept')), 0)::int AS accepts,
       coalesce(sum((SELECT count(*) FROM reviews r WHERE r.set_id = s.id AND r.verdict = 'request_changes')), 0)::int AS changes
     FROM annotation_sets s JOIN assignments a ON a.id = s.assignment_id
     JOIN users u ON u.id = a.annotator_id
     WHERE a.project_id = $1 GROUP BY u.name ORDER BY u.name`,
    [projectId],
  );
  const perDay = await db.query<{
    annotator: string;
    day: string;
    submitted: number;
    accepted: number;
  }>(
    `SELECT annotator, day, sum(submitted)::int AS submitted, sum(accepted)::int AS accepted FROM (
       SELECT u.name AS annotator, ${day('v.at')} AS day, 1 AS submitted, 0 AS accepted
       FROM set_versions v JOIN annotation_sets s ON s.id = v.set_id
       JOIN assignments a ON a.id = s.assignment_id JOIN users u ON u.id = a.annotator_id
       WHERE a.project_id = $1
       UNION ALL
       SELECT u.name, ${day('r.at')}, 0, 1
       FROM reviews r JOIN annotation_sets s ON s.id = r.set_id
       JOIN assignments a ON a.id = s.assignment_id JOIN users u ON u.id = a.annotator_id
       WHERE a.project_id = $1 AND r.verdict = 'accept'
     ) d GROUP BY annotator, day ORDER BY annotator, day`,
    [projectId],
  );
  const reviewers = await db.query<{ reviewer: string; backlog: number; reviewed: number }>(
    `SELECT u.name AS reviewer,
       count(*) FILTER (WHERE s.status IN ('submitted', 'in_review'))::int AS backlog,
       coalesce(sum((SELECT count(*) FROM reviews r WHERE r.set_id = s.id AND r.reviewer_id = u.id)), 0)::int
         AS reviewed
     FROM annotation_sets s JOIN assignments a ON a.id = s.assignment_id
     JOIN users u ON u.id = a.reviewer_id
     WHERE a.project_id = $1 GROUP BY u.name ORDER BY u.name`,
    [projectId],
  );
  return {
    projectId,
    name: row.name,
    generatedAt: new Date().toISOString(),
    clipsByStatus,
    annotators: annotators.map((a) => ({
      annotator: a.annotator,
      assigned: a.assigned,
      submitted: a.submitted,
      accepted: a.accepted,
      changesRequested: a.changes,
      rejectionRate: a.accepts + a.changes === 0 ? null : a.changes / (a.accepts + a.changes),
      perDay: perDay
        .filter((d) => d.annotator === a.annotator)
        .map((d) => ({ day: d.day, submitted: d.submitted, accepted: d.accepted })),
    })),
    reviewers,
  };
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {
  DoubleAnnotationPage,
  DoubleAnnotationSummary,
  DoubleAnnotationSummaryPage,
} from '../shared/api/syncProtocol';
import { AnnotationStatus, LabelsDocument } from '../shared/domain/labels';
import type { AuthUser } from './auth';
import type { Db, Queryable } from './db/Db';
import { ServerError } from './serverError';

export const DOUBLE_SETS_DEFAULT_LIMIT = 50;
/** A 30-minute clip's labels are megabytes; a page of 200 stays well inside a sane answer. */
export const DOUBLE_SETS_MAX_LIMIT = 200;
/** Without labels a set is a few hundred bytes, so summary pages can be larger. */
export const DOUBLE_SUMMARIES_MAX_LIMIT = 1000;

const HandedIn = AnnotationStatus.exclude(['in_progress']);

type Row = {
  set_id: string;
  clip_ref: string;
  project_id: string;
  annotator: string;
  status: string;
  revision: number;
  labels: unknown;
  updated_at: string | Date;
};

/**
 * The handed-in sets of every double-annotated clip this user may compare: a lead those of the
 * projects they lead, a reviewer those of the assignments they review (both annotators of a
 * double clip share its reviewer). Annotators get 403: seeing another annotator's labels of the
 * same clip would defeat the point of labelling it independently. Sets still in progress, and
 * clips whose contributor withdrew consent (their labels are gone), are left out. Keyset-paged
 * by set id, so a page boundary never skips or repeats a set while others keep pushing.
 */
async function doubleAnnotationRows(
  db: Queryable,
  user: AuthUser,
  input: { cursor: string; limit: number; withLabels: boolean },
): Promise<{ rows: Row[]; nextCursor: string | null }> {
  if (user.role === 'annotator') {
    throw new ServerError(
      'FORBIDDEN',
      "Double-annotated sets are for the project's lead and the clip's reviewer.",
    );
  }
  const who = user.role === 'lead' ? 'p.lead_id = $1' : 'a.reviewer_id = $1';
  const rows = await db.query<Row>(
    /* sql */ `
    SELECT s.id AS set_id, a.clip_ref, a.project_id, ua.name AS annotator, s.status, s.revision,
      ${input.withLabels ? 's.labels' : 'NULL AS labels'}, s.updated_at
    FROM double_annotation d
    JOIN assignments a ON a.project_id = d.project_id AND a.clip_ref = d.clip_ref
    JOIN annotation_sets s ON s.assignment_id = a.id
    JOIN projects p ON p.id = a.project_id
    JOIN users ua ON ua.id = a.annotator_id
    WHERE ${who} AND s.id > $2 AND s.status <> 'in_progress' AND s.labels IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM consent_withdrawals w WHERE w.clip_ref = a.clip_ref)
    ORDER BY s.id LIMIT $3`,
    [user.id, input.cursor, input.limit + 1],
  );
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > input.limit && last ? last.set_id : null };
}

function summaryOf(row: Row): DoubleAnnotationSummary {
  return {
    setId: row.set_id,
    clipRef: row.clip_ref,
    projectId: row.project_id,
    annotator: row.annotator,
    status: HandedIn.parse(row.status),
    revision: row.revision,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function doubleAnnotationSets(
  db: Queryable,
  user: AuthUser,
  input: { cursor: string; limit: number },
): Promise<DoubleAnnotationPage> {
  const { rows, nextCursor } = await doubleAnnotationRows(db, user, { ...input, withLabels: true });
  return {
    sets: rows.map((row) => ({ ...summaryOf(row), labels: LabelsDocument.parse(row.labels) })),
    nextCursor,
  };
}

/** The same sets without labels, for a workstation to tell which changed since its copy. */
export async function doubleAnnotationSummaries(
  db: Queryable,
  user: AuthUser,
  input: { cursor: string; limit: number },
): Promise<DoubleAnnotationSummaryPage> {
  const { rows, nextCursor } = await doubleAnnotationRows(db, user, {
    ...input,
    withLabels: false,
  });
  return { sets: rows.map(summaryOf), nextCursor };
}

/** `GET /v1/double-annotation/sets?cursor=&limit=&fields=summary`: registered by `buildServer`. */
export function registerAgreementRoutes(
  app: FastifyInstance,
  db: Db,
  userOf: (request: FastifyRequest) => AuthUser,
): void {
  app.get<{ Querystring: { cursor?: string; limit?: string; fields?: 'summary' } }>(
    '/v1/double-annotation/sets',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            cursor: { type: 'string', minLength: 1, maxLength: 100 },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
            fields: { type: 'string', enum: ['summary'] },
          },
        },
      },
    },
    async (request) => {
      const summary = request.query.fields === 'summary';
      const max = summary ? DOUBLE_SUMMARIES_MAX_LIMIT : DOUBLE_SETS_MAX_LIMIT;
      const limit = Math.max(
        1,
        Math.min(Number(request.query.limit ?? (summary ? max : DOUBLE_SETS_DEFAULT_LIMIT)), max),
      );
      const input = { cursor: request.query.cursor ?? '', limit };
      return summary
        ? doubleAnnotationSummaries(db, userOf(request), input)
        : doubleAnnotationSets(db, userOf(request), input);
    },
  );
}

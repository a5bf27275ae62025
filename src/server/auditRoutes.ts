import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditHead, auditTrail } from './audit';
import type { AuthUser } from './auth';
import type { Db } from './db/Db';
import { ServerError } from './serverError';

/**
 * `GET /v1/audit?projectId=&cursor=&limit=`: a project's audit trail, for its lead only, a page at
 * a time (`cursor` is the last seq read). Each entry carries its hashes and the answer the chain's
 * current head, so what a lead hands a buyer can be checked against the server later.
 */
export function registerAuditRoutes(
  app: FastifyInstance,
  db: Db,
  userOf: (request: FastifyRequest) => AuthUser,
): void {
  app.get<{
    Querystring: { projectId: string; clipRef?: string; cursor?: string; limit?: string };
  }>(
    '/v1/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['projectId'],
          properties: {
            projectId: { type: 'string', minLength: 1, maxLength: 100 },
            clipRef: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        },
      },
    },
    async (request) => {
      const user = userOf(request);
      if (user.role !== 'lead') {
        throw new ServerError('FORBIDDEN', "A project's audit trail is for its lead.");
      }
      const { projectId, clipRef } = request.query;
      const leads = await db.query('SELECT 1 FROM projects WHERE id = $1 AND lead_id = $2', [
        projectId,
        user.id,
      ]);
      // Another lead's project and one that does not exist get the same answer.
      if (leads.length === 0) {
        throw new ServerError('NOT_FOUND', `No project ${projectId} that you lead.`);
      }
      const after = Number(request.query.cursor ?? 0);
      const limit = Math.max(1, Math.min(Number(request.query.limit ?? 500), 1000));
      const entries = await auditTrail(db, {
        projectId,
        after,
        limit,
        ...(clipRef === undefined ? {} : { clipRef }),
      });
      return {
        entries,
        cursor: entries.at(-1)?.seq ?? after,
        head: await auditHead(db),
      };
    },
  );
}

import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ClipRef, PushSetBody, ReviewBody } from '../shared/api/syncProtocol';
import { registerAgreementRoutes } from './agreementRoutes';
import { registerAuditRoutes } from './auditRoutes';
import { authenticate, type AuthUser } from './auth';
import {
  answerClientError,
  decimalUpTo,
  EMPTY_BODY,
  enforceInputBoundary,
  INT32_MAX,
} from './boundary';
import type { Db } from './db/Db';
import { registerDeliveryRoutes } from './delivery/deliveryRoutes';
import type { DeliveryDeps } from './delivery/ingest';
import { drainBlobDeletions } from './delivery/withdrawal';
import { eventsSince } from './events';
import { runAdminRequest, safeEqual } from './adminRoute';
import { leadProjects, projectProgress } from './progress';
import { ServerError } from './serverError';
import {
  errorBody,
  getSet,
  listAssignments,
  pushSet,
  requestHash,
  resolveComment,
  reviewQueue,
  reviewSet,
  TEAM_SETS_DEFAULT_BYTES,
  TEAM_SETS_DEFAULT_LIMIT,
  TEAM_SETS_MAX_BYTES,
  TEAM_SETS_MAX_LIMIT,
  TEAM_STATUSES,
  teamSetsJson,
  withIdempotency,
  type StoredAnswer,
  type TeamStatusFilter,
} from './sets';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
}

export type ServerOptions = {
  db: Db;
  /** Requests per user per minute; 429 with Retry-After beyond it. */
  rateLimitPerMinute?: number;
  /** Largest accepted body; a 30-minute clip's labels fit with room to spare. */
  bodyLimitBytes?: number;
  /**
   * The per-launch secret `serve` leaves in its PGlite folder: admin commands run on the same
   * machine send it to `POST /v1/admin/commands` (and act as the shell user they name).
   */
  adminSecret?: string;
  /** Where clips are kept (#18): without it the server holds no video, as before. */
  delivery?: Omit<DeliveryDeps, 'db'>;
};

export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
export const ADMIN_COMMANDS_PATH = '/v1/admin/commands';
/** Who a command sent with the local admin secret runs as (its audit actor is the shell user). */
const LOCAL_ADMIN: AuthUser = { id: 'admin:local', name: 'admin:local', role: 'admin' };
export const DEFAULT_RATE_LIMIT = 600;

const EMPTY_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;
const IDEMPOTENCY_HEADERS = {
  type: 'object',
  required: ['idempotency-key'],
  properties: { 'idempotency-key': { type: 'string', minLength: 8, maxLength: 200 } },
} as const;
const SET_ID_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['setId'],
  properties: { setId: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;
const CLIP_PARAMS = {
  type: 'object',
  additionalProperties: false,
  required: ['clipRef'],
  properties: { clipRef: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
} as const;
/** The labels document is checked in depth by the shared zod schema after this. */
const PUSH_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['baseRevision', 'labels', 'localSetId', 'localRevision'],
  properties: {
    baseRevision: { type: 'integer', minimum: 0, maximum: INT32_MAX },
    labels: { type: 'object' },
    localSetId: { type: 'string', minLength: 1, maxLength: 100 },
    localRevision: { type: 'integer', minimum: 0, maximum: INT32_MAX },
    // Checked in depth by the shared zod schema, as the labels are.
    clip: { type: 'object' },
    project: { type: 'object' },
  },
} as const;
const REVIEW_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'baseRevision', 'comments'],
  properties: {
    verdict: { type: 'string', enum: ['accept', 'request_changes'] },
    baseRevision: { type: 'integer', minimum: 0, maximum: INT32_MAX },
    reason: { type: 'string', maxLength: 4000 },
    comments: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['text'],
        properties: {
          text: { type: 'string', minLength: 1, maxLength: 4000 },
          frame: { type: 'integer', minimum: 0 },
          trackId: { type: 'string', maxLength: 100 },
          pointIndex: { type: 'integer', minimum: 0 },
          segmentId: { type: 'string', maxLength: 100 },
          id: { type: 'string', minLength: 1, maxLength: 100 },
          contactId: { type: 'string', maxLength: 100 },
          // The command is checked in depth by the shared zod schema.
          suggestion: { type: 'object' },
        },
      },
    },
  },
} as const;

function userOf(request: FastifyRequest): AuthUser {
  if (request.user === null) throw new Error('An authenticated route ran without a user');
  return request.user;
}

function idempotencyKey(request: FastifyRequest): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string') {
    throw new ServerError(
      'IDEMPOTENCY_KEY_MISSING',
      'Send an Idempotency-Key header with every write.',
    );
  }
  return key;
}

function sendStored(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  if (answer.replayed) void reply.header('idempotent-replayed', 'true');
  return reply.code(answer.status).send(answer.body);
}

/**
 * The central server's HTTP API, versioned under /v1. Stateless: everything it knows is in the
 * database, so any number of these over one PostgreSQL serve the same team.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { db } = options;
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // Unknown fields are refused, not silently dropped: a client sending `status` or `reviewer`
    // learns at once that it may not set them (Fastify's default would strip them).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false } },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    logger: false,
    // A malformed percent escape in the path (`/v1/sets/%`) is the client's error, in our shape.
    clientErrorHandler: answerClientError,
    // (Fastify types this reply with route generics it cannot know here.)
    frameworkErrors: (error, _request, reply) => {
      void (reply as FastifyReply)
        .code(400)
        .send({ error: { code: 'BAD_REQUEST', message: error.message } });
    },
  });
  app.decorateRequest('user', null);
  enforceInputBoundary(app);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: { code: 'NOT_FOUND', message: `There is no route ${request.method} ${request.url}.` },
    }),
  );

  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof ServerError) return reply.code(error.status).send(errorBody(error));
    const e = error as {
      statusCode?: number;
      code?: string;
      message?: string;
      validation?: unknown;
    };
    if (e.validation !== undefined) {
      return reply
        .code(400)
        .send({ error: { code: 'INVALID_INPUT', message: e.message ?? 'invalid' } });
    }
    const status = e.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        status === 413 ? 'BODY_TOO_LARGE' : status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST';
      return reply.code(status).send({ error: { code, message: e.message ?? 'bad request' } });
    }
    console.error(`framewise-server: ${request.method} ${request.url} failed:`, error);
    return reply
      .code(500)
      .send({ error: { code: 'INTERNAL', message: 'The server failed; try again.' } });
  });

  const adminBearer =
    options.adminSecret === undefined ? undefined : `Bearer ${options.adminSecret}`;
  app.addHook('onRequest', async (request) => {
    if (request.url === '/v1/health') return;
    if (
      adminBearer !== undefined &&
      request.url === ADMIN_COMMANDS_PATH &&
      request.headers.authorization !== undefined &&
      safeEqual(request.headers.authorization, adminBearer)
    ) {
      request.user = LOCAL_ADMIN;
      return;
    }
    request.user = await authenticate(db, request.headers.authorization);
  });

  // Keyed by the authenticated user (the auth hook ran in onRequest), so one annotator's retry
  // storm does not slow the rest of the team behind one office NAT.
  await app.register(rateLimit, {
    max: options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (request) => request.user?.id ?? request.ip,
    allowList: (request) => request.url === '/v1/health',
  });

  app.get('/v1/health', { schema: { querystring: EMPTY_QUERY } }, async () => {
    await db.query('SELECT 1');
    return { ok: true, database: db.kind };
  });

  // Who the token belongs to: a workstation names the signed-in account as the actor of its
  // records and keeps each account's pending work apart.
  app.get('/v1/me', { schema: { querystring: EMPTY_QUERY } }, (request) => {
    const user = userOf(request);
    return Promise.resolve({ name: user.name, role: user.role });
  });

  app.get('/v1/assignments', { schema: { querystring: EMPTY_QUERY } }, async (request) => ({
    assignments: await listAssignments(db, userOf(request)),
  }));

  app.get<{ Params: { setId: string } }>(
    '/v1/sets/:setId',
    { schema: { params: SET_ID_PARAMS, querystring: EMPTY_QUERY } },
    async (request) => getSet(db, userOf(request), request.params.setId),
  );

  app.put<{ Params: { clipRef: string }; Body: unknown }>(
    '/v1/clips/:clipRef/set',
    {
      schema: {
        params: CLIP_PARAMS,
        querystring: EMPTY_QUERY,
        headers: IDEMPOTENCY_HEADERS,
        body: PUSH_BODY,
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      if (user.role !== 'annotator') {
        throw new ServerError('FORBIDDEN', 'Only the annotator of a clip pushes its labels.');
      }
      const body = PushSetBody.safeParse(request.body);
      if (!body.success) {
        throw new ServerError(
          'INVALID_INPUT',
          `The labels are not valid: ${body.error.issues[0]?.message ?? ''}`,
        );
      }
      const clipRef = ClipRef.parse(request.params.clipRef);
      const hash = requestHash('push', { clipRef }, body.data);
      const answer = await withIdempotency(db, user, idempotencyKey(request), hash, (tx) =>
        pushSet(tx, user, clipRef, body.data),
      );
      return sendStored(reply, answer);
    },
  );

  app.get<{ Querystring: { limit?: string } }>(
    '/v1/review-queue',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } },
        },
      },
    },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? 100), 1000);
      return { sets: await reviewQueue(db, userOf(request), limit) };
    },
  );

  app.post<{ Params: { setId: string }; Body: unknown }>(
    '/v1/sets/:setId/review',
    {
      schema: {
        params: SET_ID_PARAMS,
        querystring: EMPTY_QUERY,
        headers: IDEMPOTENCY_HEADERS,
        body: REVIEW_BODY,
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const parsed = ReviewBody.safeParse(request.body);
      if (!parsed.success) {
        throw new ServerError(
          'INVALID_INPUT',
          `The review is not valid: ${parsed.error.issues[0]?.message ?? ''}`,
        );
      }
      const body = parsed.data;
      const setId = request.params.setId;
      const hash = requestHash('review', { setId }, body);
      const answer = await withIdempotency(db, user, idempotencyKey(request), hash, (tx) =>
        reviewSet(tx, user, setId, body),
      );
      return sendStored(reply, answer);
    },
  );

  app.post<{ Params: { setId: string; commentId: string } }>(
    '/v1/sets/:setId/comments/:commentId/resolve',
    {
      schema: {
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['setId', 'commentId'],
          properties: {
            setId: { type: 'string', minLength: 1, maxLength: 100 },
            commentId: { type: 'string', minLength: 1, maxLength: 100 },
          },
        },
        querystring: EMPTY_QUERY,
        headers: IDEMPOTENCY_HEADERS,
        body: EMPTY_BODY,
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const { setId, commentId } = request.params;
      const hash = requestHash('resolve', { setId, commentId }, null);
      const answer = await withIdempotency(db, user, idempotencyKey(request), hash, (tx) =>
        resolveComment(tx, user, setId, commentId),
      );
      return sendStored(reply, answer);
    },
  );

  app.get<{ Querystring: { cursor?: string; limit?: string } }>(
    '/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            // events.id is an integer column.
            cursor: { type: 'string', pattern: decimalUpTo(INT32_MAX) },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
          },
        },
      },
    },
    async (request) => {
      const cursor = Number(request.query.cursor ?? 0);
      const limit = Math.max(1, Math.min(Number(request.query.limit ?? 500), 1000));
      return eventsSince(db, userOf(request).id, cursor, limit);
    },
  );

  app.get<{
    Querystring: { status?: TeamStatusFilter; cursor?: string; limit?: string; maxBytes?: string };
  }>(
    '/v1/team-sets',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: Object.keys(TEAM_STATUSES) },
            // change_seq is a bigint: up to 15 digits stays an exact JavaScript number.
            cursor: { type: 'string', pattern: '^[0-9]{1,15}$' },
            limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
            maxBytes: { type: 'string', pattern: '^[0-9]{1,9}$' },
          },
        },
      },
    },
    async (request, reply) => {
      const limit = Math.max(
        1,
        Math.min(Number(request.query.limit ?? TEAM_SETS_DEFAULT_LIMIT), TEAM_SETS_MAX_LIMIT),
      );
      const json = await teamSetsJson(db, userOf(request), {
        status: request.query.status ?? 'accepted',
        cursor: Number(request.query.cursor ?? 0),
        limit,
        maxBytes: Math.max(
          1,
          Math.min(Number(request.query.maxBytes ?? TEAM_SETS_DEFAULT_BYTES), TEAM_SETS_MAX_BYTES),
        ),
      });
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  app.post<{ Body: { argv: string[]; actor?: string } }>(
    ADMIN_COMMANDS_PATH,
    {
      schema: {
        querystring: EMPTY_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['argv'],
          properties: {
            argv: {
              type: 'array',
              minItems: 1,
              maxItems: 64,
              items: { type: 'string', maxLength: 4000 },
            },
            actor: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (request) => {
      const user = userOf(request);
      const actor =
        user === LOCAL_ADMIN
          ? `admin:${(request.body.actor ?? 'local').replace(/^admin:/, '')}`
          : user.id;
      // The shell user a local command names; a token's own account otherwise.
      const answer = await runAdminRequest(db, user, request.body.argv, { actor });
      // A withdrawal queued the clip's blobs: they leave the store before the lead is answered.
      if (options.delivery !== undefined) {
        await drainBlobDeletions(db, options.delivery.blobs, actor);
      }
      return answer;
    },
  );

  app.get('/v1/projects', { schema: { querystring: EMPTY_QUERY } }, async (request) => ({
    projects: await leadProjects(db, userOf(request)),
  }));

  app.get<{ Params: { projectId: string } }>(
    '/v1/projects/:projectId/progress',
    {
      schema: {
        params: {
          type: 'object',
          additionalProperties: false,
          required: ['projectId'],
          properties: { projectId: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        querystring: EMPTY_QUERY,
      },
    },
    async (request) => projectProgress(db, userOf(request), request.params.projectId),
  );

  registerAgreementRoutes(app, db, userOf);
  registerAuditRoutes(app, db, userOf);
  if (options.delivery !== undefined) {
    registerDeliveryRoutes(app, { db, ...options.delivery }, userOf);
  }

  return app;
}

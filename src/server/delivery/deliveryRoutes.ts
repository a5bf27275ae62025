import type { FastifyInstance, FastifyRequest } from 'fastify';
import { answerRange } from '../../shared/domain/byteRange';
import type { DeliveriesAnswer } from '../../shared/api/syncProtocol';
import { parseBatchManifest } from '../../shared/domain/batchManifest';
import { ImportError } from '../../node/importError';
import type { AuthUser } from '../auth';
import { EMPTY_BODY } from '../boundary';
import { ServerError } from '../serverError';
import { deliveryFor, listDeliveries } from './download';
import { createIngestBatch, requireConsent, type DeliveryDeps } from './ingest';
import { appendChunk, CHUNK_TYPE, startUpload, uploadStatus, UPLOAD_CHUNK_MAX } from './uploads';

const EMPTY_QUERY = { type: 'object', additionalProperties: false, properties: {} } as const;
const ID = { type: 'string', minLength: 1, maxLength: 100 } as const;
const SHA256 = { type: 'string', pattern: '^[0-9a-f]{64}$' } as const;
// Batches and uploads are named by the server (randomUUID): any other text, a path trick
// included, is refused by its shape before it reaches a query or the staging folder.
const UUID = {
  type: 'string',
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
} as const;
const PARAM_SCHEMAS: Record<string, object> = {
  clipRef: SHA256,
  batchId: UUID,
  uploadId: UUID,
  projectId: ID,
};
const params = <K extends string>(...keys: K[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: keys,
    properties: Object.fromEntries(keys.map((key) => [key, PARAM_SCHEMAS[key] ?? ID])),
  }) as const;

const CONTENT_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  mov: 'video/mp4',
  webm: 'video/webm',
  matroska: 'video/x-matroska',
};

/**
 * Clip delivery (#18): a lead's batch goes in by resumable upload, and everyone fetches the clips
 * they work on by HTTP Range. Registered only when the server has a blob store.
 */
export function registerDeliveryRoutes(
  app: FastifyInstance,
  deps: DeliveryDeps,
  userOf: (request: FastifyRequest) => AuthUser,
): void {
  // Chunks are streamed to disk by the route, not buffered by a parser: the body stays unread
  // here, so the boundary sees an empty body and the handler reads `request.raw`.
  app.addContentTypeParser(CHUNK_TYPE, (_request, _payload, done) => done(null, undefined));

  app.post<{ Params: { projectId: string }; Body: { manifest: unknown } }>(
    '/v1/projects/:projectId/ingest-batches',
    {
      schema: {
        params: params('projectId'),
        querystring: EMPTY_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['manifest'],
          properties: { manifest: { type: 'object' } },
        },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      // The workstation's parser, on the text a batch.json would hold: the same rules, the same
      // messages.
      const parsed = parseBatchManifest(JSON.stringify(request.body.manifest));
      if (!parsed.ok) throw new ServerError('MANIFEST_INVALID', parsed.message);
      let manifest;
      try {
        manifest = requireConsent(parsed.manifest, 'The batch');
      } catch (error) {
        if (error instanceof ImportError) throw new ServerError('MANIFEST_INVALID', error.message);
        throw error;
      }
      const batch = await createIngestBatch(
        deps.db,
        user,
        request.params.projectId,
        manifest,
        user.id,
      );
      return reply.code(201).send({ batchId: batch.id, projectId: batch.projectId });
    },
  );

  app.post<{
    Params: { batchId: string };
    Body: { path: string; sizeBytes: number; sha256: string };
  }>(
    '/v1/ingest-batches/:batchId/uploads',
    {
      schema: {
        params: params('batchId'),
        querystring: EMPTY_QUERY,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'sizeBytes', 'sha256'],
          properties: {
            path: { type: 'string', minLength: 1, maxLength: 1000 },
            // 1 TB: a long 8K recording fits; PostgreSQL's bigint holds it exactly.
            sizeBytes: { type: 'integer', minimum: 1, maximum: 1e12 },
            sha256: SHA256,
          },
        },
      },
    },
    async (request) => startUpload(deps, userOf(request), request.params.batchId, request.body),
  );

  app.get<{ Params: { uploadId: string } }>(
    '/v1/uploads/:uploadId',
    { schema: { params: params('uploadId'), querystring: EMPTY_QUERY } },
    async (request) => uploadStatus(deps, userOf(request), request.params.uploadId),
  );

  app.patch<{ Params: { uploadId: string } }>(
    '/v1/uploads/:uploadId',
    {
      schema: {
        params: params('uploadId'),
        querystring: EMPTY_QUERY,
        headers: {
          type: 'object',
          required: ['upload-offset', 'content-type'],
          properties: {
            'upload-offset': { type: 'string', pattern: '^[0-9]{1,13}$' },
            'content-type': { type: 'string', const: CHUNK_TYPE },
          },
        },
        body: EMPTY_BODY,
      },
    },
    async (request) => {
      const length = request.headers['content-length'];
      const declared = length === undefined ? null : Number(length);
      return appendChunk(
        deps,
        userOf(request),
        request.params.uploadId,
        Number(request.headers['upload-offset']),
        declared !== null && Number.isFinite(declared) ? declared : null,
        request.raw,
        userOf(request).id,
      );
    },
  );

  app.get(
    '/v1/deliveries',
    { schema: { querystring: EMPTY_QUERY } },
    async (request): Promise<DeliveriesAnswer> => ({
      clips: await listDeliveries(deps.db, userOf(request)),
      chunkMaxBytes: deps.chunkMaxBytes ?? UPLOAD_CHUNK_MAX,
    }),
  );

  app.get<{ Params: { clipRef: string }; Querystring: { variant?: 'delivered' | 'original' } }>(
    '/v1/clips/:clipRef/file',
    {
      schema: {
        params: params('clipRef'),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { variant: { type: 'string', enum: ['delivered', 'original'] } },
        },
      },
    },
    async (request, reply) => {
      const user = userOf(request);
      const file = await deliveryFor(
        deps.db,
        user,
        request.params.clipRef,
        request.query.variant ?? 'delivered',
      );
      // The content's own hash: a strong validator that never changes for this URL's bytes.
      const etag = `"${file.blob}"`;
      const ifRange = request.headers['if-range'];
      const rangeHeader =
        ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
      if (request.headers['if-none-match'] === etag && rangeHeader === undefined) {
        return reply.code(304).header('etag', etag).send();
      }
      const range = answerRange(rangeHeader, file.sizeBytes);
      void reply
        .header('etag', etag)
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, no-transform')
        .header('x-content-sha256', file.blob)
        .type(CONTENT_TYPES[file.container] ?? 'application/octet-stream');
      if (range.status === 416) {
        void reply.header('content-range', `bytes */${file.sizeBytes}`);
        throw new ServerError(
          'RANGE_NOT_SATISFIABLE',
          `The Range header ${range.reason}; the clip has ${file.sizeBytes} bytes. Ask for one ` +
            'range, bytes=START- to resume.',
          { sizeBytes: file.sizeBytes },
        );
      }
      void reply.header('content-length', String(range.end - range.start + 1));
      if (range.status === 206) {
        void reply
          .code(206)
          .header('content-range', `bytes ${range.start}-${range.end}/${file.sizeBytes}`);
      }
      if (request.method === 'HEAD') return reply.send();
      const stream = await deps.blobs.read(file.blob, { start: range.start, end: range.end });
      return reply.send(stream);
    },
  );
}

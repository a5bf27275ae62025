import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types; what the tests use of it is declared in s3rver.d.ts.
import S3rver from 's3rver';
import type { BlobStoreConfig } from '../../../src/server/blobs/blobStore';

/**
 * A real S3-compatible server for the blob store's tests: s3rver (the S3 REST API in Node, objects
 * in a temp folder) on 127.0.0.1, one bucket. It answers PUT/GET/HEAD/DELETE with Range and
 * multipart uploads (create, upload part, complete) as S3 does; it does not check signatures
 * against IAM policies, ignores x-amz-checksum-sha256 (the stores' own re-hash covers that),
 * enforces no 5 MiB part floor, and lacks AbortMultipartUpload, which `abortMultipartUpload`
 * below adds with S3's answer (204, the parts deleted).
 */
export type TestS3 = {
  config: Extract<BlobStoreConfig, { kind: 's3' }>;
  /** Each request as `METHOD subresource` (`PUT partNumber`, `POST uploads`, `DELETE uploadId`). */
  requests: string[];
  /** Multipart uploads begun and neither completed nor aborted: their parts are in the bucket. */
  pendingUploads: () => string[];
  /** From now on, every upload of part `n` is refused (400, as S3 refuses a bad part); null stops. */
  failPart: (n: number | null) => void;
  stop: () => Promise<void>;
};

export async function startTestS3(
  bucket = 'framewise-test',
  options: { partBytes?: number } = {},
): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'fw-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const uploadsDir = server.store.getResourcePath(bucket, undefined, 'uploads');
  const requests: string[] = [];
  let failingPart: string | null = null;
  // Ahead of s3rver's own routes: Koa composes the list when the server starts listening.
  server.middleware.unshift(async (context, next) => {
    const sub = ['partNumber', 'uploadId', 'uploads'].find((name) => name in context.query);
    requests.push(`${context.method}${sub === undefined ? '' : ` ${sub}`}`);
    const uploadId = context.query.uploadId;
    if (context.method === 'DELETE' && typeof uploadId === 'string') {
      abortMultipartUpload(uploadsDir, uploadId, context);
      return;
    }
    if (
      context.method === 'PUT' &&
      failingPart !== null &&
      context.query.partNumber === failingPart
    ) {
      context.status = 400;
      context.body = '<Error><Code>InvalidRequest</Code><Message>refused</Message></Error>';
      return;
    }
    await next();
  });
  const address = await server.run();
  return {
    config: {
      kind: 's3',
      bucket,
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      prefix: 'clips/',
      // s3rver's fixed development credentials.
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      ...(options.partBytes === undefined ? {} : { partBytes: options.partBytes }),
    },
    requests,
    pendingUploads: () => {
      try {
        return readdirSync(uploadsDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    failPart: (n) => {
      failingPart = n === null ? null : String(n);
    },
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** S3's AbortMultipartUpload: the upload's parts are deleted (204), an unknown one is 404. */
function abortMultipartUpload(
  uploadsDir: string,
  uploadId: string,
  context: { status: number; body: unknown },
): void {
  const dir = join(uploadsDir, uploadId);
  if (!/^[0-9a-f]+$/.test(uploadId) || !existsSync(dir)) {
    context.status = 404;
    context.body = '<Error><Code>NoSuchUpload</Code></Error>';
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  context.status = 204;
  context.body = null;
}

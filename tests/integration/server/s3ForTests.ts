import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types; what the tests use of it is declared below.
import S3rver from 's3rver';
import type { BlobStoreConfig } from '../../../src/server/blobs/blobStore';

/**
 * A real S3-compatible server for the blob store's tests: s3rver (the S3 REST API in Node, objects
 * in a temp folder) on 127.0.0.1, one bucket. It answers PUT/GET/HEAD/DELETE with Range as S3
 * does; it does not check signatures against IAM policies, has no multipart-upload semantics the
 * store relies on, and ignores x-amz-checksum-sha256 (the folder store's re-hash covers that).
 */
export type TestS3 = {
  config: Extract<BlobStoreConfig, { kind: 's3' }>;
  stop: () => Promise<void>;
};

export async function startTestS3(bucket = 'framewise-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'fw-s3rver-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
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
    },
    stop: async () => {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

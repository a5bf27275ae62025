import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobConfigFromEnv,
  openBlobStore,
  type BlobStore,
  type BlobStoreConfig,
} from '../../../src/server/blobs/blobStore';
import { startTestS3, type TestS3 } from './s3ForTests';

const FIXTURE = resolve(import.meta.dirname, '../../fixtures/generated/batch/cfr30.mp4');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

describe.each(['folder', 's3'] as const)('blob store on %s', (kind) => {
  let store: BlobStore;
  let s3: TestS3 | null = null;
  const scratch = mkdtempSync(join(tmpdir(), 'fw-blobs-'));
  const bytes = readFileSync(FIXTURE);
  const hash = sha256(bytes);

  beforeAll(async () => {
    let config: BlobStoreConfig = { kind: 'folder', dir: join(scratch, 'blobs') };
    if (kind === 's3') {
      s3 = await startTestS3();
      config = s3.config;
    }
    store = await openBlobStore(config);
  });
  afterAll(async () => {
    await store.close();
    await s3?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('stores a real clip under its sha256 and gives back the same bytes, whole and by range', async () => {
    expect(await store.stat(hash)).toBeNull();
    await store.putFile(hash, FIXTURE);
    expect(await store.stat(hash)).toEqual({ size: bytes.byteLength });
    const whole = Buffer.concat(await (await store.read(hash)).toArray());
    expect(sha256(whole)).toBe(hash);
    const part = Buffer.concat(await (await store.read(hash, { start: 100, end: 1099 })).toArray());
    expect(part.equals(bytes.subarray(100, 1100))).toBe(true);
    const copy = join(scratch, 'copy.mp4');
    await store.getFile(hash, copy);
    expect(sha256(readFileSync(copy))).toBe(hash);
  });

  it('storing the same content twice is a no-op, and delete removes it (twice is fine)', async () => {
    await store.putFile(hash, FIXTURE);
    await store.delete(hash);
    expect(await store.stat(hash)).toBeNull();
    await store.delete(hash);
    await expect(store.read(hash)).rejects.toThrow();
  });

  if (kind === 'folder') {
    it('refuses bytes that do not hash to their key and leaves no partial file behind', async () => {
      const wrong = sha256(Buffer.from('something else'));
      await expect(store.putFile(wrong, FIXTURE)).rejects.toThrow(/hashes to/);
      expect(await store.stat(wrong)).toBeNull();
      expect(readdirSync(join(scratch, 'blobs', 'tmp'))).toEqual([]);
    });
  }
});

describe('blob store configuration', () => {
  it('is a folder unless FRAMEWISE_S3_BUCKET names a bucket', () => {
    expect(blobConfigFromEnv({}, '/data/blobs')).toEqual({ kind: 'folder', dir: '/data/blobs' });
    expect(
      blobConfigFromEnv(
        {
          FRAMEWISE_S3_BUCKET: 'clips',
          FRAMEWISE_S3_ENDPOINT: 'http://minio:9000',
          FRAMEWISE_S3_FORCE_PATH_STYLE: 'true',
          FRAMEWISE_S3_ACCESS_KEY_ID: 'id',
          FRAMEWISE_S3_SECRET_ACCESS_KEY: 'secret',
        },
        '/data/blobs',
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'clips',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      prefix: '',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
    });
  });
});

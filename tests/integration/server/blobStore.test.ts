import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * Large blobs go to S3 as multipart uploads (the part size set low here so fixtures need several
 * parts): the object is the file's bytes, and an upload that fails, or whose bytes do not hash to
 * the key, is aborted so no parts stay in the bucket.
 */
describe('S3 multipart uploads', () => {
  let store: BlobStore;
  let s3: TestS3;
  const scratch = mkdtempSync(join(tmpdir(), 'fw-multipart-'));
  const large = resolve(import.meta.dirname, '../../fixtures/generated/batch/clip.webm');
  const largeBytes = readFileSync(large);
  const PART = 16 * 1024;

  beforeAll(async () => {
    s3 = await startTestS3('framewise-multipart', { partBytes: PART });
    store = await openBlobStore(s3.config);
  });
  afterAll(async () => {
    await store.close();
    await s3.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const sent = () => s3.requests.filter((r) => r !== 'HEAD');

  it('sends a file up to one part in one PUT, and a larger one in parts that make it whole', async () => {
    expect(readFileSync(FIXTURE).byteLength).toBeLessThanOrEqual(PART);
    s3.requests.length = 0;
    await store.putFile(sha256(readFileSync(FIXTURE)), FIXTURE);
    expect(sent()).toEqual(['PUT']);

    const parts = Math.ceil(largeBytes.byteLength / PART);
    expect(parts).toBeGreaterThan(2);
    const hash = sha256(largeBytes);
    s3.requests.length = 0;
    await store.putFile(hash, large);
    expect(sent()).toEqual([
      'POST uploads',
      ...Array<string>(parts).fill('PUT partNumber'),
      'POST uploadId',
    ]);
    expect(await store.stat(hash)).toEqual({ size: largeBytes.byteLength });
    const whole = Buffer.concat(await (await store.read(hash)).toArray());
    expect(whole.equals(largeBytes)).toBe(true);
    const middle = Buffer.concat(
      await (await store.read(hash, { start: PART - 10, end: PART + 10 })).toArray(),
    );
    expect(middle.equals(largeBytes.subarray(PART - 10, PART + 11))).toBe(true);
    expect(s3.pendingUploads()).toEqual([]);
  });

  it('aborts an upload whose bytes do not hash to the key: no object, no parts left', async () => {
    const wrong = sha256(Buffer.from('not the webm'));
    s3.requests.length = 0;
    await expect(store.putFile(wrong, large)).rejects.toThrow(/hashes to/);
    expect(sent()).not.toContain('POST uploadId');
    expect(sent()).toContain('DELETE uploadId');
    expect(await store.stat(wrong)).toBeNull();
    expect(s3.pendingUploads()).toEqual([]);
  });

  it('aborts an upload when a part is refused, and a retry then stores the file', async () => {
    const copy = join(scratch, 'copy.webm');
    // Other bytes than the first test's, so the store does not find the object already there.
    const bytes = Buffer.concat([largeBytes, Buffer.from('tail')]);
    writeFileSync(copy, bytes);
    s3.failPart(2);
    await expect(store.putFile(sha256(bytes), copy)).rejects.toThrow();
    expect(s3.requests).toContain('DELETE uploadId');
    expect(await store.stat(sha256(bytes))).toBeNull();
    expect(s3.pendingUploads()).toEqual([]);
    s3.failPart(null);
    await store.putFile(sha256(bytes), copy);
    expect(await store.stat(sha256(bytes))).toEqual({ size: bytes.byteLength });
    expect(s3.pendingUploads()).toEqual([]);
  });
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

  it('takes the multipart part size in MiB, and refuses one S3 would refuse', () => {
    const s3 = (part: string) =>
      blobConfigFromEnv({ FRAMEWISE_S3_BUCKET: 'clips', FRAMEWISE_S3_PART_MB: part }, '/d');
    expect(s3('64')).toMatchObject({ kind: 's3', partBytes: 64 * 1024 * 1024 });
    expect(() => s3('4')).toThrow(/FRAMEWISE_S3_PART_MB is "4"/);
    expect(() => s3('ten')).toThrow(/whole number of MiB/);
  });
});

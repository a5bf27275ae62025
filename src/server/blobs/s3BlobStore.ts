import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { checkKey, DEFAULT_PART_BYTES, type BlobStore, type BlobStoreConfig } from './blobStore';

type S3Config = Extract<BlobStoreConfig, { kind: 's3' }>;

/** What S3 allows: at most 10,000 parts to an object. */
const MAX_PARTS = 10_000;
/** Parts read and sent at once: 4 × 16 MiB of memory, and a link kept busy between round trips. */
const PARTS_IN_FLIGHT = 4;

/**
 * Blobs as objects in an S3-compatible bucket (AWS, MinIO, Ceph, R2...), one object per hash under
 * `prefix`. A file up to one part's size goes in one PUT, atomic on S3 (an object appears whole or
 * not at all), with its sha256 as x-amz-checksum-sha256 where the service checks it. A larger one
 * goes as a multipart upload: S3 refuses single PUTs over 5 GB, and a failed part costs that part
 * again, not the whole file. The parts are hashed as they are read, and the upload is completed
 * only when they hash to the key; on any failure it is aborted, so no parts are left billed in
 * the bucket (a process killed mid-upload still leaves them: see the README's lifecycle rule).
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partBytes: number;

  constructor(config: S3Config) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    this.partBytes = config.partBytes ?? DEFAULT_PART_BYTES;
    this.client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
      // Since 3.729 the SDK adds CRC32 trailers (aws-chunked bodies) by default, which many
      // S3-compatible services do not speak; the sha256 we send is the check that matters.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(sha256: string): string {
    return `${this.prefix}${checkKey(sha256)}`;
  }

  async putFile(sha256: string, path: string): Promise<void> {
    if ((await this.stat(sha256)) !== null) return;
    const { size } = await stat(path);
    // A 1 TB file in 10,000 parts needs parts of 100 MiB; the configured size is a floor.
    const partBytes = Math.max(this.partBytes, Math.ceil(size / MAX_PARTS));
    if (size > partBytes) {
      await this.putMultipart(sha256, path, size, partBytes);
      return;
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(sha256),
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: 'application/octet-stream',
        ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      }),
    );
  }

  private async putMultipart(
    sha256: string,
    path: string,
    size: number,
    partBytes: number,
  ): Promise<void> {
    const target = { Bucket: this.bucket, Key: this.key(sha256) };
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        ...target,
        ContentType: 'application/octet-stream',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const uploadId = created.UploadId;
    if (uploadId === undefined) throw new Error(`S3 started no multipart upload for ${sha256}`);
    const upload = { ...target, UploadId: uploadId };
    try {
      const parts: CompletedPart[] = [];
      const whole = createHash('sha256');
      // A part's failure is kept here rather than left to reject unobserved while the next part
      // is read; no new part starts once one has failed.
      const failures: unknown[] = [];
      const inFlight = new Set<Promise<void>>();
      const file = await open(path, 'r');
      try {
        for (let number = 1, offset = 0; offset < size && failures.length === 0; number++) {
          const body = await readPart(file, offset, Math.min(partBytes, size - offset));
          offset += body.byteLength;
          whole.update(body);
          const checksum = createHash('sha256').update(body).digest('base64');
          const task: Promise<void> = this.client
            .send(
              new UploadPartCommand({
                ...upload,
                PartNumber: number,
                Body: body,
                ContentLength: body.byteLength,
                ChecksumSHA256: checksum,
              }),
            )
            .then(
              (answer) => {
                parts.push({ PartNumber: number, ETag: answer.ETag, ChecksumSHA256: checksum });
              },
              (error: unknown) => {
                failures.push(error);
              },
            )
            .finally(() => inFlight.delete(task));
          inFlight.add(task);
          if (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
        }
      } finally {
        // Even when reading failed: a part still arriving after the abort would outlive it.
        await Promise.all(inFlight);
        await file.close();
      }
      if (failures.length > 0) throw failures[0];
      const actual = whole.digest('hex');
      if (actual !== sha256) {
        throw new Error(`${path} hashes to ${actual}, not the ${sha256} it was stored as`);
      }
      parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
      await this.client.send(
        new CompleteMultipartUploadCommand({ ...upload, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      try {
        await this.client.send(new AbortMultipartUploadCommand(upload));
      } catch (abortError) {
        console.error(
          `framewise-server: could not abort multipart upload ${uploadId} of ${sha256}; its ` +
            'parts stay in the bucket until a lifecycle rule removes them:',
          abortError,
        );
      }
      throw error;
    }
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }),
      );
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async read(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(sha256),
        ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
      }),
    );
    if (answer.Body === undefined) throw new Error(`S3 returned no body for ${sha256}`);
    return answer.Body as Readable;
  }

  async getFile(sha256: string, path: string): Promise<void> {
    await pipeline(await this.read(sha256), createWriteStream(path, { flags: 'wx' }));
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

/** `length` bytes of the file from `offset`: a read may return fewer, so it loops. */
async function readPart(file: FileHandle, offset: number, length: number): Promise<Buffer> {
  const body = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(body, filled, length - filled, offset + filled);
    if (bytesRead === 0) throw new Error(`the file ended ${length - filled} bytes early`);
    filled += bytesRead;
  }
  return body;
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.$metadata.httpStatusCode === 404 ||
      error.name === 'NotFound' ||
      error.name === 'NoSuchKey')
  );
}

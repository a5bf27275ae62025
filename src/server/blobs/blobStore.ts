import type { Readable } from 'node:stream';

/**
 * Where the server keeps clip files: content-addressed, so a key is the sha256 (hex) of the bytes
 * under it, and a blob once written never changes. Originals (the contributor's file, for the
 * lead) and delivered copies (metadata neutralised, for annotators) are both blobs, each under its
 * own hash; the database says which is which (`clip_blobs`).
 */
export type BlobStore = {
  readonly kind: 'folder' | 's3';
  /**
   * Stores the file at `path` under `sha256`, which the caller computed from its bytes. Writing a
   * key that exists is a no-op: the same hash is the same content. The folder backend re-hashes
   * while copying and refuses a mismatch; S3 is given the hash to check (x-amz-checksum-sha256).
   */
  putFile(sha256: string, path: string): Promise<void>;
  /** The blob's size, or null when there is none. */
  stat(sha256: string): Promise<{ size: number } | null>;
  /** The bytes `start..end` (inclusive), or all of them. */
  read(sha256: string, range?: { start: number; end: number }): Promise<Readable>;
  /** Copies the blob to a local file (`path` must not exist), for probing and stripping. */
  getFile(sha256: string, path: string): Promise<void>;
  /** Deleting a missing blob is not an error: a withdrawal retried finds it gone. */
  delete(sha256: string): Promise<void>;
  close(): Promise<void>;
};

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function checkKey(sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`"${sha256}" is not a sha256 in hex`);
  return sha256;
}

/** How the server is told where blobs go (environment, see `blobStoreFromEnv`). */
export type BlobStoreConfig =
  | { kind: 'folder'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      endpoint?: string;
      region: string;
      forcePathStyle: boolean;
      prefix: string;
      credentials?: { accessKeyId: string; secretAccessKey: string };
      /**
       * Files larger than this go up as a multipart upload in parts of this size (S3's floor is
       * 5 MiB for every part but the last). Default `DEFAULT_PART_BYTES`.
       */
      partBytes?: number;
    };

/** 16 MiB: a retried part costs little, and 10,000 parts still reach 160 GB. */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;
/** S3 refuses smaller parts (but the last); the environment may not ask for less. */
const MIN_PART_MIB = 5;

/**
 * `FRAMEWISE_S3_BUCKET` selects the S3 backend (with `FRAMEWISE_S3_ENDPOINT` for a non-AWS
 * service such as MinIO or Ceph, `FRAMEWISE_S3_REGION`, `FRAMEWISE_S3_FORCE_PATH_STYLE=1`,
 * `FRAMEWISE_S3_PREFIX`, and `FRAMEWISE_S3_ACCESS_KEY_ID`/`FRAMEWISE_S3_SECRET_ACCESS_KEY` or the
 * SDK's own AWS_* chain, and `FRAMEWISE_S3_PART_MB` for the multipart part size); otherwise
 * blobs live in `folder`.
 */
export function blobConfigFromEnv(env: NodeJS.ProcessEnv, folder: string): BlobStoreConfig {
  const bucket = env.FRAMEWISE_S3_BUCKET;
  if (bucket === undefined || bucket === '') {
    return { kind: 'folder', dir: env.FRAMEWISE_BLOB_DIR ?? folder };
  }
  const partMib = env.FRAMEWISE_S3_PART_MB;
  let partBytes: number | undefined;
  if (partMib !== undefined && partMib !== '') {
    const mib = Number(partMib);
    if (!Number.isInteger(mib) || mib < MIN_PART_MIB || mib > 5 * 1024) {
      throw new Error(
        `FRAMEWISE_S3_PART_MB is "${partMib}": give a whole number of MiB from ${MIN_PART_MIB} ` +
          "(S3's smallest part) to 5120 (its largest).",
      );
    }
    partBytes = mib * 1024 * 1024;
  }
  const id = env.FRAMEWISE_S3_ACCESS_KEY_ID;
  const secret = env.FRAMEWISE_S3_SECRET_ACCESS_KEY;
  return {
    kind: 's3',
    bucket,
    ...(env.FRAMEWISE_S3_ENDPOINT ? { endpoint: env.FRAMEWISE_S3_ENDPOINT } : {}),
    region: env.FRAMEWISE_S3_REGION ?? 'us-east-1',
    forcePathStyle: ['1', 'true', 'yes'].includes(
      (env.FRAMEWISE_S3_FORCE_PATH_STYLE ?? '').toLowerCase(),
    ),
    prefix: env.FRAMEWISE_S3_PREFIX ?? '',
    ...(id && secret ? { credentials: { accessKeyId: id, secretAccessKey: secret } } : {}),
    ...(partBytes === undefined ? {} : { partBytes }),
  };
}

export async function openBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  if (config.kind === 'folder') {
    const { FolderBlobStore } = await import('./folderBlobStore');
    return FolderBlobStore.open(config.dir);
  }
  const { S3BlobStore } = await import('./s3BlobStore');
  return new S3BlobStore(config);
}

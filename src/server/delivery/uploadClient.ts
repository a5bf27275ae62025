import { open, stat } from 'node:fs/promises';
import { findBatchFiles, resolveBatchFolder } from '../../node/batch/findBatchFiles';
import { readBatchManifest } from '../../node/batch/readBatchManifest';
import { sha256File } from '../../node/media/sha256File';
import { CodedError } from '../../shared/domain/codedError';
import { requireConsent, type IngestOutcome, type IngestReport } from './ingest';
import { CHUNK_TYPE, type UploadState } from './uploads';

export type ServerConnection = { baseUrl: string; token: string };

export type UploadOptions = {
  /** Bytes per PATCH: what a dropped connection can cost again. */
  chunkBytes?: number;
  /** Consecutive failed attempts (no byte acknowledged) before giving up. */
  maxAttempts?: number;
  onProgress?: (sent: number, total: number) => void;
};

/** An upload the server refused or that could not get through. */
export class UploadError extends CodedError {
  override name = 'UploadError';
}

async function call<T>(
  conn: ServerConnection,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${conn.baseUrl.replace(/\/$/, '')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${conn.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T & { error?: { code: string; message: string } };
  if (!response.ok) {
    throw new UploadError(
      json.error?.code ?? `HTTP_${response.status}`,
      json.error?.message ?? response.statusText,
    );
  }
  return json;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends one file through the resumable route: asks the server where it stands, sends chunks from
 * there, and after any failure (a dropped connection, a 5xx, a chunk the server still holds)
 * asks again and continues from the server's acknowledged offset, never from zero.
 */
export async function uploadFile(
  conn: ServerConnection,
  batchId: string,
  file: { path: string; absolutePath: string; sizeBytes: number; sha256: string },
  options: UploadOptions = {},
): Promise<UploadState & { attempts: number; bytesSent: number }> {
  const chunkBytes = options.chunkBytes ?? 8 * 1024 * 1024;
  const maxAttempts = options.maxAttempts ?? 20;
  let state = await call<UploadState>(conn, 'POST', `/v1/ingest-batches/${batchId}/uploads`, {
    path: file.path,
    sizeBytes: file.sizeBytes,
    sha256: file.sha256,
  });
  let failures = 0;
  let attempts = 0;
  let bytesSent = 0;
  const handle = await open(file.absolutePath, 'r');
  try {
    while (state.state === 'open') {
      const length = Math.min(chunkBytes, file.sizeBytes - state.offset);
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, state.offset);
      attempts += 1;
      bytesSent += length;
      try {
        const response = await fetch(
          `${conn.baseUrl.replace(/\/$/, '')}/v1/uploads/${state.uploadId}`,
          {
            method: 'PATCH',
            headers: {
              authorization: `Bearer ${conn.token}`,
              'content-type': CHUNK_TYPE,
              'upload-offset': String(state.offset),
            },
            body: chunk,
          },
        );
        const body = (await response.json()) as UploadState & {
          error?: { code: string; message: string };
        };
        if (response.ok) {
          const progressed = body.offset > state.offset || body.state !== 'open';
          state = body;
          failures = progressed ? 0 : failures + 1;
          options.onProgress?.(state.offset, file.sizeBytes);
          continue;
        }
        if (response.status < 500 && response.status !== 409 && response.status !== 429) {
          throw new UploadError(
            body.error?.code ?? `HTTP_${response.status}`,
            body.error?.message ?? '',
          );
        }
      } catch (error) {
        if (error instanceof UploadError) throw error;
        // The connection dropped: the server keeps what it received; ask it below.
      }
      failures += 1;
      if (failures >= maxAttempts) {
        throw new UploadError(
          'UPLOAD_FAILED',
          `${file.path}: ${failures} attempts in a row got no byte through; the server has ${state.offset} of ${file.sizeBytes}.`,
        );
      }
      await pause(Math.min(2000, 50 * 2 ** Math.min(failures, 6)));
      state = await retrying(
        () => call<UploadState>(conn, 'GET', `/v1/uploads/${state.uploadId}`),
        maxAttempts,
      );
      options.onProgress?.(state.offset, file.sizeBytes);
    }
  } finally {
    await handle.close();
  }
  return { ...state, attempts, bytesSent };
}

/** A status query over the same lossy link: retried, since it changes nothing. */
async function retrying<T>(fn: () => Promise<T>, maxAttempts: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof UploadError || attempt >= maxAttempts) throw error;
      await pause(Math.min(2000, 50 * 2 ** Math.min(attempt, 6)));
    }
  }
}

/**
 * `framewise-server ingest <folder> --project ID --server URL`: the batch.json rules are checked
 * here first (the server checks them again), then each file is hashed and uploaded.
 */
export async function uploadBatchFolder(
  conn: ServerConnection,
  folder: string,
  projectId: string,
  options: UploadOptions = {},
): Promise<IngestReport> {
  const root = await resolveBatchFolder(folder);
  const manifest = requireConsent(await readBatchManifest(root), root);
  const { batchId } = await call<{ batchId: string }>(
    conn,
    'POST',
    `/v1/projects/${encodeURIComponent(projectId)}/ingest-batches`,
    { manifest },
  );
  const { files, errors } = await findBatchFiles(root, manifest);
  const outcomes: IngestOutcome[] = errors.map((error) => ({ status: 'error', ...error }));
  for (const file of files) {
    try {
      const { size } = await stat(file.absolutePath);
      if (size === 0) {
        outcomes.push({
          status: 'error',
          relativePath: file.relativePath,
          code: 'EMPTY_FILE',
          message: `${file.relativePath} is empty (0 bytes): copy it from the phone again.`,
        });
        continue;
      }
      const sha256 = await sha256File(file.absolutePath);
      const done = await uploadFile(
        conn,
        batchId,
        { path: file.relativePath, absolutePath: file.absolutePath, sizeBytes: size, sha256 },
        options,
      );
      outcomes.push(
        done.outcome ?? {
          status: 'error',
          relativePath: file.relativePath,
          code: 'UPLOAD_FAILED',
          message: `${file.relativePath} did not finish uploading.`,
        },
      );
    } catch (error) {
      outcomes.push({
        status: 'error',
        relativePath: file.relativePath,
        code: error instanceof CodedError ? String(error.code) : 'UNREADABLE',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return {
    batchId,
    projectId,
    files: outcomes,
    ingested: outcomes.filter((o) => o.status === 'ok' && !o.alreadyIngested).length,
    errors: outcomes.filter((o) => o.status === 'error').length,
  };
}

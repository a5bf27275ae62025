import { randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { sha256File } from '../../node/media/sha256File';
import { RelativeClipPath } from '../../shared/domain/batchManifest';
import type { AuthUser } from '../auth';
import type { Queryable } from '../db/Db';
import { ServerError } from '../serverError';
import { consentWithdrawn, isWithdrawn } from '../withdrawnSets';
import {
  ingestBatchOf,
  ingestFile,
  requireProjectLead,
  type DeliveryDeps,
  type IngestOutcome,
} from './ingest';

/** The media type of an upload chunk (as tus names it): raw bytes, read as a stream. */
export const CHUNK_TYPE = 'application/offset+octet-stream';

/** The most one PATCH may carry: a dropped connection costs at most this much again. */
export const UPLOAD_CHUNK_MAX = 64 * 1024 * 1024;

export type UploadState = {
  uploadId: string;
  relativePath: string;
  sizeBytes: number;
  /** Bytes received and synced to disk: where the next chunk starts. */
  offset: number;
  state: 'open' | 'done' | 'failed';
  outcome: IngestOutcome | null;
};

type Row = {
  id: string;
  user_id: string;
  batch_id: string;
  relative_path: string;
  clip_ref: string;
  size_bytes: string | number;
  received: string | number;
  state: UploadState['state'];
  outcome: IngestOutcome | null;
};

const stateOf = (row: Row): UploadState => ({
  uploadId: row.id,
  relativePath: row.relative_path,
  sizeBytes: Number(row.size_bytes),
  offset: Number(row.received),
  state: row.state,
  outcome: row.outcome,
});

const stagingFile = (deps: DeliveryDeps, id: string): string =>
  join(deps.stagingDir, 'uploads', id);

/**
 * Opens (or finds again) the upload of one file of a batch. The same path with the same size and
 * sha256 is the same upload: a client that restarted resumes it from its offset. A clip the server
 * already holds needs no bytes: its upload is done at once.
 */
export async function startUpload(
  deps: DeliveryDeps,
  user: AuthUser,
  batchId: string,
  input: { path: string; sizeBytes: number; sha256: string },
): Promise<UploadState> {
  const path = RelativeClipPath.safeParse(input.path);
  if (!path.success) {
    throw new ServerError(
      'INVALID_INPUT',
      `"${input.path}": ${path.error.issues[0]?.message ?? 'not a path'}`,
    );
  }
  const batch = await ingestBatchOf(deps.db, batchId);
  if (batch === null) throw new ServerError('NOT_FOUND', `There is no ingest batch ${batchId}.`);
  await requireProjectLead(deps.db, user, batch.projectId);
  const listed = batch.manifest.clips;
  const entry = listed.find((clip) => clip.path.replace(/^\.\//, '') === path.data);
  if (listed.length > 0 && entry === undefined) {
    throw new ServerError(
      'INVALID_INPUT',
      `${path.data} is not listed in the batch's batch.json; add it there or leave it out.`,
    );
  }
  // Refused before any byte is sent: these bytes could never be ingested under this batch.
  if (entry?.sha256 !== undefined && entry.sha256.toLowerCase() !== input.sha256) {
    throw new ServerError(
      'CHECKSUM_MISMATCH',
      `${path.data} has sha256 ${input.sha256}, but batch.json gives ${entry.sha256.toLowerCase()}: ` +
        'it was damaged or changed since the contributor sent it. Copy it from them again.',
    );
  }
  if (await isWithdrawn(deps.db, input.sha256)) throw consentWithdrawn('it cannot be uploaded.');
  const existing = await deps.db.query<Row>(
    'SELECT * FROM uploads WHERE batch_id = $1 AND relative_path = $2',
    [batchId, path.data],
  );
  const row = existing[0];
  if (row !== undefined) {
    if (row.clip_ref !== input.sha256 || Number(row.size_bytes) !== input.sizeBytes) {
      throw new ServerError(
        'CONFLICT',
        `${path.data} was started with other content in this batch; upload it under a new batch.`,
      );
    }
    return stateOf(row);
  }
  const held = await deps.db.query<{ frame_count: number; delivered_sha256: string }>(
    'SELECT frame_count, delivered_sha256 FROM clip_files WHERE clip_ref = $1',
    [input.sha256],
  );
  const known = held[0];
  const id = randomUUID();
  const outcome: IngestOutcome | null =
    known === undefined
      ? null
      : {
          status: 'ok',
          relativePath: path.data,
          clipRef: input.sha256,
          deliveredSha256: known.delivered_sha256,
          frameCount: known.frame_count,
          alreadyIngested: true,
        };
  const rows = await deps.db.query<Row>(
    `INSERT INTO uploads (id, user_id, batch_id, relative_path, clip_ref, size_bytes, received,
       state, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
     ON CONFLICT (batch_id, relative_path) DO NOTHING RETURNING *`,
    [
      id,
      user.id,
      batchId,
      path.data,
      input.sha256,
      input.sizeBytes,
      outcome === null ? 0 : input.sizeBytes,
      outcome === null ? 'open' : 'done',
      outcome === null ? null : JSON.stringify(outcome),
    ],
  );
  const inserted = rows[0];
  if (inserted === undefined) return startUpload(deps, user, batchId, input);
  return stateOf(inserted);
}

async function uploadRow(db: Queryable, user: AuthUser, uploadId: string): Promise<Row> {
  const rows = await db.query<Row>('SELECT * FROM uploads WHERE id = $1', [uploadId]);
  const row = rows[0];
  // Someone else's upload is as unknown as a missing one.
  if (row === undefined || (row.user_id !== user.id && user.role !== 'admin')) {
    throw new ServerError('NOT_FOUND', `There is no upload ${uploadId}.`);
  }
  return row;
}

export async function uploadStatus(
  deps: DeliveryDeps,
  user: AuthUser,
  uploadId: string,
): Promise<UploadState> {
  return stateOf(await uploadRow(deps.db, user, uploadId));
}

/** Uploads receiving a chunk in this process: a second PATCH meanwhile must wait its turn. */
const receiving = new Set<string>();

/**
 * Appends the bytes of `body` at `offset`, which must be the upload's acknowledged offset. Each
 * piece is written and then counted, so a connection dropped mid-chunk keeps exactly what arrived
 * (synced to disk) and the client resumes from there. The last byte verifies the sha256 and
 * ingests the file with the same steps as `framewise-server ingest`.
 */
export async function appendChunk(
  deps: DeliveryDeps,
  user: AuthUser,
  uploadId: string,
  offset: number,
  declaredLength: number | null,
  body: Readable,
  actor: string,
): Promise<UploadState> {
  const row = await uploadRow(deps.db, user, uploadId);
  const size = Number(row.size_bytes);
  const received = Number(row.received);
  if (row.state !== 'open') return stateOf(row);
  if (receiving.has(uploadId)) {
    throw new ServerError(
      'UPLOAD_BUSY',
      'Another chunk of this upload is still being received; ask for its offset and retry.',
      { offset: received },
    );
  }
  if (offset !== received) {
    throw new ServerError(
      'UPLOAD_OFFSET_MISMATCH',
      `The server has ${received} bytes of this upload; send the next chunk from there.`,
      { offset: received },
    );
  }
  const limit = deps.chunkMaxBytes ?? UPLOAD_CHUNK_MAX;
  if (declaredLength !== null && (declaredLength > limit || offset + declaredLength > size)) {
    throw new ServerError(
      'CHUNK_TOO_LARGE',
      `A chunk may carry at most ${limit} bytes and not go past the file's ${size}; this one ` +
        `has ${declaredLength} from byte ${offset}. Nothing of it was kept.`,
      { offset: received },
    );
  }
  receiving.add(uploadId);
  let position = offset;
  let failure: unknown = null;
  try {
    await mkdir(join(deps.stagingDir, 'uploads'), { recursive: true });
    const file = await open(stagingFile(deps, uploadId), offset === 0 ? 'w' : 'r+');
    try {
      try {
        for await (const piece of body as AsyncIterable<Buffer>) {
          if (position + piece.byteLength > size || position - offset + piece.byteLength > limit) {
            // A chunk sent without a length that turns out too long is refused whole: what
            // arrived of it is dropped, so the upload stays where the client last saw it.
            position = offset;
            throw new ServerError(
              'CHUNK_TOO_LARGE',
              `The chunk goes past the file's ${size} bytes or the ${limit}-byte limit; ` +
                `nothing of it was kept. Send at most ${limit} bytes from byte ${offset}.`,
              { offset },
            );
          }
          let written = 0;
          while (written < piece.byteLength) {
            const { bytesWritten } = await file.write(
              piece,
              written,
              piece.byteLength - written,
              position + written,
            );
            written += bytesWritten;
          }
          position += piece.byteLength;
        }
      } catch (error) {
        // A dropped connection: what was written stays acknowledged below.
        failure = error;
      }
      await file.truncate(position);
      await file.sync();
    } finally {
      await file.close();
    }
    // A chunk that brought nothing (refused, or cut before its first byte) changes nothing.
    if (position !== offset) {
      await deps.db.query(
        'UPDATE uploads SET received = $1, updated_at = now() WHERE id = $2 AND received = $3',
        [position, uploadId, offset],
      );
    }
  } finally {
    receiving.delete(uploadId);
  }
  if (failure !== null) {
    if (failure instanceof ServerError) throw failure;
    return { ...stateOf(row), offset: position };
  }
  if (position < size) return { ...stateOf(row), offset: position };
  return completeUpload(deps, row, actor);
}

async function completeUpload(deps: DeliveryDeps, row: Row, actor: string): Promise<UploadState> {
  const path = stagingFile(deps, row.id);
  let outcome: IngestOutcome;
  try {
    const batch = await ingestBatchOf(deps.db, row.batch_id);
    if (batch === null) throw new Error(`batch ${row.batch_id} is gone`);
    const actual = await sha256File(path);
    if (actual !== row.clip_ref) {
      // The bytes are gone, so the offset is too: the upload starts over, nothing was stored,
      // and the uploader is told why rather than left to send the same bytes again.
      const message =
        `${row.relative_path} arrived with sha256 ${actual}, not the ${row.clip_ref} the upload ` +
        'announced: it changed on disk or was damaged in transit. Hash it again and upload it anew.';
      await deps.db.query(
        `UPDATE uploads SET received = 0, outcome = $1::jsonb, updated_at = now() WHERE id = $2`,
        [
          JSON.stringify({
            status: 'error',
            relativePath: row.relative_path,
            code: 'CHECKSUM_MISMATCH',
            message,
          } satisfies IngestOutcome),
          row.id,
        ],
      );
      throw new ServerError('CHECKSUM_MISMATCH', message, { offset: 0 });
    }
    const listed = batch.manifest.clips.find(
      (clip) => clip.path.replace(/^\.\//, '') === row.relative_path,
    );
    outcome = await ingestFile(
      deps,
      batch,
      {
        relativePath: row.relative_path,
        absolutePath: path,
        expectedSha256: listed?.sha256 ?? null,
      },
      actor,
      actual,
    );
  } finally {
    await rm(path, { force: true });
  }
  const rows = await deps.db.query<Row>(
    `UPDATE uploads SET state = $1, outcome = $2::jsonb, received = $3, updated_at = now()
     WHERE id = $4 RETURNING *`,
    [
      outcome.status === 'ok' ? 'done' : 'failed',
      JSON.stringify(outcome),
      Number(row.size_bytes),
      row.id,
    ],
  );
  const updated = rows[0];
  return updated === undefined
    ? { ...stateOf(row), state: outcome.status === 'ok' ? 'done' : 'failed', outcome }
    : stateOf(updated);
}

/** A withdrawal ends any upload of the clip and its staged bytes. */
export async function purgeClipUploads(tx: Queryable, clipRef: string): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    'DELETE FROM uploads WHERE clip_ref = $1 RETURNING id',
    [clipRef],
  );
  return rows.map((row) => row.id);
}

export function stagedUploadPath(deps: DeliveryDeps, uploadId: string): string {
  return stagingFile(deps, uploadId);
}

import type { Database, Statement } from 'better-sqlite3';
import type { ChecksumState } from '../../../shared/api/schemas';
import type { ReadTx, Tx } from '../db/db';
import { statementsOn } from '../db/statementsOn';
import type { ClipDataOwner, WithdrawnClip } from '../governance/withdrawnClip';

export type BatchRow = {
  id: string;
  name: string;
  folder: string;
  manifest_batch_id: string | null;
  contributor: string | null;
  region: string | null;
  imported_at: string;
  clip_count: number;
  error_count: number;
};

export type ClipRow = {
  id: string;
  batch_id: string;
  relative_path: string;
  size_bytes: number;
  sha256: string | null;
  checksum_state: string;
  container: string;
  codec: string;
  codec_family: string;
  width: number;
  height: number;
  rotation: number;
  duration_seconds: number;
  frame_count: number;
  frame_table_source: string;
  flagged_metadata: string;
  imported_at: string;
};

export type ClipInsert = Omit<ClipRow, 'sha256' | 'checksum_state'> & {
  file_path: string;
  mtime_ms: number;
  fingerprint: string;
  expected_sha256: string | null;
};

export type FrameTableRow = { frame_times: Buffer; last_frame_duration: number };
export type FileErrorRow = { relative_path: string; code: string; message: string };
export type PendingRow = {
  id: string;
  batch_id: string;
  file_path: string;
  expected_sha256: string | null;
};
export type ProxyRow = {
  clip_id: string;
  state: string;
  file_path: string | null;
  progress: number;
  message: string | null;
  frame_count: number | null;
  updated_at: string;
};
const batchColumns = /* sql */ `
  b.id, b.name, b.folder, b.manifest_batch_id, b.contributor, b.region, b.imported_at,
  (SELECT count(*) FROM clips c WHERE c.batch_id = b.id) AS clip_count,
  (SELECT count(*) FROM file_errors e WHERE e.batch_id = b.id) AS error_count`;

const clipColumns = /* sql */ `
  id, batch_id, relative_path, size_bytes, sha256, checksum_state, container, codec, codec_family,
  width, height, rotation, duration_seconds, frame_count, frame_table_source, flagged_metadata,
  imported_at`;

export type BatchUpdate = {
  id: string;
  name: string;
  manifest_json: string | null;
  manifest_batch_id: string | null;
  contributor: string | null;
  region: string | null;
  updated_at: string;
};
export type BatchInsert = BatchUpdate & { folder: string; imported_at: string };

const NO_FLAGGED = JSON.stringify({ location: null, make: null, model: null, creationTime: null });

/**
 * The media module's tables: `batches`, `clips`, `frame_tables`, `file_errors`, `proxies`. Only
 * this class writes them. Methods take the caller's transaction (`Tx` to write, `ReadTx` to read).
 */
export class MediaRepository implements ClipDataOwner {
  readonly #on: (tx: ReadTx) => ReturnType<typeof prepareStatements>;

  constructor(db: Database) {
    this.#on = statementsOn('media', db, prepareStatements(db));
  }

  batchIdOfFolder(tx: ReadTx, folder: string): string | undefined {
    return this.#on(tx).batchIdByFolder.get(folder);
  }

  createBatch(tx: Tx, row: BatchInsert): void {
    this.#on(tx).insertBatch.run(row);
  }

  updateBatch(tx: Tx, row: BatchUpdate): void {
    this.#on(tx).updateBatch.run(row);
  }

  batch(tx: ReadTx, batchId: string): BatchRow | undefined {
    return this.#on(tx).batchById.get(batchId);
  }

  batches(tx: ReadTx): BatchRow[] {
    return this.#on(tx).allBatches.all();
  }

  clip(tx: ReadTx, clipId: string): ClipRow | undefined {
    return this.#on(tx).clipById.get(clipId);
  }

  clipByFingerprint(tx: ReadTx, fingerprint: string): ClipRow | undefined {
    return this.#on(tx).clipByFingerprint.get(fingerprint);
  }

  clipIdAtPath(tx: ReadTx, batchId: string, relativePath: string): string | undefined {
    return this.#on(tx).clipIdByPath.get(batchId, relativePath);
  }

  clipsOfBatch(tx: ReadTx, batchId: string): ClipRow[] {
    return this.#on(tx).clipsByBatch.all(batchId);
  }

  clipFilePath(tx: ReadTx, clipId: string): string | undefined {
    return this.#on(tx).clipFilePath.get(clipId);
  }

  importClip(
    tx: Tx,
    clip: ClipInsert,
    frames: { count: number; times: Buffer; lastFrameDuration: number },
  ): void {
    this.#on(tx).insertClip.run(clip);
    this.#on(tx).insertFrameTable.run(
      clip.id,
      frames.count,
      frames.times,
      frames.lastFrameDuration,
    );
    this.#on(tx).deleteFileError.run(clip.batch_id, clip.relative_path);
  }

  /** False when there is no such clip. */
  recordChecksum(tx: Tx, clipId: string, state: ChecksumState, sha256: string | null): boolean {
    return this.#on(tx).updateChecksum.run(state, sha256, clipId).changes > 0;
  }

  pendingChecksums(tx: ReadTx): PendingRow[] {
    return this.#on(tx).pendingChecksums.all();
  }

  frameTable(tx: ReadTx, clipId: string): FrameTableRow | undefined {
    return this.#on(tx).frameTable.get(clipId);
  }

  /** The batch manifest's consent record as JSON text, or undefined when it has none. */
  manifestConsentJson(tx: ReadTx, batchId: string): string | undefined {
    return this.#on(tx).manifestConsent.get(batchId) ?? undefined;
  }

  recordFileError(
    tx: Tx,
    batchId: string,
    error: { relativePath: string; code: string; message: string },
    at: string,
  ): void {
    this.#on(tx).upsertFileError.run(batchId, error.relativePath, error.code, error.message, at);
  }

  clearFileError(tx: Tx, batchId: string, relativePath: string): void {
    this.#on(tx).deleteFileError.run(batchId, relativePath);
  }

  fileErrors(tx: ReadTx, batchId: string): FileErrorRow[] {
    return this.#on(tx).fileErrorsByBatch.all(batchId);
  }

  proxy(tx: ReadTx, clipId: string): ProxyRow | undefined {
    return this.#on(tx).proxyByClip.get(clipId);
  }

  saveProxy(tx: Tx, row: ProxyRow): void {
    this.#on(tx).upsertProxy.run(row);
  }

  unfinishedProxies(tx: ReadTx): ProxyRow[] {
    return this.#on(tx).unfinishedProxies.all();
  }

  /** The proxy file recorded for the clip, for a withdrawal to delete after its commit. */
  proxyFile(tx: ReadTx, clipId: string): string | null {
    return this.#on(tx).proxyByClip.get(clipId)?.file_path ?? null;
  }

  readonly clipTables = ['frame_tables', 'proxies'] as const;

  /**
   * Withdrawal: the proxy record and the frame table go, and the contributor's location and
   * device leave the clip. The clip row stays as a tombstone (no clip_id column: its own id), so
   * the lock holds and a re-import of the same bytes is a no-op.
   */
  purgeClip(tx: Tx, clip: WithdrawnClip): number {
    if (clip.clipId === null) return 0;
    const s = this.#on(tx);
    const rows =
      s.deleteProxy.run(clip.clipId).changes + s.deleteFrameTable.run(clip.clipId).changes;
    s.clearFlagged.run(NO_FLAGGED, clip.clipId);
    return rows;
  }
}

function prepareStatements(db: Database) {
  const prepare = <P extends unknown[] | object, R = unknown>(sql: string): Statement<P, R> =>
    db.prepare<P, R>(sql);
  return {
    batchIdByFolder: prepare<[string], string>('SELECT id FROM batches WHERE folder = ?').pluck(),
    insertBatch: prepare<[BatchInsert]>(/* sql */ `
      INSERT INTO batches
        (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
      VALUES
        (@id, @folder, @name, @manifest_json, @manifest_batch_id, @contributor, @region, @imported_at, @updated_at)`),
    updateBatch: prepare<[BatchUpdate]>(/* sql */ `
      UPDATE batches
      SET name = @name, manifest_json = @manifest_json, manifest_batch_id = @manifest_batch_id,
          contributor = @contributor, region = @region, updated_at = @updated_at
      WHERE id = @id`),
    batchById: prepare<[string], BatchRow>(`SELECT ${batchColumns} FROM batches b WHERE b.id = ?`),
    allBatches: prepare<[], BatchRow>(
      `SELECT ${batchColumns} FROM batches b ORDER BY b.imported_at DESC, b.rowid DESC`,
    ),
    insertClip: prepare<[ClipInsert]>(/* sql */ `
      INSERT INTO clips
        (id, batch_id, relative_path, file_path, size_bytes, mtime_ms, fingerprint, expected_sha256,
         container, codec, codec_family, width, height, rotation, duration_seconds, frame_count,
         frame_table_source, flagged_metadata, imported_at)
      VALUES
        (@id, @batch_id, @relative_path, @file_path, @size_bytes, @mtime_ms, @fingerprint,
         @expected_sha256, @container, @codec, @codec_family, @width, @height, @rotation,
         @duration_seconds, @frame_count, @frame_table_source, @flagged_metadata, @imported_at)`),
    clipById: prepare<[string], ClipRow>(`SELECT ${clipColumns} FROM clips WHERE id = ?`),
    clipByFingerprint: prepare<[string], ClipRow>(
      `SELECT ${clipColumns} FROM clips WHERE fingerprint = ?`,
    ),
    clipIdByPath: prepare<[string, string], string>(
      'SELECT id FROM clips WHERE batch_id = ? AND relative_path = ?',
    ).pluck(),
    clipsByBatch: prepare<[string], ClipRow>(
      `SELECT ${clipColumns} FROM clips WHERE batch_id = ? ORDER BY relative_path`,
    ),
    clipFilePath: prepare<[string], string>('SELECT file_path FROM clips WHERE id = ?').pluck(),
    updateChecksum: prepare<[ChecksumState, string | null, string]>(
      'UPDATE clips SET checksum_state = ?, sha256 = ? WHERE id = ?',
    ),
    pendingChecksums: prepare<[], PendingRow>(/* sql */ `
      SELECT id, batch_id, file_path, expected_sha256 FROM clips
      WHERE checksum_state = 'pending' ORDER BY imported_at, rowid`),
    insertFrameTable: prepare<[string, number, Buffer, number]>(
      'INSERT INTO frame_tables (clip_id, frame_count, frame_times, last_frame_duration) VALUES (?, ?, ?, ?)',
    ),
    manifestConsent: prepare<[string], string | null>(
      "SELECT json_extract(manifest_json, '$.consent') FROM batches WHERE id = ?",
    ).pluck(),
    frameTable: prepare<[string], FrameTableRow>(
      'SELECT frame_times, last_frame_duration FROM frame_tables WHERE clip_id = ?',
    ),
    upsertFileError: prepare<[string, string, string, string, string]>(/* sql */ `
      INSERT INTO file_errors (batch_id, relative_path, code, message, recorded_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (batch_id, relative_path) DO UPDATE
      SET code = excluded.code, message = excluded.message, recorded_at = excluded.recorded_at`),
    deleteFileError: prepare<[string, string]>(
      'DELETE FROM file_errors WHERE batch_id = ? AND relative_path = ?',
    ),
    fileErrorsByBatch: prepare<[string], FileErrorRow>(
      'SELECT relative_path, code, message FROM file_errors WHERE batch_id = ? ORDER BY relative_path',
    ),
    proxyByClip: prepare<[string], ProxyRow>(/* sql */ `
      SELECT clip_id, state, file_path, progress, message, frame_count, updated_at
      FROM proxies WHERE clip_id = ?`),
    upsertProxy: prepare<[ProxyRow]>(/* sql */ `
      INSERT INTO proxies (clip_id, state, file_path, progress, message, frame_count, updated_at)
      VALUES (@clip_id, @state, @file_path, @progress, @message, @frame_count, @updated_at)
      ON CONFLICT (clip_id) DO UPDATE
      SET state = excluded.state, file_path = excluded.file_path, progress = excluded.progress,
          message = excluded.message, frame_count = excluded.frame_count,
          updated_at = excluded.updated_at`),
    unfinishedProxies: prepare<[], ProxyRow>(/* sql */ `
      SELECT clip_id, state, file_path, progress, message, frame_count, updated_at
      FROM proxies WHERE state IN ('queued', 'running') ORDER BY updated_at, rowid`),
    deleteProxy: prepare<[string]>('DELETE FROM proxies WHERE clip_id = ?'),
    deleteFrameTable: prepare<[string]>('DELETE FROM frame_tables WHERE clip_id = ?'),
    clearFlagged: prepare<[string, string]>('UPDATE clips SET flagged_metadata = ? WHERE id = ?'),
  };
}

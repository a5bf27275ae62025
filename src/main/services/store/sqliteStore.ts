import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import {
  ChecksumState,
  CodecFamily,
  ImportErrorCode,
  ProbeSummary,
  ProxyState,
} from '../../../shared/api/schemas';
import type {
  AnnotationSetInfo,
  Batch,
  Clip,
  FileError,
  FrameTable,
  LabelEditSaved,
  ProjectInfo,
  Workspace,
} from '../../../shared/api/schemas';
import type { AnnotationStatus, Command, LabelsDocument } from '../../../shared/domain/labels';
import type { ClipConsent } from '../../../shared/domain/consentState';
import { appendChainedAudit } from '../audit/appendChainedAudit';
import { AnnotationSets, type SubmitOutcome } from './annotationSets';
import { ConsentQueries } from './consentQueries';
import { SyncQueue } from './syncQueue';
import { Reviews } from './reviews';
import { Workspaces } from './workspaces';
import { decodeFrameTimes, encodeFrameTimes } from './frameTimesBlob';
import type {
  AuditEntry,
  AuditRecord,
  NewBatch,
  NewClip,
  NewProject,
  PendingChecksum,
  ProxyFields,
  ProxyRecord,
  Store,
} from './Store';
import { StoreError } from './storeError';
import { FlaggedMetadata } from '../../../shared/domain/flaggedMetadata';
import { Rotation } from '../../../shared/domain/rotation';

type BatchRow = {
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

type ClipRow = {
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

type ClipInsert = Omit<ClipRow, 'sha256' | 'checksum_state'> & {
  file_path: string;
  mtime_ms: number;
  fingerprint: string;
  expected_sha256: string | null;
};

type FrameTableRow = { frame_times: Buffer; last_frame_duration: number };
type FileErrorRow = { relative_path: string; code: string; message: string };
type PendingRow = {
  id: string;
  batch_id: string;
  file_path: string;
  expected_sha256: string | null;
};
type ProxyRow = {
  clip_id: string;
  state: string;
  file_path: string | null;
  progress: number;
  message: string | null;
  frame_count: number | null;
  updated_at: string;
};
type AuditRow = {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  details: string;
};

const batchColumns = /* sql */ `
  b.id, b.name, b.folder, b.manifest_batch_id, b.contributor, b.region, b.imported_at,
  (SELECT count(*) FROM clips c WHERE c.batch_id = b.id) AS clip_count,
  (SELECT count(*) FROM file_errors e WHERE e.batch_id = b.id) AS error_count`;

const clipColumns = /* sql */ `
  id, batch_id, relative_path, size_bytes, sha256, checksum_state, container, codec, codec_family,
  width, height, rotation, duration_seconds, frame_count, frame_table_source, flagged_metadata,
  imported_at`;

const auditColumns = 'id, at, actor, action, entity_type, entity_id, details';

const frameTableSource = ProbeSummary.shape.frameTableSource;

/** ISO 8601 UTC with milliseconds; sorts as text in time order. */
function now(): string {
  return new Date().toISOString();
}

/** SHA-256 hex is case-insensitive; the table keeps one spelling so comparisons are plain. */
function normalizeSha256(value: string | null, what: string): string | null {
  if (value === null) return null;
  const hex = value.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new StoreError('INVALID_INPUT', `The ${what} "${value}" is not a SHA-256 in hex.`);
  }
  return hex;
}

function fileNameOf(relativePath: string): string {
  return relativePath.split(/[\\/]/).pop() ?? relativePath;
}

function toBatch(row: BatchRow): Batch {
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    manifestBatchId: row.manifest_batch_id,
    contributor: row.contributor,
    region: row.region,
    importedAt: row.imported_at,
    clipCount: row.clip_count,
    errorCount: row.error_count,
  };
}

function toClip(row: ClipRow, consent: ClipConsent | undefined): Clip {
  if (consent === undefined) throw new Error(`Clip ${row.id} has no batch to read consent from`);
  return {
    id: row.id,
    batchId: row.batch_id,
    fileName: fileNameOf(row.relative_path),
    relativePath: row.relative_path,
    sizeBytes: row.size_bytes,
    sha256: row.sha256,
    checksumState: ChecksumState.parse(row.checksum_state),
    importedAt: row.imported_at,
    container: row.container,
    codec: row.codec,
    codecFamily: CodecFamily.parse(row.codec_family),
    width: row.width,
    height: row.height,
    rotation: Rotation.parse(row.rotation),
    durationSeconds: row.duration_seconds,
    frameCount: row.frame_count,
    frameTableSource: frameTableSource.parse(row.frame_table_source),
    flagged: FlaggedMetadata.parse(JSON.parse(row.flagged_metadata)),
    consent,
  };
}

const storedProxyState = ProxyState.exclude(['none']);

function toProxyRecord(row: ProxyRow): ProxyRecord {
  return {
    clipId: row.clip_id,
    state: storedProxyState.parse(row.state),
    filePath: row.file_path,
    progress: row.progress,
    message: row.message,
    frameCount: row.frame_count,
    updatedAt: row.updated_at,
  };
}

function toDetails(json: string): Record<string, unknown> {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Audit details must be a JSON object, found ${json.slice(0, 40)}`);
  }
  return value as Record<string, unknown>;
}

function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    details: toDetails(row.details),
  };
}

/** The Store over one better-sqlite3 connection, already configured and migrated by `openStore`. */
export class SqliteStore implements Store {
  readonly #db: Database;
  readonly #statements: Statements;
  readonly #sets: AnnotationSets;
  readonly #workspaces: Workspaces;
  readonly #consent: ConsentQueries;
  readonly sync: SyncQueue;
  readonly reviews: Reviews;
  // Writes that read first take the write lock up front (BEGIN IMMEDIATE): a deferred read that
  // later upgrades fails with SQLITE_BUSY under WAL, without waiting out the busy timeout.
  readonly #addClip: Transaction<(input: NewClip, actor: string) => Clip>;
  readonly #upsertBatch: Transaction<(input: NewBatch, actor: string) => Batch>;
  readonly #setChecksum: Transaction<
    (clipId: string, state: ChecksumState, sha256: string | null, actor: string) => void
  >;
  readonly #setProxyState: Transaction<
    (clipId: string, state: ProxyRecord['state'], fields: ProxyFields, actor: string) => ProxyRecord
  >;

  constructor(db: Database) {
    this.#db = db;
    this.#statements = prepareStatements(db);
    const s = this.#statements;
    this.#consent = new ConsentQueries(db);
    this.#sets = new AnnotationSets(db, (entry, at) => {
      this.#append(entry, at);
    });
    this.#workspaces = new Workspaces(db);
    this.sync = new SyncQueue(db, this.#sets, (entry, at) => {
      this.#append(entry, at);
    });
    this.reviews = new Reviews(db, (entry, at) => {
      this.#append(entry, at);
    });

    this.#upsertBatch = db.transaction((input: NewBatch, actor: string): Batch => {
      const at = now();
      const existing = s.batchIdByFolder.get(input.folder);
      const values = {
        name: input.name,
        manifest_json: input.manifest?.json ?? null,
        manifest_batch_id: input.manifest?.batchId ?? null,
        contributor: input.manifest?.contributor ?? null,
        region: input.manifest?.region ?? null,
        updated_at: at,
      };
      const id = existing ?? randomUUID();
      if (existing === undefined) {
        s.insertBatch.run({ ...values, id, folder: input.folder, imported_at: at });
      } else {
        s.updateBatch.run({ ...values, id });
      }
      this.#append(
        {
          actor,
          action: existing === undefined ? 'batch.created' : 'batch.updated',
          entityType: 'batch',
          entityId: id,
          details: {
            folder: input.folder,
            name: input.name,
            manifestBatchId: values.manifest_batch_id,
          },
        },
        at,
      );
      const batch = s.batchById.get(id);
      if (batch === undefined) throw new Error(`Batch ${id} vanished inside its own transaction`);
      return toBatch(batch);
    });

    this.#addClip = db.transaction((input: NewClip, actor: string): Clip => {
      const twin = s.clipByFingerprint.get(input.fingerprint);
      if (twin !== undefined) {
        throw new StoreError(
          'CLIP_ALREADY_IMPORTED',
          `${input.relativePath} has the same bytes as ${twin.relative_path}, already imported.`,
        );
      }
      if (s.clipIdByPath.get(input.batchId, input.relativePath) !== undefined) {
        throw new StoreError(
          'PATH_ALREADY_IMPORTED',
          `${input.relativePath} was imported before and has changed on disk since; ` +
            'restore the original file or import the new one under another name.',
        );
      }
      const { probe } = input;
      const id = randomUUID();
      const at = now();
      s.insertClip.run({
        id,
        batch_id: input.batchId,
        relative_path: input.relativePath,
        file_path: input.filePath,
        size_bytes: input.sizeBytes,
        mtime_ms: input.mtimeMs,
        fingerprint: input.fingerprint,
        expected_sha256: normalizeSha256(input.expectedSha256, 'expected checksum'),
        container: probe.container,
        codec: probe.codec,
        codec_family: probe.codecFamily,
        width: probe.width,
        height: probe.height,
        rotation: probe.rotation,
        duration_seconds: probe.durationSeconds,
        frame_count: probe.frameCount,
        frame_table_source: probe.frameTableSource,
        flagged_metadata: JSON.stringify(probe.flagged),
        imported_at: at,
      });
      s.insertFrameTable.run(
        id,
        probe.frameTimes.length,
        encodeFrameTimes(probe.frameTimes),
        probe.lastFrameDurationSeconds,
      );
      s.deleteFileError.run(input.batchId, input.relativePath);
      this.#append(
        {
          actor,
          action: 'clip.imported',
          entityType: 'clip',
          entityId: id,
          details: {
            batchId: input.batchId,
            relativePath: input.relativePath,
            fingerprint: input.fingerprint,
            sizeBytes: input.sizeBytes,
            frameCount: probe.frameCount,
          },
        },
        at,
      );
      const clip = s.clipById.get(id);
      if (clip === undefined) throw new Error(`Clip ${id} vanished inside its own transaction`);
      return this.#toClip(clip);
    });

    this.#setChecksum = db.transaction(
      (clipId: string, state: ChecksumState, sha256: string | null, actor: string) => {
        const hash = normalizeSha256(sha256, 'checksum');
        if ((state === 'done' || state === 'mismatch') && hash === null) {
          throw new StoreError('INVALID_INPUT', `A checksum marked ${state} needs its SHA-256.`);
        }
        const at = now();
        if (s.updateChecksum.run(state, hash, clipId).changes === 0) {
          throw new StoreError(
            'CLIP_NOT_FOUND',
            `No clip ${clipId} in this workstation's database.`,
          );
        }
        this.#append(
          {
            actor,
            action: 'clip.checksum',
            entityType: 'clip',
            entityId: clipId,
            details: { state, sha256: hash },
          },
          at,
        );
      },
    );

    this.#setProxyState = db.transaction(
      (
        clipId: string,
        state: ProxyRecord['state'],
        fields: ProxyFields,
        actor: string,
      ): ProxyRecord => {
        if (s.clipFilePath.get(clipId) === undefined) {
          throw new StoreError(
            'CLIP_NOT_FOUND',
            `No clip ${clipId} in this workstation's database.`,
          );
        }
        const row = {
          clip_id: clipId,
          state,
          file_path: fields.filePath ?? null,
          progress: fields.progress ?? 0,
          message: fields.message ?? null,
          frame_count: fields.frameCount ?? null,
          updated_at: now(),
        };
        if (state === 'ready' && (row.file_path === null || row.frame_count === null)) {
          throw new StoreError(
            'INVALID_INPUT',
            `A ready proxy needs its file and frame count (clip ${clipId}).`,
          );
        }
        if (!(row.progress >= 0 && row.progress <= 1)) {
          throw new StoreError(
            'INVALID_INPUT',
            `Proxy progress must be 0..1, not ${row.progress}.`,
          );
        }
        const previous = s.proxyByClip.get(clipId);
        s.upsertProxy.run(row);
        if (previous?.state !== state) {
          this.#append(
            {
              actor,
              action: 'clip.proxy',
              entityType: 'clip',
              entityId: clipId,
              details: {
                state,
                message: row.message,
                frameCount: row.frame_count,
              },
            },
            row.updated_at,
          );
        }
        return toProxyRecord(row);
      },
    );
  }

  upsertBatch(input: NewBatch, actor: string): Batch {
    if (!isAbsolute(input.folder)) {
      throw new StoreError(
        'INVALID_INPUT',
        `A batch folder must be an absolute path: ${input.folder}`,
      );
    }
    return this.#upsertBatch.immediate(input, actor);
  }

  listBatches(): Batch[] {
    return this.#statements.allBatches.all().map(toBatch);
  }

  getBatch(batchId: string): Batch | undefined {
    const row = this.#statements.batchById.get(batchId);
    return row && toBatch(row);
  }

  findClipByFingerprint(fingerprint: string): Clip | undefined {
    const row = this.#statements.clipByFingerprint.get(fingerprint);
    return row && this.#toClip(row);
  }

  addClip(input: NewClip, actor: string): Clip {
    const { frameTimes, frameCount } = input.probe;
    if (frameTimes.length !== frameCount) {
      throw new StoreError(
        'FRAME_TABLE_MISMATCH',
        `${input.relativePath}: the frame table lists ${frameTimes.length} frames but the probe ` +
          `counted ${frameCount}; frame numbers would not match the video.`,
      );
    }
    return this.#addClip.immediate(input, actor);
  }

  listClips(batchId: string): Clip[] {
    const consents = this.#consent.batchConsents(batchId);
    return this.#statements.clipsByBatch
      .all(batchId)
      .map((row) => toClip(row, consents.get(row.id)));
  }

  getClip(clipId: string): Clip | undefined {
    const row = this.#statements.clipById.get(clipId);
    return row && this.#toClip(row);
  }

  getClipFilePath(clipId: string): string | undefined {
    return this.#statements.clipFilePath.get(clipId);
  }

  getFrameTable(clipId: string): FrameTable | undefined {
    const row = this.#statements.frameTable.get(clipId);
    if (row === undefined) return undefined;
    return {
      clipId,
      frameTimes: decodeFrameTimes(row.frame_times),
      lastFrameDurationSeconds: row.last_frame_duration,
    };
  }

  recordFileError(batchId: string, error: FileError): void {
    this.#statements.upsertFileError.run(
      batchId,
      error.relativePath,
      error.code,
      error.message,
      now(),
    );
  }

  clearFileError(batchId: string, relativePath: string): void {
    this.#statements.deleteFileError.run(batchId, relativePath);
  }

  listFileErrors(batchId: string): FileError[] {
    return this.#statements.fileErrorsByBatch.all(batchId).map((row) => ({
      relativePath: row.relative_path,
      code: ImportErrorCode.parse(row.code),
      message: row.message,
    }));
  }

  listPendingChecksums(): PendingChecksum[] {
    return this.#statements.pendingChecksums.all().map((row) => ({
      clipId: row.id,
      batchId: row.batch_id,
      filePath: row.file_path,
      expectedSha256: row.expected_sha256,
    }));
  }

  setChecksum(clipId: string, state: ChecksumState, sha256: string | null, actor: string): void {
    this.#setChecksum.immediate(clipId, state, sha256, actor);
  }

  getProxy(clipId: string): ProxyRecord | undefined {
    const row = this.#statements.proxyByClip.get(clipId);
    return row && toProxyRecord(row);
  }

  setProxyState(
    clipId: string,
    state: ProxyRecord['state'],
    fields: ProxyFields,
    actor: string,
  ): ProxyRecord {
    return this.#setProxyState.immediate(clipId, state, fields, actor);
  }

  listUnfinishedProxies(): ProxyRecord[] {
    return this.#statements.unfinishedProxies.all().map(toProxyRecord);
  }

  ensureProject(input: NewProject, actor: string): ProjectInfo {
    return this.#sets.ensureProject(input, actor);
  }

  getProject(projectId: string): ProjectInfo | undefined {
    return this.#sets.getProject(projectId);
  }

  listProjects(): ProjectInfo[] {
    return this.#sets.listProjects();
  }

  openAnnotationSet(clipId: string, annotator: string, projectId: string): AnnotationSetInfo {
    return this.#sets.openAnnotationSet(clipId, annotator, projectId);
  }

  getAnnotationSet(setId: string): AnnotationSetInfo | undefined {
    return this.#sets.getAnnotationSet(setId);
  }

  loadLabels(setId: string): { doc: LabelsDocument; seq: number } {
    return this.#sets.loadLabels(setId);
  }

  forgetDeletedSets(): number {
    return this.#sets.forgetDeletedSets();
  }

  applyLabelEdit(
    setId: string,
    command: Command,
    expectedSeq: number,
    actor: string,
    editId?: string,
  ): LabelEditSaved {
    return this.#sets.applyLabelEdit(setId, command, expectedSeq, actor, editId);
  }

  transitionAnnotationSet(
    setId: string,
    to: AnnotationStatus | readonly AnnotationStatus[],
    actor: string,
  ): AnnotationSetInfo {
    return this.#sets.transitionAnnotationSet(setId, to, actor);
  }

  submitAnnotationSet(setId: string, actor: string): SubmitOutcome {
    return this.#sets.submitAnnotationSet(setId, actor);
  }

  getWorkspace(annotator: string): Workspace | null {
    return this.#workspaces.get(annotator);
  }

  saveWorkspace(annotator: string, workspace: Workspace): void {
    this.#workspaces.save(annotator, workspace);
  }

  appendAudit(entry: AuditEntry): void {
    // Its own write transaction: reading the chain's last hash and appending must not interleave
    // with another connection's append.
    this.#db
      .transaction(() => {
        this.#append(entry, now());
      })
      .immediate();
  }

  listAudit(filter: { entityId?: string; limit?: number } = {}): AuditRecord[] {
    const { entityId, limit } = filter;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
      throw new StoreError('INVALID_INPUT', `An audit limit must be a whole number, not ${limit}.`);
    }
    // LIMIT -1 is SQLite for "no limit".
    const rows =
      entityId === undefined
        ? this.#statements.auditAll.all(limit ?? -1)
        : this.#statements.auditByEntity.all(entityId, limit ?? -1);
    return rows.map(toAuditRecord);
  }

  close(): void {
    // SQLite's advice for long-lived connections: refresh planner statistics before closing.
    if (!this.#db.readonly) this.#db.pragma('optimize');
    this.#db.close();
  }

  #toClip(row: ClipRow): Clip {
    return toClip(row, this.#consent.clipConsent(row.id));
  }

  #append(entry: AuditEntry, at: string): void {
    appendChainedAudit(this.#db, entry, at);
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database) {
  const prepare = <P extends unknown[] | object, R = unknown>(sql: string): Statement<P, R> =>
    db.prepare<P, R>(sql);
  return {
    batchIdByFolder: prepare<[string], string>('SELECT id FROM batches WHERE folder = ?').pluck(),
    insertBatch: prepare<
      [
        {
          id: string;
          folder: string;
          name: string;
          manifest_json: string | null;
          manifest_batch_id: string | null;
          contributor: string | null;
          region: string | null;
          imported_at: string;
          updated_at: string;
        },
      ]
    >(/* sql */ `
      INSERT INTO batches
        (id, folder, name, manifest_json, manifest_batch_id, contributor, region, imported_at, updated_at)
      VALUES
        (@id, @folder, @name, @manifest_json, @manifest_batch_id, @contributor, @region, @imported_at, @updated_at)`),
    updateBatch: prepare<
      [
        {
          id: string;
          name: string;
          manifest_json: string | null;
          manifest_batch_id: string | null;
          contributor: string | null;
          region: string | null;
          updated_at: string;
        },
      ]
    >(/* sql */ `
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
    auditAll: prepare<[number], AuditRow>(
      `SELECT ${auditColumns} FROM audit_log ORDER BY id DESC LIMIT ?`,
    ),
    auditByEntity: prepare<[string, number], AuditRow>(
      `SELECT ${auditColumns} FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT ?`,
    ),
  };
}

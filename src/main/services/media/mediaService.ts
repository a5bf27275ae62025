import { isAbsolute } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  ChecksumState,
  CodecFamily,
  ImportErrorCode,
  ProbeSummary,
  ProxyState,
} from '../../../shared/api/schemas';
import { FlaggedMetadata } from '../../../shared/domain/flaggedMetadata';
import { Rotation } from '../../../shared/domain/rotation';
import type { Batch, Clip, FileError, FrameTable, ProbeResult } from '../../../shared/api/schemas';
import type { PushedClip } from '../../../shared/api/syncProtocol';
import type { ClipConsent } from '../../../shared/domain/consentState';
import { consentRecordOf } from '../governance/consentQueries';
import type { AuditLog } from '../audit/auditLog';
import { now, type Db, type ReadTx, type Tx } from '../db/db';
import { StoreError } from '../store/storeError';
import { decodeFrameTimes, encodeFrameTimes } from './frameTimesBlob';
import type { BatchRow, ClipRow, MediaRepository, ProxyRow } from './mediaRepository';

export type NewBatch = {
  folder: string;
  name: string;
  manifest: {
    json: string;
    batchId: string;
    contributor: string | null;
    region: string | null;
  } | null;
};

export type NewClip = {
  batchId: string;
  relativePath: string;
  filePath: string;
  sizeBytes: number;
  mtimeMs: number;
  fingerprint: string;
  expectedSha256: string | null;
  probe: ProbeResult;
};

export type PendingChecksum = {
  clipId: string;
  batchId: string;
  filePath: string;
  expectedSha256: string | null;
};

/** A clip's H.264 proxy as the database records it; a clip without one has no record. */
export type ProxyRecord = {
  clipId: string;
  state: Exclude<ProxyState, 'none'>;
  /** Set once the proxy passed its frame check (state 'ready'). */
  filePath: string | null;
  /** 0..1; the live value while running is the proxy service's, this one is the last saved. */
  progress: number;
  message: string | null;
  /** The proxy's own frame count, once checked. */
  frameCount: number | null;
  updatedAt: string;
};

/** Fields a state change may set; omitted ones are cleared (null, progress 0). */
export type ProxyFields = {
  filePath?: string | null;
  progress?: number;
  message?: string | null;
  frameCount?: number | null;
};

/** What media needs from governance to show a clip: its consent as of today. */
export type ClipConsentReader = {
  clipConsent(clipId: string): ClipConsent | undefined;
  batchConsents(batchId: string): Map<string, ClipConsent>;
};

const frameTableSource = ProbeSummary.shape.frameTableSource;

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

/**
 * Batches, clips, frame tables, per-file import errors, checksums and proxies: the media module's
 * rules over `MediaRepository`, each change audited in the same unit of work.
 */
export class MediaService {
  readonly #db: Db;
  readonly #repo: MediaRepository;
  readonly #audit: AuditLog;
  readonly #consent: ClipConsentReader;

  constructor(deps: {
    db: Db;
    repository: MediaRepository;
    audit: AuditLog;
    consent: ClipConsentReader;
  }) {
    this.#db = deps.db;
    this.#repo = deps.repository;
    this.#audit = deps.audit;
    this.#consent = deps.consent;
  }

  upsertBatch(input: NewBatch, actor: string): Batch {
    if (!isAbsolute(input.folder)) {
      throw new StoreError(
        'INVALID_INPUT',
        `A batch folder must be an absolute path: ${input.folder}`,
      );
    }
    return this.#db.write((tx) => this.#upsertBatch(tx, input, actor));
  }

  listBatches(): Batch[] {
    return this.#db.read((tx) => this.#repo.batches(tx).map(toBatch));
  }

  getBatch(batchId: string): Batch | undefined {
    const row = this.#db.read((tx) => this.#repo.batch(tx, batchId));
    return row && toBatch(row);
  }

  findClipByFingerprint(fingerprint: string): Clip | undefined {
    return this.#db.read((tx) => {
      const row = this.#repo.clipByFingerprint(tx, fingerprint);
      return row && this.#toClip(tx, row);
    });
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
    return this.#db.write((tx) => this.#addClip(tx, input, actor));
  }

  /**
   * A clip the team server delivered (#18). Its identity is the sha256 of the contributor's
   * original (`clipRef`, what sync, review and exports call it), which the delivered copy's bytes
   * (metadata neutralised) do not hash to: the copy's own hash was checked against the server's
   * before this, so the checksum is recorded as the clip's reference rather than recomputed.
   */
  addDeliveredClip(input: NewClip & { clipRef: string }, actor: string): Clip {
    const clip = this.#db.write((tx) => {
      const added = this.#addClip(tx, input, actor);
      this.#repo.recordChecksum(tx, added.id, 'done', input.clipRef);
      return added;
    });
    return this.getClip(clip.id) ?? clip;
  }

  listClips(batchId: string): Clip[] {
    return this.#db.read((tx) => {
      const consents = this.#consent.batchConsents(batchId);
      return this.#repo.clipsOfBatch(tx, batchId).map((row) => toClip(row, consents.get(row.id)));
    });
  }

  getClip(clipId: string): Clip | undefined {
    return this.#db.read((tx) => {
      const row = this.#repo.clip(tx, clipId);
      return row && this.#toClip(tx, row);
    });
  }

  getClipFilePath(clipId: string): string | undefined {
    return this.#db.read((tx) => this.#repo.clipFilePath(tx, clipId));
  }

  getFrameTable(clipId: string): FrameTable | undefined {
    const row = this.#db.read((tx) => this.#repo.frameTable(tx, clipId));
    if (row === undefined) return undefined;
    return {
      clipId,
      frameTimes: decodeFrameTimes(row.frame_times),
      lastFrameDurationSeconds: row.last_frame_duration,
    };
  }

  /**
   * The clip as a push carries it to the server for the export writers there: the coded size and
   * rotation, the frame table, the file name, and the batch's contributor, region and manifest
   * consent. Undefined for a clip not (or no longer) here.
   */
  clipForPush(clipId: string): PushedClip | undefined {
    return this.#db.read((tx) => {
      const clip = this.#repo.clip(tx, clipId);
      const table = this.#repo.frameTable(tx, clipId);
      const batch = clip && this.#repo.batch(tx, clip.batch_id);
      if (clip === undefined || table === undefined || batch === undefined) return undefined;
      const consent = consentRecordOf(this.#repo.manifestConsentJson(tx, clip.batch_id) ?? null);
      const rotation = clip.rotation;
      return {
        fileName: clip.relative_path,
        width: clip.width,
        height: clip.height,
        rotation: rotation === 90 || rotation === 180 || rotation === 270 ? rotation : 0,
        frameTimes: decodeFrameTimes(table.frame_times),
        lastFrameDurationSeconds: table.last_frame_duration,
        frameTableSource: clip.frame_table_source,
        contributor: batch.contributor,
        region: batch.region,
        consent,
      };
    });
  }

  recordFileError(batchId: string, error: FileError): void {
    this.#db.write((tx) => {
      this.#repo.recordFileError(tx, batchId, error, now());
    });
  }

  clearFileError(batchId: string, relativePath: string): void {
    this.#db.write((tx) => {
      this.#repo.clearFileError(tx, batchId, relativePath);
    });
  }

  listFileErrors(batchId: string): FileError[] {
    return this.#db
      .read((tx) => this.#repo.fileErrors(tx, batchId))
      .map((row) => ({
        relativePath: row.relative_path,
        code: ImportErrorCode.parse(row.code),
        message: row.message,
      }));
  }

  listPendingChecksums(): PendingChecksum[] {
    return this.#db
      .read((tx) => this.#repo.pendingChecksums(tx))
      .map((row) => ({
        clipId: row.id,
        batchId: row.batch_id,
        filePath: row.file_path,
        expectedSha256: row.expected_sha256,
      }));
  }

  setChecksum(clipId: string, state: ChecksumState, sha256: string | null, actor: string): void {
    this.#db.write((tx) => {
      this.#setChecksum(tx, clipId, state, sha256, actor);
    });
  }

  getProxy(clipId: string): ProxyRecord | undefined {
    const row = this.#db.read((tx) => this.#repo.proxy(tx, clipId));
    return row && toProxyRecord(row);
  }

  setProxyState(
    clipId: string,
    state: ProxyRecord['state'],
    fields: ProxyFields,
    actor: string,
  ): ProxyRecord {
    return this.#db.write((tx) => this.#setProxyState(tx, clipId, state, fields, actor));
  }

  listUnfinishedProxies(): ProxyRecord[] {
    return this.#db.read((tx) => this.#repo.unfinishedProxies(tx)).map(toProxyRecord);
  }

  #upsertBatch(tx: Tx, input: NewBatch, actor: string): Batch {
    const at = now();
    const existing = this.#repo.batchIdOfFolder(tx, input.folder);
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
      this.#repo.createBatch(tx, { ...values, id, folder: input.folder, imported_at: at });
    } else {
      this.#repo.updateBatch(tx, { ...values, id });
    }
    this.#audit.append(
      tx,
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
    const batch = this.#repo.batch(tx, id);
    if (batch === undefined) throw new Error(`Batch ${id} vanished inside its own transaction`);
    return toBatch(batch);
  }

  #addClip(tx: Tx, input: NewClip, actor: string): Clip {
    const twin = this.#repo.clipByFingerprint(tx, input.fingerprint);
    if (twin !== undefined) {
      throw new StoreError(
        'CLIP_ALREADY_IMPORTED',
        `${input.relativePath} has the same bytes as ${twin.relative_path}, already imported.`,
      );
    }
    if (this.#repo.clipIdAtPath(tx, input.batchId, input.relativePath) !== undefined) {
      throw new StoreError(
        'PATH_ALREADY_IMPORTED',
        `${input.relativePath} was imported before and has changed on disk since; ` +
          'restore the original file or import the new one under another name.',
      );
    }
    const { probe } = input;
    const id = randomUUID();
    const at = now();
    this.#repo.importClip(
      tx,
      {
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
      },
      {
        count: probe.frameTimes.length,
        times: encodeFrameTimes(probe.frameTimes),
        lastFrameDuration: probe.lastFrameDurationSeconds,
      },
    );
    this.#audit.append(
      tx,
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
    const clip = this.#repo.clip(tx, id);
    if (clip === undefined) throw new Error(`Clip ${id} vanished inside its own transaction`);
    return this.#toClip(tx, clip);
  }

  #setChecksum(tx: Tx, clipId: string, state: ChecksumState, sha256: string | null, actor: string) {
    {
      const hash = normalizeSha256(sha256, 'checksum');
      if ((state === 'done' || state === 'mismatch') && hash === null) {
        throw new StoreError('INVALID_INPUT', `A checksum marked ${state} needs its SHA-256.`);
      }
      const at = now();
      if (!this.#repo.recordChecksum(tx, clipId, state, hash)) {
        throw new StoreError('CLIP_NOT_FOUND', `No clip ${clipId} in this workstation's database.`);
      }
      this.#audit.append(
        tx,
        {
          actor,
          action: 'clip.checksum',
          entityType: 'clip',
          entityId: clipId,
          details: { state, sha256: hash },
        },
        at,
      );
    }
  }

  #setProxyState(
    tx: Tx,
    clipId: string,
    state: ProxyRecord['state'],
    fields: ProxyFields,
    actor: string,
  ): ProxyRecord {
    {
      if (this.#repo.clipFilePath(tx, clipId) === undefined) {
        throw new StoreError('CLIP_NOT_FOUND', `No clip ${clipId} in this workstation's database.`);
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
        throw new StoreError('INVALID_INPUT', `Proxy progress must be 0..1, not ${row.progress}.`);
      }
      const previous = this.#repo.proxy(tx, clipId);
      this.#repo.saveProxy(tx, row);
      if (previous?.state !== state) {
        this.#audit.append(
          tx,
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
    }
  }

  #toClip(_tx: ReadTx, row: ClipRow): Clip {
    return toClip(row, this.#consent.clipConsent(row.id));
  }
}

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveBatchFolder, findBatchFiles } from '../../node/batch/findBatchFiles';
import { readBatchManifest } from '../../node/batch/readBatchManifest';
import { ImportError } from '../../node/importError';
import { frameTableSha256 } from '../../node/media/frameTableHash';
import { probeVideo } from '../../node/media/probeVideo';
import { sha256File } from '../../node/media/sha256File';
import { copyWithoutMetadata } from '../../node/media/stripMetadata';
import { ProbeSummary } from '../../shared/api/schemas';
import type { BatchManifest } from '../../shared/domain/batchManifest';
import { CodedError } from '../../shared/domain/codedError';
import type { FlaggedMetadata } from '../../shared/domain/flaggedMetadata';
import { appendAudit } from '../audit';
import type { AuthUser } from '../auth';
import type { BlobStore } from '../blobs/blobStore';
import type { Db, Queryable } from '../db/Db';
import { ServerError } from '../serverError';
import { consentWithdrawn, isWithdrawn, lockClip } from '../withdrawnSets';

/** What ingest needs: the database, where blobs go, and a scratch folder on local disk. */
export type DeliveryDeps = {
  db: Db;
  blobs: BlobStore;
  stagingDir: string;
  /** The most one upload chunk may carry; `UPLOAD_CHUNK_MAX` unless a test sets it low. */
  chunkMaxBytes?: number;
};

/** One file's outcome, as the workstation's import reports it (same codes, same messages). */
export type IngestOutcome =
  | {
      status: 'ok';
      relativePath: string;
      clipRef: string;
      deliveredSha256: string;
      frameCount: number;
      alreadyIngested: boolean;
    }
  | { status: 'error'; relativePath: string; code: string; message: string };

export type IngestReport = {
  batchId: string;
  projectId: string;
  files: IngestOutcome[];
  ingested: number;
  errors: number;
};

export type IngestBatch = { id: string; projectId: string; manifest: BatchManifest };

/**
 * The server takes only what a contributor consented to: batch.json (the workstation's strict
 * rules) must be there and carry a consent record that is not withdrawn.
 */
export function requireConsent(manifest: BatchManifest | null, where: string): BatchManifest {
  if (manifest === null) {
    throw new ImportError(
      'MANIFEST_INVALID',
      `${where} has no batch.json: the server ingests only batches that carry the contributor's ` +
        'consent record. Add batch.json with a "consent" object.',
      where,
    );
  }
  if (manifest.consent === undefined) {
    throw new ImportError(
      'MANIFEST_INVALID',
      'batch.json has no "consent": the server ingests only clips the contributor consented to. ' +
        'Add the consent record (id, scope, grantedAt).',
      where,
    );
  }
  if (manifest.consent.withdrawn) {
    throw new ImportError(
      'MANIFEST_INVALID',
      'batch.json says the contributor withdrew consent: these clips may not be ingested.',
      where,
    );
  }
  return manifest;
}

/** A lead ingests into the projects they lead; an admin into any. */
export async function requireProjectLead(
  db: Queryable,
  user: AuthUser,
  projectId: string,
): Promise<void> {
  const rows = await db.query<{ lead_id: string }>('SELECT lead_id FROM projects WHERE id = $1', [
    projectId,
  ]);
  const project = rows[0];
  if (project === undefined) {
    throw new ServerError('NOT_FOUND', `There is no project ${projectId}.`);
  }
  if (user.role !== 'admin' && project.lead_id !== user.id) {
    throw new ServerError('FORBIDDEN', "Only the project's lead adds clips to it.");
  }
}

/** Records a batch (its manifest already checked) and audits it; its files follow one by one. */
export async function createIngestBatch(
  db: Db,
  user: AuthUser,
  projectId: string,
  manifest: BatchManifest,
  actor: string,
): Promise<IngestBatch> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await requireProjectLead(tx, user, projectId);
    await tx.query(
      `INSERT INTO ingest_batches (id, project_id, name, manifest, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5)`,
      [id, projectId, manifest.batchId, JSON.stringify(manifest), actor],
    );
    await appendAudit(tx, [
      {
        actor,
        action: 'batch.ingest',
        projectId,
        details: {
          batchId: id,
          name: manifest.batchId,
          consentId: manifest.consent?.id ?? null,
          clipsListed: manifest.clips.length,
        },
      },
    ]);
  });
  return { id, projectId, manifest };
}

export async function ingestBatchOf(db: Queryable, batchId: string): Promise<IngestBatch | null> {
  const rows = await db.query<{ id: string; project_id: string; manifest: BatchManifest }>(
    'SELECT id, project_id, manifest FROM ingest_batches WHERE id = $1',
    [batchId],
  );
  const row = rows[0];
  return row === undefined
    ? null
    : { id: row.id, projectId: row.project_id, manifest: row.manifest };
}

const FLAGGED: readonly (keyof FlaggedMetadata)[] = ['location', 'make', 'model', 'creationTime'];

function errorOutcome(relativePath: string, error: unknown): IngestOutcome {
  if (error instanceof CodedError) {
    return { status: 'error', relativePath, code: String(error.code), message: error.message };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    status: 'error',
    relativePath,
    code: 'UNREADABLE',
    message: `${relativePath} could not be read: ${detail}`,
  };
}

/**
 * Ingests one file of a batch: hashed (its sha256 is the clip's id), checked against the
 * manifest's sha256 when it gives one, probed for its frame table with the workstation's probe,
 * copied with location, device and dates neutralised (the copy re-probed and its frame table
 * compared by the workstation's strip), both stored as blobs, and registered with the batch's
 * consent record, audited, in one transaction. Never throws for a bad file: the outcome says why.
 */
export async function ingestFile(
  deps: DeliveryDeps,
  batch: IngestBatch,
  file: { relativePath: string; absolutePath: string; expectedSha256: string | null },
  actor: string,
  /** The sha256 when the caller already verified it (a completed upload). */
  knownSha256?: string,
): Promise<IngestOutcome> {
  const { relativePath } = file;
  let scratch: string | null = null;
  try {
    const info = await stat(file.absolutePath);
    if (info.size === 0) {
      throw new ImportError(
        'EMPTY_FILE',
        `${relativePath} is empty (0 bytes): copy it from the phone again.`,
        relativePath,
      );
    }
    const clipRef = knownSha256 ?? (await sha256File(file.absolutePath));
    if (file.expectedSha256 !== null && file.expectedSha256 !== clipRef) {
      throw new ImportError(
        'CHECKSUM_MISMATCH',
        `${relativePath} does not match the sha256 batch.json gives for it: it was damaged or ` +
          'changed in transit. Copy it from the contributor again.',
        relativePath,
      );
    }
    if (await isWithdrawn(deps.db, clipRef)) throw consentWithdrawn('it cannot be ingested.');
    const existing = await deps.db.query<{ delivered_sha256: string; frame_count: number }>(
      'SELECT delivered_sha256, frame_count FROM clip_files WHERE clip_ref = $1',
      [clipRef],
    );
    const known = existing[0];
    if (known !== undefined) {
      return {
        status: 'ok',
        relativePath,
        clipRef,
        deliveredSha256: known.delivered_sha256,
        frameCount: known.frame_count,
        alreadyIngested: true,
      };
    }
    const probe = await probeVideo(file.absolutePath);
    await mkdir(deps.stagingDir, { recursive: true });
    scratch = join(deps.stagingDir, `strip-${randomBytes(8).toString('hex')}.${probe.container}`);
    await copyWithoutMetadata(file.absolutePath, scratch, {
      container: probe.container,
      frameTimes: probe.frameTimes,
    });
    const deliveredSha256 = await sha256File(scratch);
    const deliveredSize = (await stat(scratch)).size;
    await deps.blobs.putFile(clipRef, file.absolutePath);
    await deps.blobs.putFile(deliveredSha256, scratch);
    const summary = ProbeSummary.omit({ flagged: true }).parse(probe);
    const flaggedFields = FLAGGED.filter((field) => probe.flagged[field] !== null);
    const consent = batch.manifest.consent;
    const inserted = await deps.db.transaction(async (tx) => {
      await lockClip(tx, clipRef);
      if (await isWithdrawn(tx, clipRef)) throw consentWithdrawn('it cannot be ingested.');
      const rows = await tx.query(
        `INSERT INTO clip_files (clip_ref, project_id, batch_id, relative_path, original_size,
           delivered_sha256, delivered_size, container, summary, frame_count, frame_table_sha256,
           flagged_fields, ingested_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12::text[], $13)
         ON CONFLICT (clip_ref) DO NOTHING RETURNING clip_ref`,
        [
          clipRef,
          batch.projectId,
          batch.id,
          relativePath,
          info.size,
          deliveredSha256,
          deliveredSize,
          probe.container,
          JSON.stringify(summary),
          probe.frameCount,
          frameTableSha256(probe.frameTimes),
          flaggedFields,
          actor,
        ],
      );
      if (rows.length === 0) return false;
      // The lead's own record, made before the batch arrived, is the newer word: kept.
      if (consent !== undefined) {
        await tx.query(
          `INSERT INTO consent_records (clip_ref, consent, recorded_by) VALUES ($1, $2::jsonb, $3)
           ON CONFLICT (clip_ref) DO NOTHING`,
          [clipRef, JSON.stringify(consent), actor],
        );
      }
      await appendAudit(tx, [
        {
          actor,
          action: 'clip.ingest',
          projectId: batch.projectId,
          clipRef,
          details: {
            batchId: batch.id,
            originalSize: info.size,
            deliveredSha256,
            deliveredSize,
            frameCount: probe.frameCount,
            metadataNeutralised: flaggedFields,
            consentId: consent?.id ?? null,
          },
        },
      ]);
      return true;
    });
    return {
      status: 'ok',
      relativePath,
      clipRef,
      deliveredSha256,
      frameCount: probe.frameCount,
      alreadyIngested: !inserted,
    };
  } catch (error) {
    return errorOutcome(relativePath, error);
  } finally {
    if (scratch !== null) await rm(scratch, { force: true });
  }
}

/**
 * `framewise-server ingest <folder> --project ID`: the whole batch from a folder on the server's
 * machine. A bad batch.json refuses the batch; a bad file gets its error and the rest go in.
 */
export async function ingestBatchFolder(
  deps: DeliveryDeps,
  user: AuthUser,
  folder: string,
  projectId: string,
  actor: string,
  concurrency = 2,
): Promise<IngestReport> {
  const root = await resolveBatchFolder(folder);
  const manifest = requireConsent(await readBatchManifest(root), root);
  const batch = await createIngestBatch(deps.db, user, projectId, manifest, actor);
  const { files, errors } = await findBatchFiles(root, manifest);
  const outcomes: IngestOutcome[] = errors.map((error) => ({ status: 'error', ...error }));
  const results = new Array<IngestOutcome>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index];
      if (file !== undefined) results[index] = await ingestFile(deps, batch, file, actor);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const all = [...outcomes, ...results];
  return {
    batchId: batch.id,
    projectId,
    files: all,
    ingested: all.filter((o) => o.status === 'ok' && !o.alreadyIngested).length,
    errors: all.filter((o) => o.status === 'error').length,
  };
}

/** Where a server keeps uploads in progress and scratch copies: inside its own data folder. */
export function stagingDirOf(dataDir: string): string {
  return join(dataDir, 'staging');
}

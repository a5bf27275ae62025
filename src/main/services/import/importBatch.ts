import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  ProbeSummary,
  type Clip,
  type ImportFileOutcome,
  type ImportReport,
  type ProbeResult,
} from '../../../shared/api/schemas';
import type { EventBus } from '../eventBus';
import { ImportError } from '../../../node/importError';
import type { Store } from '../store/Store';
import { StoreError } from '../store/storeError';
import {
  findBatchFiles,
  resolveBatchFolder,
  type BatchFile,
} from '../../../node/batch/findBatchFiles';
import { readBatchManifest } from '../../../node/batch/readBatchManifest';

export type ImportDeps = {
  store: Store;
  events: EventBus;
  actor: string;
  probe: (filePath: string) => Promise<ProbeResult>;
  fingerprint: (filePath: string) => Promise<string>;
  /** Called once the batch's clips are stored, so checksums start streaming in the background. */
  onClipsAdded: () => void;
  /** Files probed at once: probing is mostly waiting on the disk, so a few overlap well on 2 cores. */
  concurrency?: number;
};

/** Just the summary fields: zod drops the frame table and the clip's own fields. */
function summaryOf(value: ProbeResult | Clip): ProbeSummary {
  return ProbeSummary.parse(value);
}

function alreadyImported(file: BatchFile, clip: Clip): ImportFileOutcome {
  return {
    status: 'ok',
    relativePath: file.relativePath,
    clipId: clip.id,
    alreadyImported: true,
    summary: summaryOf(clip),
  };
}

function failure(file: BatchFile, error: unknown): ImportFileOutcome {
  if (error instanceof ImportError) {
    return {
      status: 'error',
      relativePath: file.relativePath,
      code: error.code,
      message: error.message,
    };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return {
    status: 'error',
    relativePath: file.relativePath,
    code: 'UNREADABLE',
    message: `${file.relativePath} could not be read: ${detail}`,
  };
}

/**
 * Imports a folder: every video is probed (never decoded), stored with its frame table, and every
 * bad file gets its own error while the rest import. The same bytes imported again are a no-op.
 */
export async function importBatch(folder: string, deps: ImportDeps): Promise<ImportReport> {
  const root = await resolveBatchFolder(folder);
  const manifest = await readBatchManifest(root);
  const { files, errors: layoutErrors } = await findBatchFiles(root, manifest);

  const batch = deps.store.media.upsertBatch(
    {
      folder: root,
      name: manifest?.batchId ?? basename(root),
      manifest: manifest
        ? {
            json: JSON.stringify(manifest),
            batchId: manifest.batchId,
            contributor: manifest.contributor.pseudonym,
            region: manifest.contributor.region ?? null,
          }
        : null,
    },
    deps.actor,
  );

  const outcomes: ImportFileOutcome[] = layoutErrors.map((error) => {
    deps.store.media.recordFileError(batch.id, error);
    return { status: 'error', ...error };
  });

  let done = 0;
  const total = files.length;
  const importOne = async (file: BatchFile): Promise<ImportFileOutcome> => {
    try {
      const info = await stat(file.absolutePath);
      if (info.size === 0) {
        throw new ImportError(
          'EMPTY_FILE',
          `${file.relativePath} is empty (0 bytes): copy it from the phone again.`,
          file.relativePath,
        );
      }
      const fingerprint = await deps.fingerprint(file.absolutePath);
      const existing = deps.store.media.findClipByFingerprint(fingerprint);
      if (existing) return alreadyImported(file, existing);
      const probe = await deps.probe(file.absolutePath);
      let clip: Clip;
      try {
        clip = deps.store.media.addClip(
          {
            batchId: batch.id,
            relativePath: file.relativePath,
            filePath: file.absolutePath,
            sizeBytes: info.size,
            mtimeMs: info.mtimeMs,
            fingerprint,
            expectedSha256: file.expectedSha256,
            probe,
          },
          deps.actor,
        );
      } catch (error) {
        // Two copies of the same bytes in one batch race past the lookup above; the first wins.
        const twin = deps.store.media.findClipByFingerprint(fingerprint);
        if (error instanceof StoreError && error.code === 'CLIP_ALREADY_IMPORTED' && twin) {
          return alreadyImported(file, twin);
        }
        if (error instanceof StoreError && error.code === 'PATH_ALREADY_IMPORTED') {
          throw new ImportError(
            'CHANGED_SINCE_IMPORT',
            `${file.relativePath} was imported before with other content: it changed on disk since. Put the new version under a new name.`,
            file.relativePath,
          );
        }
        throw error;
      }
      return {
        status: 'ok',
        relativePath: file.relativePath,
        clipId: clip.id,
        alreadyImported: false,
        summary: summaryOf(probe),
      };
    } catch (error) {
      const outcome = failure(file, error);
      if (outcome.status === 'error') {
        deps.store.media.recordFileError(batch.id, {
          relativePath: outcome.relativePath,
          code: outcome.code,
          message: outcome.message,
        });
      }
      return outcome;
    } finally {
      done += 1;
      deps.events.emit('importProgress', {
        batchId: batch.id,
        phase: 'probe',
        done,
        total,
        relativePath: file.relativePath,
      });
    }
  };

  const results: ImportFileOutcome[] = new Array<ImportFileOutcome>(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const file = files[index];
      if (file) results[index] = await importOne(file);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, deps.concurrency ?? 4) }, worker));

  deps.store.audit.record({
    actor: deps.actor,
    action: 'batch.imported',
    entityType: 'batch',
    entityId: batch.id,
    details: {
      folder: root,
      files: files.length,
      added: results.filter((r) => r.status === 'ok' && !r.alreadyImported).length,
      errors: results.filter((r) => r.status === 'error').length + layoutErrors.length,
    },
  });
  deps.onClipsAdded();

  const report = deps.store.media.getBatch(batch.id) ?? batch;
  return { batch: report, files: [...outcomes, ...results] };
}

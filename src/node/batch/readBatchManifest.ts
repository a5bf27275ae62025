import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseBatchManifest, type BatchManifest } from '../../shared/domain/batchManifest';
import { ImportError } from '../importError';
import { MANIFEST_NAME } from './findBatchFiles';

/**
 * A batch folder's `batch.json`, parsed with the strict rules (consent required), or null when
 * the folder has none. The workstation's import and the server's ingest both read it here.
 */
export async function readBatchManifest(root: string): Promise<BatchManifest | null> {
  const path = join(root, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ImportError(
      'UNREADABLE',
      `batch.json cannot be read: ${(error as Error).message}`,
      path,
    );
  }
  const result = parseBatchManifest(text);
  if (!result.ok) throw new ImportError('MANIFEST_INVALID', result.message, path);
  return result.manifest;
}

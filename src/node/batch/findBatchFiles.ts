import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { FileError } from '../../shared/api/schemas';
import type { BatchManifest } from '../../shared/domain/batchManifest';
import { ImportError } from '../importError';

/** Extensions picked up from a folder without a manifest entry; anything listed in the manifest is tried too. */
const VIDEO_EXTENSIONS = new Set(['.mp4', '.m4v', '.mov', '.webm', '.mkv']);
const MANIFEST_NAME = 'batch.json';

export type BatchFile = {
  relativePath: string;
  absolutePath: string;
  expectedSha256: string | null;
};
export type BatchFiles = { files: BatchFile[]; errors: FileError[] };

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

function toPortable(relativePath: string): string {
  return relativePath.split(sep).join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel);
}

/** Resolves the folder the user picked, with errors that say what is wrong with it. */
export async function resolveBatchFolder(folder: string): Promise<string> {
  let info;
  try {
    info = await stat(folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ImportError('FOLDER_NOT_FOUND', `The folder ${folder} does not exist.`, folder);
    }
    throw new ImportError(
      'UNREADABLE',
      `The folder ${folder} cannot be read (${code ?? 'error'}).`,
      folder,
    );
  }
  if (!info.isDirectory()) {
    throw new ImportError(
      'NOT_A_FOLDER',
      `${folder} is a file, not a folder: choose the folder that holds the batch.`,
      folder,
    );
  }
  return realpath(folder);
}

async function walk(
  root: string,
  dir: string,
  out: BatchFile[],
  errors: FileError[],
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const absolutePath = join(dir, entry.name);
    const relativePath = toPortable(relative(root, absolutePath));
    if (entry.isDirectory()) {
      await walk(root, absolutePath, out, errors);
      continue;
    }
    if (!VIDEO_EXTENSIONS.has(extensionOf(entry.name))) continue;
    if (entry.isSymbolicLink()) {
      // A link may point anywhere on the disk; only files that really live in the batch are imported.
      const target = await realpath(absolutePath).catch(() => null);
      if (target === null || !isInside(root, target)) {
        errors.push({
          relativePath,
          code: 'PATH_OUTSIDE_FOLDER',
          message: `${relativePath} is a link to a file outside the batch folder; copy the file into the folder instead.`,
        });
        continue;
      }
      if (!(await stat(target)).isFile()) continue;
    } else if (!entry.isFile()) {
      continue;
    }
    out.push({ relativePath, absolutePath, expectedSha256: null });
  }
}

/**
 * The files of a batch: every video in the folder (recursively), plus every file the manifest
 * names. Manifest paths were checked as strings already; here the disk is asked where they lead.
 */
export async function findBatchFiles(
  root: string,
  manifest: BatchManifest | null,
): Promise<BatchFiles> {
  const files: BatchFile[] = [];
  const errors: FileError[] = [];
  await walk(root, root, files, errors);
  const byPath = new Map(files.map((file) => [file.relativePath, file]));

  for (const [index, clip] of (manifest?.clips ?? []).entries()) {
    const relativePath = clip.path.replace(/^\.\//, '');
    const absolutePath = join(root, relativePath);
    let target: string;
    try {
      target = await realpath(absolutePath);
    } catch {
      errors.push({
        relativePath,
        code: 'FILE_MISSING',
        message: `${relativePath} is listed in batch.json (clips[${index}]) but is not in the folder.`,
      });
      continue;
    }
    if (!isInside(root, target)) {
      throw new ImportError(
        'PATH_OUTSIDE_FOLDER',
        `batch.json clips[${index}].path: "${clip.path}" leads outside the batch folder (through a link); the batch was not imported.`,
        join(root, MANIFEST_NAME),
      );
    }
    const known = byPath.get(relativePath);
    if (known) {
      known.expectedSha256 = clip.sha256 ?? null;
    } else if ((await lstat(absolutePath)).isFile() || (await stat(target)).isFile()) {
      const file = { relativePath, absolutePath, expectedSha256: clip.sha256 ?? null };
      files.push(file);
      byPath.set(relativePath, file);
    }
  }
  files.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
  return { files, errors };
}

export { MANIFEST_NAME };

import { basename } from 'node:path';
import { ImportError } from '../importError';

/** Turns what the file system threw while reading a clip into an error that says what to do. */
export function fileReadError(error: unknown, filePath: string): ImportError {
  if (error instanceof ImportError) return error;
  const name = basename(filePath);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') {
    return new ImportError(
      'FILE_MISSING',
      `"${name}" was not found; it may have been moved or deleted.`,
      filePath,
    );
  }
  if (code === 'EISDIR') {
    return new ImportError('NOT_A_VIDEO', `"${name}" is a folder, not a video.`, filePath);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ImportError(
      'UNREADABLE',
      `"${name}" cannot be opened: permission denied. Check the file's permissions.`,
      filePath,
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ImportError('UNREADABLE', `"${name}" could not be read: ${detail}.`, filePath);
}

import type { ImportErrorCode } from '../shared/api/schemas';
import { ApiError } from '../shared/api/apiError';

/** A file or folder that could not be imported: a stable code, the file, and what the user can do. */
export class ImportError extends ApiError<ImportErrorCode> {
  override name = 'ImportError';
  constructor(
    code: ImportErrorCode,
    message: string,
    readonly file: string | null = null,
  ) {
    super(code, message);
  }
}

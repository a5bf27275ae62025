import type { ImportErrorCode } from '../../shared/api/schemas';
import { ApiError } from '../../shared/api/apiError';

/** A file or folder that could not be imported: a stable code, the file, and what the user can do. */
export class ImportError extends ApiError {
  declare readonly code: ImportErrorCode;
  readonly file: string | null;
  constructor(code: ImportErrorCode, message: string, file: string | null = null) {
    super(code, message);
    this.name = 'ImportError';
    this.file = file;
  }
}

import { ApiError } from '../../../shared/api/apiError';

export type ExportErrorCode =
  | 'BATCH_NOT_FOUND'
  | 'CLIP_NOT_FOUND'
  | 'DESTINATION_EXISTS'
  | 'DESTINATION_INVALID'
  | 'NOTHING_TO_EXPORT'
  | 'MIXED_PROJECTS'
  | 'EXPORT_NOT_FOUND'
  | 'CANCELLED'
  | 'WRITE_FAILED';

/** An export that cannot start or did not finish: a stable code and what to do about it. */
export class ExportError extends ApiError<ExportErrorCode> {
  override name = 'ExportError';
}

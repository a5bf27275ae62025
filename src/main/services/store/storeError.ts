import { ApiError } from '../../../shared/api/apiError';

export type StoreErrorCode =
  | 'DATABASE_TOO_NEW'
  | 'DATABASE_NEEDS_MIGRATION'
  | 'DATABASE_NOT_FOUND'
  | 'CLIP_ALREADY_IMPORTED'
  | 'PATH_ALREADY_IMPORTED'
  | 'CLIP_NOT_FOUND'
  | 'FRAME_TABLE_MISMATCH'
  | 'INVALID_INPUT'
  | 'PROJECT_NOT_FOUND'
  | 'ANNOTATION_SET_NOT_FOUND'
  | 'SET_NOT_EDITABLE'
  | 'STALE_EDIT'
  | 'EDIT_REFUSED'
  | 'STATUS_CHANGE_REFUSED'
  | 'CLIP_LOCKED'
  | 'WITHDRAWAL_INVALID';

/** A database condition the caller can act on: a stable code and a sentence that says what to do. */
export class StoreError extends ApiError<StoreErrorCode> {
  override name = 'StoreError';
}

import { ApiError } from '../../../shared/api/apiError';

export type PreannotationErrorCode =
  | 'CLIP_NOT_FOUND'
  | 'FRAME_OUT_OF_RANGE'
  | 'MODEL_FILES_MISSING'
  | 'MODEL_FAILED'
  | 'DECODE_FAILED'
  | 'WORKER_FAILED'
  | 'JOB_NOT_FOUND';

/** Pre-annotation that cannot start or did not finish: a stable code and what to do about it. */
export class PreannotationError extends ApiError<PreannotationErrorCode> {
  override name = 'PreannotationError';
}

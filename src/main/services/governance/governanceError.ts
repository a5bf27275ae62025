import { ApiError } from '../../../shared/api/apiError';

export type GovernanceErrorCode =
  'WITHDRAWAL_INVALID' | 'CLIP_NOT_FOUND' | 'BATCH_NOT_FOUND' | 'PROJECT_NOT_FOUND';

/** A governance request that cannot be carried out: a stable code and what to do about it. */
export class GovernanceError extends ApiError<GovernanceErrorCode> {
  override name = 'GovernanceError';
}

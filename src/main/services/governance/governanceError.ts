import { ApiError } from '../../../shared/api/apiError';

export type GovernanceErrorCode =
  'WITHDRAWAL_INVALID' | 'CLIP_NOT_FOUND' | 'BATCH_NOT_FOUND' | 'PROJECT_NOT_FOUND';

/** A governance request that cannot be carried out: a stable code and what to do about it. */
export class GovernanceError extends ApiError {
  declare readonly code: GovernanceErrorCode;
  constructor(code: GovernanceErrorCode, message: string) {
    super(code, message);
    this.name = 'GovernanceError';
  }
}

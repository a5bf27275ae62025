import { ApiError } from '../../../shared/api/apiError';

export type SyncErrorCode =
  | 'NETWORK'
  | 'SERVER_ERROR'
  | 'RATE_LIMITED'
  | 'UNAUTHORIZED'
  | 'BAD_SERVER_URL'
  | 'BAD_ANSWER'
  | 'NOT_CONFIGURED'
  | 'NO_SECURE_STORAGE';

/** An ApiError, so the contract and the CLI pass its code and sentence on to the user. */
export class SyncError extends ApiError<SyncErrorCode> {
  override name = 'SyncError';
  /** Worth retrying later with the same request (the network, a 5xx, a 429). */
  readonly transient: boolean;

  constructor(code: SyncErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.transient = code === 'NETWORK' || code === 'SERVER_ERROR' || code === 'RATE_LIMITED';
  }
}

import { CodedError } from '../domain/codedError';

/**
 * An error meant for the user across the contract: dispatch, the loopback host and the CLI pass
 * its code and sentence on as `{ error: { code, message } }`.
 */
export class ApiError<Code extends string = string> extends CodedError<Code> {
  override name = 'ApiError';
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}

/**
 * The one error base: a stable `code` that programs branch on, a `message` that tells a person
 * what to do, and the `cause` it came from. Each boundary turns it into
 * `{ error: { code, message } }`: the contract's dispatch and the CLI for an ApiError
 * (src/shared/api/apiError.ts), the team server for a ServerError, which adds an HTTP status.
 * Subclasses narrow `Code` to their own list and name themselves, so logs say which layer threw.
 */
export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;
  override name = 'CodedError';

  constructor(code: Code, message: string, options: { cause?: unknown } = {}) {
    // Like a plain Error, no `cause` property at all when there is none.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

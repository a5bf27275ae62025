/** Codes the server answers with; the HTTP status goes with the code. */
export type ServerErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'INVALID_INPUT'
  | 'STALE_REVISION'
  | 'SET_LOCKED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_MISSING'
  | 'CONFLICT'
  | 'USER_EXISTS'
  | 'USER_NOT_FOUND'
  | 'REASON_REQUIRED'
  | 'CONSENT_WITHDRAWN';

const STATUS: Readonly<Record<ServerErrorCode, number>> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INVALID_INPUT: 400,
  STALE_REVISION: 409,
  SET_LOCKED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_MISSING: 400,
  CONFLICT: 409,
  USER_EXISTS: 409,
  USER_NOT_FOUND: 404,
  REASON_REQUIRED: 400,
  CONSENT_WITHDRAWN: 410,
};

export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly status: number;
  /** Extra fields for the answer (a 409 carries the server's current revision). */
  readonly details: Record<string, unknown>;

  constructor(code: ServerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
    this.status = STATUS[code];
    this.details = details;
  }
}

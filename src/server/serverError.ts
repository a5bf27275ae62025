import { CodedError } from '../shared/domain/codedError';

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
  | 'CONSENT_WITHDRAWN'
  | 'NOTHING_TO_EXPORT'
  | 'MANIFEST_INVALID'
  | 'UPLOAD_OFFSET_MISMATCH'
  | 'UPLOAD_BUSY'
  | 'CHUNK_TOO_LARGE'
  | 'CHECKSUM_MISMATCH'
  | 'RANGE_NOT_SATISFIABLE'
  | 'CLIP_NOT_DELIVERABLE';

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
  NOTHING_TO_EXPORT: 422,
  MANIFEST_INVALID: 400,
  UPLOAD_OFFSET_MISMATCH: 409,
  UPLOAD_BUSY: 409,
  CHUNK_TOO_LARGE: 413,
  CHECKSUM_MISMATCH: 422,
  RANGE_NOT_SATISFIABLE: 416,
  CLIP_NOT_DELIVERABLE: 404,
};

/** The server's CodedError: app.ts answers it with its status and `{ error: { code, message } }`. */
export class ServerError extends CodedError<ServerErrorCode> {
  override name = 'ServerError';
  readonly status: number;

  constructor(
    code: ServerErrorCode,
    message: string,
    /** Extra fields for the answer (a 409 carries the server's current revision). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(code, message);
    this.status = STATUS[code];
  }
}

import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../shared/api/syncProtocol';
import type { Queryable } from './db/Db';
import { ServerError } from './serverError';

export type AuthUser = { id: string; name: string; role: Role };

/** 32 random bytes: a token is a bearer secret, shown once, and only its sha256 is stored. */
export function generateToken(): string {
  return `fwt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{8,200})$/;

/**
 * The user behind an `Authorization: Bearer` header. Unknown, revoked, expired or malformed
 * tokens are one answer (401), so a caller learns nothing about which it was.
 */
export async function authenticate(db: Queryable, header: string | undefined): Promise<AuthUser> {
  const match = header === undefined ? null : BEARER.exec(header);
  const token = match?.[1];
  if (token === undefined) {
    throw new ServerError(
      'UNAUTHORIZED',
      'Sign in with an API token: Authorization: Bearer <token>.',
    );
  }
  const rows = await db.query<AuthUser>(
    /* sql */ `
    SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > now())`,
    [hashToken(token)],
  );
  const user = rows[0];
  if (user === undefined) {
    throw new ServerError(
      'UNAUTHORIZED',
      'This token is not valid (unknown, revoked or expired); ask your team lead for a new one.',
    );
  }
  return user;
}

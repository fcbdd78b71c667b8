// What every revocation store agrees on: how revoke() and revokeSubject() check their arguments,
// what a revocation entry refuses, and how "cannot tell" is reported. One copy, so that the memory
// store and the Redis store cannot drift apart.
import type { AccessTokenClaims } from '../claims/types.js';
import { AccessTokenError } from '../errors.js';
import type { RevocationFailOpenEvent } from '../events/revocation.js';

/**
 * What a store holds under one key: `true` refuses the token with that `jti`; `{ before }` refuses
 * the subject's tokens issued before that cut-off (seconds since the epoch).
 */
export type Revocation = true | { readonly before: number };

/**
 * Whether `entry` refuses a token with these claims. A token without `iat` cannot prove it was
 * issued after a subject's cut-off, so it is refused.
 */
export function refuses(entry: Revocation, claims: AccessTokenClaims): boolean {
  return entry === true || typeof claims.iat !== 'number' || claims.iat < entry.before;
}

/** Throws a TypeError naming the argument of `revoke(jti, expiresAt, issuer?)` that is wrong. */
export function checkRevokeArguments(jti: unknown, expiresAt: unknown, issuer: unknown): void {
  if (typeof jti !== 'string' || jti.length === 0) throw new TypeError('tokenwarden: revoke(jti) needs a non-empty string');
  if (!isTime(expiresAt)) throw new TypeError('tokenwarden: revoke(jti, expiresAt) needs expiresAt in seconds since the epoch');
  checkIssuer('revoke', issuer);
}

/** Throws a TypeError naming the argument of `revokeSubject(sub, before?, issuer?)` that is wrong. */
export function checkRevokeSubjectArguments(sub: unknown, before: unknown, issuer: unknown): void {
  if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('tokenwarden: revokeSubject(sub) needs a non-empty string');
  if (!isTime(before)) throw new TypeError('tokenwarden: revokeSubject(sub, before) needs before in seconds since the epoch');
  checkIssuer('revokeSubject', issuer);
}

const isTime = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function checkIssuer(method: string, issuer: unknown): void {
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0)) {
    throw new TypeError(`tokenwarden: ${method}(…, issuer) needs a non-empty string or nothing`);
  }
}

/**
 * The `revocation_unavailable` refusal (503): the store could not tell whether the token is
 * revoked. `cause` is kept for the operator. With `quoteCause`, its message is added to ours:
 * only for errors of our own or of a Redis client, which name a failure and never a token; a
 * user's checker may put anything in its errors, so theirs stay out of the message.
 */
export function revocationUnavailable(
  message: string,
  { cause, quoteCause = false }: { readonly cause?: unknown; readonly quoteCause?: boolean } = {},
): AccessTokenError {
  const detail = quoteCause && cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return new AccessTokenError('revocation_unavailable', `${message}${detail}`, { cause });
}

/** The `tokenwarden:revocation:fail-open` event of a token let through unchecked: its claims, never its text. */
export function failOpenEvent(claims: AccessTokenClaims, error: Error): RevocationFailOpenEvent {
  return {
    issuer: stringClaim(claims.iss),
    sub: stringClaim(claims.sub),
    jti: stringClaim(claims.jti),
    clientId: stringClaim(claims.client_id),
    error,
  };
}

export const stringClaim = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

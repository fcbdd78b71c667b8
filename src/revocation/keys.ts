// How every store names a revocation: by kind, issuer and id, never by the token. The memory store
// uses these names as they are; the Redis store puts its prefix in front of them.
import type { AccessTokenClaims } from '../claims/types.js';

/** The key of a revocation of the token with this `jti`, from `issuer` or (without) from any issuer. */
export const tokenKey = (jti: string, issuer: string | undefined): string => key('jti', issuerTag(issuer), jti);

/** The key of a revocation of the tokens of `sub`, from `issuer` or (without) from any issuer. */
export const subjectKey = (sub: string, issuer: string | undefined): string => key('sub', issuerTag(issuer), sub);

/** Whether `name` is the key of a token's revocation (rather than a subject's). */
export const isTokenKey = (name: string): boolean => name.startsWith('jti:');

/**
 * The keys that can revoke this token: its `jti` and its `sub`, each for its issuer and for any
 * issuer. Empty when the token has neither.
 */
export function lookupKeys(claims: AccessTokenClaims): string[] {
  const keys: string[] = [];
  const tag = typeof claims.iss === 'string' && claims.iss !== '' ? issuerTag(claims.iss) : undefined;
  if (typeof claims.jti === 'string' && claims.jti !== '') {
    if (tag !== undefined) keys.push(key('jti', tag, claims.jti));
    keys.push(key('jti', ANY_ISSUER, claims.jti));
  }
  if (typeof claims.sub === 'string' && claims.sub !== '') {
    if (tag !== undefined) keys.push(key('sub', tag, claims.sub));
    keys.push(key('sub', ANY_ISSUER, claims.sub));
  }
  return keys;
}

const key = (kind: 'jti' | 'sub', tag: string, id: string): string => `${kind}:${tag}:${id}`;

// `*` for "any issuer"; otherwise length-prefixed, so that an issuer containing ':' (every URL
// does) can never make two different (issuer, id) pairs share a key.
const ANY_ISSUER = '*';
const issuerTag = (issuer: string | undefined): string => (issuer === undefined ? ANY_ISSUER : `${issuer.length}:${issuer}`);

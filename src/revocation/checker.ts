import { AccessTokenError } from '../errors.js';
import type { AccessTokenClaims } from '../claims/types.js';
import type { JwsHeader } from '../token/parse.js';

/**
 * Decides whether a token whose signature and claims are valid has been revoked. Consulted
 * last, so stores only ever see authentic tokens.
 *
 * @example
 * ```ts
 * const checker: RevocationChecker = {
 *   isRevoked: async (claims) => denyList.has(`${claims.iss}:${claims.jti}`),
 * };
 * ```
 */
export interface RevocationChecker {
  /** `true` refuses the token (`token_revoked`); a throw or rejection means "cannot tell". */
  isRevoked(claims: AccessTokenClaims, header: JwsHeader): boolean | Promise<boolean>;
  /**
   * Seconds a revocation is kept past the token's `exp`. When set, createVerifier refuses a
   * `clockTolerance` larger than this: the verifier would otherwise accept a revoked token
   * in the window after the store forgot it.
   */
  readonly clockTolerance?: number;
}

export interface RevocationPolicy {
  readonly checker: RevocationChecker;
  /** Accept the token when the checker fails (default false: fail closed). */
  readonly failOpen: boolean;
  /** Milliseconds to wait for an asynchronous answer. */
  readonly timeout: number;
}

const unavailable = (message: string, cause?: unknown): AccessTokenError =>
  new AccessTokenError('revocation_unavailable', message, { cause });

/** Asks the checker, turning every failure into `revocation_unavailable` unless fail-open. */
export async function checkRevocation(
  policy: RevocationPolicy,
  claims: AccessTokenClaims,
  header: JwsHeader,
): Promise<void> {
  let revoked: unknown;
  try {
    revoked = policy.checker.isRevoked(claims, header);
    if (revoked instanceof Promise) revoked = await withTimeout(revoked, policy.timeout);
  } catch (error) {
    if (policy.failOpen) return;
    throw error instanceof AccessTokenError ? error : unavailable('revocation check failed', error);
  }
  if (revoked === true) throw new AccessTokenError('token_revoked', 'token has been revoked');
  if (revoked !== false && !policy.failOpen) {
    // Only a definite `false` lets a token through: `undefined` from a buggy store is not "no".
    throw unavailable('revocation checker returned a non-boolean answer');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(`revocation check did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

import { AccessTokenError } from '../errors.js';
import type { AccessTokenClaims } from '../claims/types.js';
import type { RevocationErrorEvent, RevocationFailOpenEvent } from '../events/revocation.js';
import type { EventSink } from '../events/sink.js';
import { withTimeout } from '../lib/timeout.js';
import type { JwsHeader } from '../token/parse.js';
import { failOpenEvent, revocationUnavailable } from './rules.js';

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
  /** Where to publish the checker's failures. @default nowhere */
  readonly events?: RevocationEvents;
}

/** The sinks a revocation check publishes to (the verifier hands it the diagnostics channels). */
export interface RevocationEvents {
  readonly error: EventSink<RevocationErrorEvent>;
  readonly failOpen: EventSink<RevocationFailOpenEvent>;
}

/** Asks the checker, turning every failure into `revocation_unavailable` unless fail-open. */
export async function checkRevocation(
  policy: RevocationPolicy,
  claims: AccessTokenClaims,
  header: JwsHeader,
): Promise<void> {
  let revoked: unknown;
  try {
    revoked = policy.checker.isRevoked(claims, header);
    if (revoked instanceof Promise) {
      const { timeout } = policy;
      revoked = await withTimeout(revoked, timeout, () => revocationUnavailable(`revocation check did not answer within ${timeout} ms`));
    }
  } catch (error) {
    const refusal = error instanceof AccessTokenError ? error : revocationUnavailable('revocation check failed', { cause: error });
    report(policy, claims, refusal);
    if (policy.failOpen) return;
    throw refusal;
  }
  if (revoked === true) throw new AccessTokenError('token_revoked', 'token has been revoked');
  if (revoked !== false) {
    // Only a definite `false` lets a token through: `undefined` from a buggy store is not "no".
    const refusal = revocationUnavailable('revocation checker returned a non-boolean answer');
    report(policy, claims, refusal);
    if (!policy.failOpen) throw refusal;
  }
}

/** Publishes a failed check, and the token it let through when fail-open. */
function report(policy: RevocationPolicy, claims: AccessTokenClaims, error: AccessTokenError): void {
  const { events, failOpen } = policy;
  if (events === undefined) return;
  if (events.error.hasSubscribers) events.error.publish({ issuer: claims.iss, error, failOpen });
  if (failOpen && events.failOpen.hasSubscribers) events.failOpen.publish(failOpenEvent(claims, error));
}

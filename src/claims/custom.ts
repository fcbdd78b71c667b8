import type { AccessTokenClaims } from './types.js';
import { AccessTokenError, isAccessTokenError } from '../errors.js';
import type { JwsHeader } from '../token/parse.js';

/**
 * The `validate` option: a check of your own, run inside verification after the built-in claim
 * checks (cached verifications included) and before revocation. Throw, or reject, to refuse.
 */
export type CustomCheck = (claims: AccessTokenClaims, header: JwsHeader) => void | Promise<void>;

/**
 * Runs `check`, turning what it throws into a refusal: the user's own {@link AccessTokenError}
 * as it is, anything else `claim_invalid` with the thrown error as its `cause`. Synchronous
 * when the check is, so a sync check costs no promise.
 */
export function runCustomCheck(check: CustomCheck, claims: AccessTokenClaims, header: JwsHeader): void | Promise<void> {
  let result: unknown;
  try {
    result = check(claims, header);
  } catch (error) {
    throw refusalFrom(error);
  }
  // Any thenable, not only a native Promise: the check may come from another realm or library.
  if (typeof (result as PromiseLike<void> | undefined)?.then === 'function') {
    return Promise.resolve(result as PromiseLike<void>).then(
      () => undefined,
      (error: unknown) => {
        throw refusalFrom(error);
      },
    );
  }
}

function refusalFrom(error: unknown): AccessTokenError {
  if (isAccessTokenError(error)) return error;
  // A non-Error throw is a bug in the check, and its value may be anything: it is kept as the
  // cause, never turned into the message.
  const message = error instanceof Error && error.message !== '' ? error.message : 'the validate option refused the token';
  return new AccessTokenError('claim_invalid', message, { cause: error });
}

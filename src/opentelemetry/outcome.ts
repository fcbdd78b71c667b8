import { isAccessTokenError } from '../errors.js';
import type { VerifyContext } from '../events/verify.js';
import type { VerificationOutcome } from './names.js';

/** How one verification ended, as metrics and spans report it. */
export interface Verdict {
  readonly outcome: VerificationOutcome;
  /** The AccessTokenError's code; unset on success, and for an error that is not one (a bug). */
  readonly code: string | undefined;
}

const ACCEPTED: Verdict = Object.freeze({ outcome: 'accepted', code: undefined });
// Anything but an AccessTokenError is a bug of tokenwarden or of a revocation checker's
// wrapper: counted as "unavailable" (the service could not decide), with no code to invent.
const UNEXPECTED: Verdict = Object.freeze({ outcome: 'unavailable', code: undefined });

/**
 * The verdict a finished trace context records. isAccessTokenError also recognises the error
 * of another copy of tokenwarden (ESM and CommonJS, or two versions), which publishes on the
 * same channels.
 */
export function verdictOf(context: VerifyContext): Verdict {
  if (!('error' in context)) return ACCEPTED;
  const { error } = context;
  if (!isAccessTokenError(error)) return UNEXPECTED;
  return { outcome: error.status === 503 ? 'unavailable' : 'refused', code: error.code };
}

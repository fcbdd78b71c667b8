// What a guard knows about its refusal beyond the error code: the scopes the route requires
// (for the challenge's `scope`) and a client-safe description naming the missing ones.
// Kept beside the error rather than on it so AccessTokenError stays one plain class.
import { AccessTokenError } from '../errors.js';

export interface DenialHint {
  /** Scopes the refused route requires, for `WWW-Authenticate: Bearer scope="…"`. */
  readonly scope?: readonly string[];
  /** Client-safe `error_description`, used instead of the code's generic one. */
  readonly description?: string;
}

const hints = new WeakMap<AccessTokenError, DenialHint>();

/** An `insufficient_scope` refusal carrying `hint` for the HTTP answer. */
export function deny(message: string, hint: DenialHint = {}): AccessTokenError {
  const error = new AccessTokenError('insufficient_scope', message);
  hints.set(error, hint);
  return error;
}

/** The hint a guard attached to `error`, if any. */
export function hintOf(error: AccessTokenError): DenialHint | undefined {
  return hints.get(error);
}

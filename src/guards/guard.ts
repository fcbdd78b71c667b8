import type { AccessTokenClaims } from '../claims/types.js';

/**
 * An authorization rule checked after a token is verified. It returns (or resolves) when the
 * claims satisfy it and throws an `AccessTokenError` — normally `insufficient_scope`, which
 * adapters answer with 403 — when they do not. Any other error is a bug or a configuration
 * mistake and reaches the framework's error handling as a 500.
 *
 * Guards are plain functions: pass them to an adapter, or call them yourself.
 *
 * @example
 * ```ts
 * const canWrite = requireScopes('orders:write');
 * await canWrite(claims); // throws AccessTokenError('insufficient_scope') without the scope
 * ```
 */
export type Guard<Claims extends object = Record<never, never>> = (claims: AccessTokenClaims & Claims) => void | Promise<void>;

/** Checks a list of guards; throws TypeError naming `where` it came from (e.g. `option "guards"`). */
export function guardList<Claims extends object>(where: string, value: unknown): readonly Guard<Claims>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`tokenwarden: ${where} must be an array of guards`);
  for (const guard of value) {
    if (typeof guard !== 'function') throw new TypeError(`tokenwarden: ${where} must contain only guards (functions)`);
  }
  return Object.freeze([...(value as Guard<Claims>[])]);
}

/** Runs guards in order; the first refusal wins. Synchronous guards cost no extra tick. */
export async function runGuards<Claims extends object>(
  guards: readonly Guard<Claims>[],
  claims: AccessTokenClaims & Claims,
): Promise<void> {
  for (const guard of guards) {
    const pending = guard(claims);
    if (pending !== undefined) await pending;
  }
}

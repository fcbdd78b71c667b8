import { isAccessTokenError } from '../errors.js';
import { guardList, runGuards, type Guard } from './guard.js';

/**
 * A guard that passes when every one of `guards` passes, checked in order. A list of guards
 * given to an adapter means the same; `allOf` is for nesting inside {@link anyOf}.
 *
 * @example
 * ```ts
 * anyOf(requireRoles('admin'), allOf(requireScopes('orders:write'), requireClaims(isOwnTenant)))
 * ```
 */
export function allOf<Claims extends object = Record<never, never>>(...guards: Guard<Claims>[]): Guard<Claims> {
  const list = guardList<Claims>('the arguments of allOf', guards);
  if (list.length === 0) throw new TypeError('tokenwarden: allOf needs at least one guard');
  return (claims) => runGuards(list, claims);
}

/**
 * A guard that passes when at least one of `guards` passes, tried in order. When none does,
 * the first one's refusal is the answer. An error that is not an `AccessTokenError` stops the
 * check at once: it is a bug, not a refusal.
 *
 * @example
 * ```ts
 * anyOf(requireRoles('admin'), requireScopes('orders:read'))
 * ```
 */
export function anyOf<Claims extends object = Record<never, never>>(...guards: Guard<Claims>[]): Guard<Claims> {
  const list = guardList<Claims>('the arguments of anyOf', guards);
  if (list.length === 0) throw new TypeError('tokenwarden: anyOf needs at least one guard');
  return async (claims) => {
    let first: unknown;
    for (const guard of list) {
      try {
        await guard(claims);
        return;
      } catch (error) {
        if (!isAccessTokenError(error)) throw error;
        first ??= error;
      }
    }
    throw first;
  };
}

import type { AccessTokenClaims } from '../claims/types.js';
import { insufficientScope } from '../errors.js';
import type { Guard } from './guard.js';

/**
 * A guard for attribute-based rules: passes when `predicate` returns (or resolves to) `true`
 * — exactly `true`, so a predicate that forgets to return refuses. A predicate that throws
 * is a bug: the error reaches the framework as a 500.
 *
 * @example
 * ```ts
 * // The tenant in the path must be the token's tenant.
 * const sameTenant = requireClaims<{ tenant: string }>((claims) => claims.tenant === currentTenant());
 * // Asynchronous rules work too.
 * const activeAccount = requireClaims(async (claims) => accounts.isActive(claims.sub));
 * ```
 */
export function requireClaims<Claims extends object = Record<never, never>>(
  predicate: (claims: AccessTokenClaims & Claims) => boolean | Promise<boolean>,
): Guard<Claims> {
  if (typeof predicate !== 'function') throw new TypeError('tokenwarden: requireClaims needs a predicate function');
  return (claims) => {
    const verdict = predicate(claims);
    if (verdict === true) return;
    if (verdict === false) throw insufficientScope('token claims do not satisfy the route rule');
    return Promise.resolve(verdict).then((value) => {
      if (value !== true) throw insufficientScope('token claims do not satisfy the route rule');
    });
  };
}

import type { AccessTokenClaims } from '../claims/types.js';
import { ERROR_DESCRIPTION, insufficientScope } from '../errors.js';
import { isScopeToken } from '../lib/options.js';
import type { Guard } from './guard.js';

function addScopes(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    for (const scope of value.split(' ')) if (scope !== '') into.add(scope);
  } else if (Array.isArray(value)) {
    for (const scope of value) if (typeof scope === 'string' && scope !== '') into.add(scope);
  }
}

/**
 * The scopes a token grants: the space-delimited `scope` claim (RFC 9068 §2.2.3) together
 * with `scp`, which some issuers send as an array (Okta) or a string (Microsoft Entra ID).
 */
export function grantedScopes(claims: AccessTokenClaims): ReadonlySet<string> {
  const granted = new Set<string>();
  addScopes(claims.scope, granted);
  addScopes(claims.scp, granted);
  return granted;
}

function scopeList(name: string, scopes: readonly unknown[]): readonly string[] {
  if (scopes.length === 0) throw new TypeError(`tokenwarden: ${name} needs at least one scope`);
  for (const scope of scopes) {
    if (!isScopeToken(scope)) {
      throw new TypeError(
        `tokenwarden: ${name} got ${JSON.stringify(scope)}; a scope is printable ASCII without spaces, quotes or backslashes`,
      );
    }
  }
  return Object.freeze([...new Set(scopes as string[])]);
}

/**
 * A guard that passes when the token grants every one of `scopes`. A refusal is a 403 whose
 * challenge lists the required scopes and whose description names the missing ones.
 *
 * @example
 * ```ts
 * app.get('/orders', auth.protect(requireScopes('orders:read')), listOrders);
 * ```
 */
export function requireScopes(...scopes: string[]): Guard {
  const required = scopeList('requireScopes', scopes);
  return (claims) => {
    const granted = grantedScopes(claims);
    const missing = required.filter((scope) => !granted.has(scope));
    if (missing.length === 0) return;
    const named = missing.join(', ');
    throw insufficientScope(`token lacks scope${missing.length > 1 ? 's' : ''} ${named}`, {
      requiredScopes: required,
      description: `${ERROR_DESCRIPTION.insufficient_scope} (missing scope${missing.length > 1 ? 's' : ''}: ${named})`,
    });
  };
}

/**
 * A guard that passes when the token grants at least one of `scopes`.
 *
 * @example
 * ```ts
 * requireAnyScope('orders:read', 'orders:admin')
 * ```
 */
export function requireAnyScope(...scopes: string[]): Guard {
  const accepted = scopeList('requireAnyScope', scopes);
  return (claims) => {
    const granted = grantedScopes(claims);
    if (accepted.some((scope) => granted.has(scope))) return;
    const named = accepted.join(', ');
    throw insufficientScope(`token has none of the scopes ${named}`, {
      requiredScopes: accepted,
      description: `${ERROR_DESCRIPTION.insufficient_scope} (requires one of the scopes: ${named})`,
    });
  };
}

import type { AccessTokenClaims } from '../claims/types.js';
import { insufficientScope } from '../errors.js';
import { fail, knownKeys, oneOf, optionsObject } from '../lib/options.js';
import type { Guard } from './guard.js';

/** Where {@link requireRoles} looks for roles and how many it needs. */
export interface RequireRolesOptions {
  /**
   * The claim holding the roles: a name (`'roles'`, `'groups'`, `'permissions'`), a dotted
   * path into nested objects (`'realm_access.roles'`, `'resource_access.orders-api.roles'`), or
   * an array of path segments when a name itself contains dots
   * (`['https://example.com/roles']`). The claim may be an array of strings, or a string of
   * space-separated roles (`"admin ops"` is two roles; a role name with a space needs an array).
   * @default 'roles'
   */
  claim?: string | readonly string[];
  /**
   * `'all'`: the token must have every listed role; `'any'`: at least one of them.
   * @default 'all'
   */
  match?: 'all' | 'any';
}

function claimPath(value: unknown): readonly string[] {
  const path = typeof value === 'string' ? value.split('.') : value;
  if (!Array.isArray(path) || path.length === 0 || path.some((part) => typeof part !== 'string' || part === '')) {
    fail('claim', 'a claim name, a dotted path or an array of path segments');
  }
  return Object.freeze([...(path as string[])]);
}

/** The value at `path` in `claims`, through own properties of plain objects only. */
export function claimAt(claims: AccessTokenClaims, path: readonly string[]): unknown {
  let current: unknown = claims;
  for (const part of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, part)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

// Providers that put roles in a custom string claim write them space-separated, as `scope` is
// (auth0's claimIncludes reads them so too): "admin ops" is two roles. A role whose name holds a
// space can only come in an array.
const SPACES = /\s+/;

function rolesIn(value: unknown): ReadonlySet<string> {
  if (typeof value === 'string') return new Set(value.split(SPACES).filter((role) => role !== ''));
  if (!Array.isArray(value)) return new Set();
  return new Set(value.filter((role): role is string => typeof role === 'string'));
}

/**
 * A guard that passes when the token carries the given role(s) in a configurable claim:
 * role-based access for issuers that put roles, groups or permissions in the token.
 *
 * @example
 * ```ts
 * requireRoles('admin')                                        // claims.roles
 * requireRoles(['admin', 'ops'], { match: 'any' })
 * requireRoles('admin', { claim: 'realm_access.roles' })       // Keycloak realm roles
 * requireRoles('orders:delete', { claim: 'permissions' })      // Auth0 RBAC
 * ```
 */
export function requireRoles(roles: string | readonly string[], options: RequireRolesOptions = {}): Guard {
  const list = typeof roles === 'string' ? [roles] : roles;
  if (!Array.isArray(list) || list.length === 0 || list.some((role) => typeof role !== 'string' || role === '')) {
    throw new TypeError('tokenwarden: requireRoles needs a role name or a non-empty array of role names');
  }
  knownKeys('', optionsObject('requireRoles', options), ['claim', 'match']);
  const path = claimPath(options.claim ?? 'roles');
  const match = oneOf('match', options.match, ['all', 'any'], 'all');
  const required = Object.freeze([...new Set(list as string[])]);
  const where = path.join('.');

  return (claims) => {
    const held = rolesIn(claimAt(claims, path));
    const ok = match === 'all' ? required.every((role) => held.has(role)) : required.some((role) => held.has(role));
    if (ok) return;
    // Role names stay out of the client-facing description: they can name internal groups.
    throw insufficientScope(`token lacks ${match === 'all' ? 'a required' : 'every accepted'} role in "${where}"`);
  };
}

// Route rules: in order, first match wins. A rule matches on method(s) and path (exact,
// prefix or glob), then says what the request needs: scopes, any of some scopes, roles, or
// nothing (`anonymous`). Built from the guards every adapter uses, so a route here refuses
// exactly as `protect(requireScopes(…))` would.
import { allOf } from '../guards/compose.js';
import type { Guard } from '../guards/guard.js';
import { requireRoles } from '../guards/roles.js';
import { requireAnyScope, requireScopes } from '../guards/scopes.js';
import { isScopeToken } from '../lib/options.js';
import { booleanAt, child, isNonEmptyString, listAt, objectAt, oneOfAt, wrong, type ConfigPath } from './config-checks.js';

/** One checked route rule. */
export interface RouteRule {
  /** Where it was configured (`routes[2]`), for logs and errors. */
  readonly where: string;
  /** Upper-case methods; `undefined` for every method. */
  readonly methods: ReadonlySet<string> | undefined;
  /** True when `path` (normalised, without query) is this rule's. */
  matchesPath(path: string): boolean;
  /** Let through without a token. */
  readonly anonymous: boolean;
  /** The guards a verified token must pass (empty: any valid token). */
  readonly guards: readonly Guard[];
}

const RULE_KEYS = ['methods', 'path', 'prefix', 'glob', 'scopes', 'anyScope', 'roles', 'rolesClaim', 'rolesMatch', 'anonymous'] as const;
const METHOD = /^[A-Z]+$/;
const isMethod = (value: unknown): value is string => typeof value === 'string' && METHOD.test(value);
const isPath = (value: unknown): value is string => typeof value === 'string' && value.startsWith('/') && !/[?#\s]/.test(value);

/** `/orders/*` (one segment) and `/files/**` (any depth) as a RegExp. */
export function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (char === '*') source += '[^/]*';
    else source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function pathMatcher(path: ConfigPath, raw: Record<string, unknown>): (candidate: string) => boolean {
  const given = (['path', 'prefix', 'glob'] as const).filter((key) => raw[key] !== undefined);
  if (given.length !== 1) wrong(path, 'a rule with exactly one of "path", "prefix" or "glob"');
  const key = given[0] as 'path' | 'prefix' | 'glob';
  const value = raw[key];
  if (!isPath(value)) wrong(child(path, key), 'a path starting with "/" (no query, fragment or spaces)');
  if (key === 'path') return (candidate) => candidate === value;
  if (key === 'glob') {
    const pattern = globPattern(value);
    return (candidate) => pattern.test(candidate);
  }
  // A prefix stops at a segment boundary: "/orders" covers /orders and /orders/7, never /orders-admin.
  if (value.endsWith('/')) return (candidate) => candidate.startsWith(value);
  return (candidate) => candidate === value || candidate.startsWith(`${value}/`);
}

function rule(path: ConfigPath, value: unknown): RouteRule {
  const raw = objectAt(path, value, RULE_KEYS);
  const methods =
    raw.methods === undefined
      ? undefined
      : new Set(listAt(child(path, 'methods'), raw.methods, 'an array of upper-case HTTP methods (e.g. ["GET", "HEAD"])', isMethod));
  const matchesPath = pathMatcher(path, raw);
  const anonymous = booleanAt(child(path, 'anonymous'), raw.anonymous, false);
  const guards: Guard[] = [];
  if (raw.scopes !== undefined) guards.push(requireScopes(...listAt(child(path, 'scopes'), raw.scopes, 'an array of scope strings', isScopeToken)));
  if (raw.anyScope !== undefined) {
    guards.push(requireAnyScope(...listAt(child(path, 'anyScope'), raw.anyScope, 'an array of scope strings', isScopeToken)));
  }
  if (raw.roles !== undefined) {
    const roles = listAt(child(path, 'roles'), raw.roles, 'an array of role names', isNonEmptyString);
    const claim = raw.rolesClaim === undefined ? 'roles' : raw.rolesClaim;
    if (!isNonEmptyString(claim) || claim.split('.').some((part) => part === '')) {
      wrong(child(path, 'rolesClaim'), 'a claim name or a dotted path (e.g. "realm_access.roles")');
    }
    const match = oneOfAt(child(path, 'rolesMatch'), raw.rolesMatch, ['all', 'any'], 'all');
    guards.push(requireRoles(roles, { claim, match }));
  } else if (raw.rolesClaim !== undefined || raw.rolesMatch !== undefined) {
    wrong(child(path, 'roles'), 'set when rolesClaim or rolesMatch is');
  }
  if (anonymous && guards.length > 0) wrong(child(path, 'anonymous'), 'left out on a rule that asks for scopes or roles');
  return Object.freeze({
    where: path,
    methods,
    matchesPath,
    anonymous,
    guards: guards.length > 1 ? [allOf(...guards)] : guards,
  });
}

/** Checks the `routes` array (absent: no rules, so every request needs a valid token). */
export function routeRules(path: ConfigPath, value: unknown): RouteRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) wrong(path, 'an array of route rules');
  return value.map((item, i) => rule(child(path, i), item));
}

/** The first rule that matches, or `undefined`. */
export function matchRoute(rules: readonly RouteRule[], method: string, path: string): RouteRule | undefined {
  for (const candidate of rules) {
    if (candidate.methods !== undefined && !candidate.methods.has(method)) continue;
    if (candidate.matchesPath(path)) return candidate;
  }
  return undefined;
}

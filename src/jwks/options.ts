// The verifier's key-set options, checked once when it is created: `jwks` (how each issuer's key
// set is fetched and cached) and `jwksUri` (where it lives, or discovery).
import { fail, integer, isPlainObject, knownKeys, optionalFunction, seconds, unusable } from '../lib/options.js';
import { TENANT_PLACEHOLDER } from '../claims/issuers.js';
import { parseFetchableUrl } from '../lib/url.js';
import { fetchGet, type FetchLike, type HttpGet } from './http.js';
import type { KeySourceConfig } from './remote-key-source.js';

/** How the key set of each issuer is fetched and cached. Durations in seconds. */
export interface JwksOptions {
  /**
   * Least time between two fetches of the key set, whatever triggers them (an unknown `kid`,
   * staleness, a failure). Bounds what a flood of tokens with random kids can cost the issuer.
   * From 0 to 86400.
   * @default 30
   */
  cooldown?: number;
  /**
   * How long a fetched key set is fresh when the response has no `Cache-Control: max-age`
   * or `Expires`, from 0 to 604800. A stale set keeps serving while it is refreshed in the
   * background. Discovered metadata without such headers is read again on the same schedule.
   * @default 600
   */
  maxAge?: number;
  /**
   * Longest wait for the key set (discovery included), after which verification answers
   * `jwks_unavailable`; from 0.01 to 300.
   * @default 5
   */
  timeout?: number;
  /**
   * How long past staleness cached keys stay usable while the issuer cannot be reached, from 0
   * to 2592000 (30 days).
   * @default 86400
   */
  maxStale?: number;
  /**
   * Largest response accepted, in bytes, from 256 to 67108864; a larger one is aborted while
   * streaming.
   * @default 524288
   */
  maxBytes?: number;
  /**
   * A `fetch`-compatible function to use instead of the built-in undici client, for other
   * runtimes, proxies or tests. Called with `redirect: 'manual'`.
   * @default undici with a keep-alive agent
   */
  fetch?: FetchLike;
  /**
   * Static keys: the `keys` of a JWK Set (so that `jwks` may be the JWKS document itself), for
   * the one configured issuer; with several, a map from issuer to its JWK Set (`{ keys }`).
   * Such an issuer's keys are never fetched: no discovery, no cooldown, no `jwksUri` (setting
   * one for it is a `TypeError`). Issuers the map leaves out are fetched as usual. Keys go
   * through the same usability rules as fetched ones.
   * @default unset (keys are fetched)
   */
  keys?: readonly object[] | Readonly<Record<string, JsonWebKeySet>>;
  /**
   * Preloaded keys: a JWK Set used until the first fetch, for cold starts (serverless, say).
   * It counts as fetched at creation without cache headers: fresh for `maxAge`, then refreshed
   * as usual; a token whose kid it lacks is fetched for at once. A JWK Set for the one issuer,
   * or a map from issuer to JWK Set. Not for an issuer with static `keys`.
   * @default unset
   */
  initial?: JsonWebKeySet | Readonly<Record<string, JsonWebKeySet>>;
}

/** A JSON Web Key Set (RFC 7517 §5) given as data: its `keys`, each a JWK object. */
export interface JsonWebKeySet {
  readonly keys: readonly object[];
}

/** What every issuer's key source shares, resolved from the `jwks` option. */
export type JwksSettings = Pick<KeySourceConfig, 'cooldown' | 'maxAge' | 'timeout' | 'maxStale' | 'maxBytes' | 'get'>;

const JWKS_OPTION_NAMES = ['cooldown', 'maxAge', 'timeout', 'maxStale', 'maxBytes', 'fetch', 'keys', 'initial'] as const;

/** Checks the `jwks` option; `defaultGet` is the runtime's HTTP client, used unless `fetch` is set. */
export function resolveJwksOptions(value: unknown, defaultGet: HttpGet): JwksSettings {
  const jwks = value ?? {};
  if (!isPlainObject(jwks)) fail('jwks', 'an object');
  knownKeys('jwks', jwks, JWKS_OPTION_NAMES);
  const fetch = optionalFunction<FetchLike>('jwks.fetch', jwks.fetch, 'a fetch-compatible function');
  return {
    cooldown: seconds('jwks.cooldown', jwks.cooldown, 30, 0, 86400),
    maxAge: seconds('jwks.maxAge', jwks.maxAge, 600, 0, 7 * 86400),
    timeout: seconds('jwks.timeout', jwks.timeout, 5, 0.01, 300),
    maxStale: seconds('jwks.maxStale', jwks.maxStale, 86400, 0, 30 * 86400),
    maxBytes: integer('jwks.maxBytes', jwks.maxBytes, 524_288, 256, 64 * 1024 * 1024),
    get: fetch === undefined ? defaultGet : fetchGet(fetch),
  };
}

/**
 * Checks the `jwksUri` option against the configured issuers and answers, for every issuer, its
 * key set's URL, or `undefined` where the key set is to be found through discovery (which then
 * needs an issuer that is itself a URL we may fetch from).
 */
export function resolveJwksUris(
  value: unknown,
  issuers: readonly string[],
  fixed: ReadonlyMap<string, unknown> = new Map(),
): ReadonlyMap<string, URL | undefined> {
  let entries: [string, unknown][];
  if (value === undefined) {
    entries = [];
  } else if (typeof value === 'string') {
    if (issuers.length !== 1) fail('jwksUri', 'a map from issuer to URL when several issuers are configured');
    entries = [[issuers[0] as string, value]];
  } else if (isPlainObject(value)) {
    entries = Object.entries(value);
  } else {
    fail('jwksUri', 'a URL string or a map from issuer to URL');
  }
  const uris = new Map<string, URL | undefined>();
  for (const [issuer, uri] of entries) {
    if (!issuers.includes(issuer)) fail('jwksUri', `keyed by configured issuers only (got ${JSON.stringify(issuer)})`);
    if (fixed.has(issuer)) unusable('jwksUri', `is set for ${JSON.stringify(issuer)}, whose keys are given in jwks.keys and never fetched`);
    if (typeof uri !== 'string') fail('jwksUri', 'a URL string');
    const url = parseFetchableUrl(uri);
    if (typeof url === 'string') unusable('jwksUri', url);
    uris.set(issuer, url);
  }
  for (const issuer of issuers) {
    if (uris.has(issuer) || fixed.has(issuer)) continue;
    const problem = discoveryProblem(discoveryLocation(issuer));
    if (problem !== undefined) {
      throw new TypeError(`tokenwarden: option "issuer" ${JSON.stringify(issuer)} has no jwksUri and cannot be used for discovery: ${problem}`);
    }
    uris.set(issuer, undefined);
  }
  return uris;
}

/**
 * Why `issuer` cannot be used to discover its metadata, or `undefined` when it can. An issuer
 * identifier has no query or fragment (RFC 8414 §2, OpenID Connect Discovery §3): metadata
 * located without them could never name this issuer, and every token would meet a 503.
 */
function discoveryProblem(issuer: string): string | undefined {
  const url = parseFetchableUrl(issuer);
  if (typeof url === 'string') return url;
  if (url.search !== '' || issuer.includes('?')) return 'an issuer identifier must not have a query';
  if (url.hash !== '' || issuer.includes('#')) return 'an issuer identifier must not have a fragment';
  return undefined;
}

/**
 * Where an issuer's metadata is read: the issuer itself, or for a template its `common` form
 * (Entra ID publishes the multi-tenant metadata there, naming the template as its `issuer`).
 */
export function discoveryLocation(issuer: string): string {
  return issuer.replace(TENANT_PLACEHOLDER, 'common');
}

function isKeySet(value: unknown): value is JsonWebKeySet {
  return isPlainObject(value) && Array.isArray(value.keys);
}

/**
 * Checks `jwks.keys` or `jwks.initial` (`name`) against the configured issuers and answers the
 * JWK Set of each issuer it names. `single` tells the one-issuer form from a map.
 */
function keySetsByIssuer(
  name: string,
  value: unknown,
  issuers: readonly string[],
  single: (value: unknown) => JsonWebKeySet | undefined,
): ReadonlyMap<string, JsonWebKeySet> {
  const sets = new Map<string, JsonWebKeySet>();
  if (value === undefined) return sets;
  const one = single(value);
  if (one !== undefined) {
    if (issuers.length !== 1) fail(name, 'a map from issuer to JWK Set when several issuers are configured');
    sets.set(issuers[0] as string, one);
    return sets;
  }
  if (!isPlainObject(value)) fail(name, 'a JWK Set, or a map from issuer to JWK Set');
  for (const [issuer, set] of Object.entries(value)) {
    if (!issuers.includes(issuer)) fail(name, `keyed by configured issuers only (got ${JSON.stringify(issuer)})`);
    if (!isKeySet(set)) fail(`${name}`, `a map whose values are JWK Sets ({ keys: [...] }), not so for ${JSON.stringify(issuer)}`);
    sets.set(issuer, set);
  }
  return sets;
}

/** The key sets given as data: static (`jwks.keys`) and preloaded (`jwks.initial`), by issuer. */
export interface GivenKeySets {
  readonly fixed: ReadonlyMap<string, JsonWebKeySet>;
  readonly initial: ReadonlyMap<string, JsonWebKeySet>;
}

export function resolveGivenKeySets(value: unknown, issuers: readonly string[]): GivenKeySets {
  const jwks = (value ?? {}) as Record<string, unknown>;
  const fixed = keySetsByIssuer('jwks.keys', jwks.keys, issuers, (keys) => (Array.isArray(keys) ? { keys } : undefined));
  const initial = keySetsByIssuer('jwks.initial', jwks.initial, issuers, (set) => (isKeySet(set) ? set : undefined));
  for (const [issuer, set] of fixed) {
    // Every token of this issuer would be refused: a mistake to report now.
    if (set.keys.length === 0) unusable('jwks.keys', `has no keys for ${JSON.stringify(issuer)}`);
  }
  for (const issuer of initial.keys()) {
    if (fixed.has(issuer)) unusable('jwks.initial', `is set for ${JSON.stringify(issuer)}, whose keys are static (jwks.keys)`);
  }
  return { fixed, initial };
}

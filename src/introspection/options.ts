// The `introspection` option of the verifier, checked once when it is created: where the
// issuer's RFC 7662 endpoint is, how we authenticate to it, and how long answers are kept.
import type { KeyObject } from 'node:crypto';
import type { FetchLike, HttpGet } from '../jwks/http.js';
import { fetchGet } from '../jwks/http.js';
import { fail, integer, isPlainObject, knownKeys, oneOf, optionalFunction, seconds, unusable } from '../lib/options.js';
import { parseFetchableUrl } from '../lib/url.js';
import { TENANT_PLACEHOLDER } from '../claims/issuers.js';

/**
 * Opaque access tokens, checked by asking the issuer (OAuth 2.0 Token Introspection, RFC 7662),
 * with the answers cached. See docs/introspection.md.
 *
 * @example
 * ```ts
 * createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'orders-api',
 *   introspection: { clientId: 'orders-api', clientSecret: process.env.INTROSPECTION_SECRET },
 * });
 * ```
 */
export interface IntrospectionOptions {
  /**
   * The introspection endpoint: https (http only for loopback hosts); redirects are never
   * followed.
   * @default discovered (the `introspection_endpoint` of the issuer's metadata)
   */
  endpoint?: string;
  /**
   * The configured issuer the endpoint belongs to. An answer naming another `iss` is refused
   * (`issuer_invalid`); one without `iss` is taken as this issuer's.
   * @default the verifier's issuer, when it has exactly one (and it is no template)
   */
  issuer?: string;
  /** This API's client id at the issuer; required. @default unset */
  clientId?: string;
  /**
   * The client secret, sent as HTTP Basic authentication (RFC 7662 §2.1, RFC 6749 §2.3.1).
   * Never logged, never in an error or event. Set this or `privateKey`.
   * @default unset
   */
  clientSecret?: string;
  /**
   * A private key (a private JWK, or a KeyObject on Node) to authenticate with `private_key_jwt`
   * (RFC 7523 §2.2, OIDC Core §9): a short-lived assertion signed per request. Set this or
   * `clientSecret`.
   * @default unset
   */
  privateKey?: Readonly<Record<string, unknown>> | KeyObject;
  /**
   * The assertion's algorithm for `privateKey`.
   * @default the JWK's `alg`, else RS256 for RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519
   */
  privateKeyAlgorithm?: string;
  /**
   * Which tokens are introspected: `'opaque'` (anything that is not a three-part compact JWS;
   * JWTs are verified locally) or `'all'` (every token, JWTs included, for issuers that revoke
   * instantly and whose tokens must be checked with them).
   * @default 'opaque'
   */
  tokens?: 'opaque' | 'all';
  /** Longest wait for an answer, in seconds, from 0.01 to 60; then `introspection_unavailable`. @default 5 */
  timeout?: number;
  /** Largest answer accepted, in bytes, from 256 to 1048576; a larger one is cut off while streaming. @default 65536 */
  maxBytes?: number;
  /**
   * Most introspection requests started per second (a token bucket holding as many): a flood
   * of distinct made-up tokens costs the issuer this much and no more; past it, tokens the
   * cache cannot answer get `introspection_unavailable` (503, Retry-After 1). From 1 to 100000.
   * @default 100
   */
  maxRequestsPerSecond?: number;
  /**
   * Ask for RFC 9701 JWT answers (`Accept: application/token-introspection+jwt`) and accept
   * only those, verified with the issuer's keys (the verifier's key set for `issuer`).
   * @default false
   */
  jwtResponse?: boolean;
  /** The answer cache; `false` asks the issuer on every verification. @default { maxEntries: 10000, maxAge: 300, inactiveMaxAge: 10 } */
  cache?: false | IntrospectionCacheOptions;
  /**
   * A `fetch`-compatible function to use instead of the built-in client (undici on Node, the
   * global fetch on web runtimes). Called with `redirect: 'manual'`.
   * @default the runtime's client
   */
  fetch?: FetchLike;
}

/** How introspection answers are kept. Keys are SHA-256 hashes of tokens, never tokens. */
export interface IntrospectionCacheOptions {
  /** Most answers kept, from 1 to 10000000; the least recently used goes first. @default 10000 */
  maxEntries?: number;
  /**
   * Seconds an active answer is kept, from 1 to 86400; never past the token's `exp`. A token
   * revoked at the issuer is still accepted until its entry ends: this is that window.
   * @default 300
   */
  maxAge?: number;
  /** Seconds an inactive answer is kept, from 0 to 3600: a repeated bad token asks the issuer once per this. @default 10 */
  inactiveMaxAge?: number;
}

/** Which client authentication the requests carry. */
export type ClientAuthentication =
  | { readonly method: 'client_secret_basic'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly method: 'private_key_jwt';
      readonly clientId: string;
      readonly privateKey: Readonly<Record<string, unknown>> | KeyObject;
      readonly algorithm: string;
    };

/** The resolved `introspection` option. Durations in seconds, sizes in bytes. */
export interface IntrospectionSettings {
  readonly endpoint: URL | undefined;
  readonly issuer: string;
  readonly auth: ClientAuthentication;
  readonly tokens: 'opaque' | 'all';
  readonly timeout: number;
  readonly maxBytes: number;
  readonly maxRequestsPerSecond: number;
  readonly jwtResponse: boolean;
  readonly cache: { readonly maxEntries: number; readonly maxAge: number; readonly inactiveMaxAge: number } | undefined;
  readonly get: HttpGet;
}

/** The keys of {@link IntrospectionOptions}. */
export const INTROSPECTION_OPTION_NAMES = [
  'endpoint',
  'issuer',
  'clientId',
  'clientSecret',
  'privateKey',
  'privateKeyAlgorithm',
  'tokens',
  'timeout',
  'maxBytes',
  'maxRequestsPerSecond',
  'jwtResponse',
  'cache',
  'fetch',
] as const;

const CURVE_ALGORITHMS: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512', Ed25519: 'EdDSA' };
const ASSERTION_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Checks the `introspection` option; `undefined` when it is not set. */
export function resolveIntrospectionOptions(value: unknown, issuers: readonly string[], defaultGet: HttpGet): IntrospectionSettings | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail('introspection', 'an object');
  knownKeys('introspection', value, INTROSPECTION_OPTION_NAMES);
  const issuer = resolveIssuer(value.issuer, issuers);
  let endpoint: URL | undefined;
  if (value.endpoint !== undefined) {
    if (typeof value.endpoint !== 'string') fail('introspection.endpoint', 'a URL string');
    const url = parseFetchableUrl(value.endpoint);
    if (typeof url === 'string') unusable('introspection.endpoint', url);
    endpoint = url;
  } else {
    const problem = parseFetchableUrl(issuer);
    if (typeof problem === 'string') unusable('introspection.endpoint', `is needed: the issuer cannot be used for discovery (it ${problem})`);
  }
  const fetch = optionalFunction<FetchLike>('introspection.fetch', value.fetch, 'a fetch-compatible function');
  const jwtResponse = value.jwtResponse ?? false;
  if (typeof jwtResponse !== 'boolean') fail('introspection.jwtResponse', 'a boolean');
  return {
    endpoint,
    issuer,
    auth: resolveAuth(value),
    tokens: oneOf('introspection.tokens', value.tokens, ['opaque', 'all'], 'opaque'),
    timeout: seconds('introspection.timeout', value.timeout, 5, 0.01, 60),
    maxBytes: integer('introspection.maxBytes', value.maxBytes, 65_536, 256, 1_048_576),
    maxRequestsPerSecond: integer('introspection.maxRequestsPerSecond', value.maxRequestsPerSecond, 100, 1, 100_000),
    jwtResponse,
    cache: resolveCache(value.cache),
    get: fetch === undefined ? defaultGet : fetchGet(fetch),
  };
}

function resolveIssuer(value: unknown, issuers: readonly string[]): string {
  if (value === undefined) {
    const only = issuers.length === 1 ? issuers[0] : undefined;
    if (only === undefined || only.includes(TENANT_PLACEHOLDER)) {
      fail('introspection.issuer', 'set to the configured issuer the endpoint belongs to, when the verifier has several or a template');
    }
    return only;
  }
  if (typeof value !== 'string' || !issuers.includes(value) || value.includes(TENANT_PLACEHOLDER)) {
    fail('introspection.issuer', 'one of the configured issuers (not a template)');
  }
  return value;
}

function resolveAuth(value: Record<string, unknown>): ClientAuthentication {
  const { clientId, clientSecret, privateKey } = value;
  if (typeof clientId !== 'string' || clientId === '') fail('introspection.clientId', 'a non-empty string');
  if ((clientSecret === undefined) === (privateKey === undefined)) {
    // The message names the options only: a secret must not reach a log through an error.
    unusable('introspection', 'needs exactly one of clientSecret (HTTP Basic) and privateKey (private_key_jwt)');
  }
  if (clientSecret !== undefined) {
    if (typeof clientSecret !== 'string' || clientSecret === '') fail('introspection.clientSecret', 'a non-empty string');
    if (value.privateKeyAlgorithm !== undefined) unusable('introspection.privateKeyAlgorithm', 'is only for privateKey');
    return { method: 'client_secret_basic', clientId, clientSecret };
  }
  const key = privateKey as Record<string, unknown>;
  const isKeyObject = typeof key === 'object' && key !== null && (key as { type?: unknown }).type === 'private' && typeof (key as { export?: unknown }).export === 'function';
  if (!isKeyObject && !(isPlainObject(key) && typeof key.kty === 'string' && typeof key.d === 'string')) {
    fail('introspection.privateKey', 'a private JWK (with "d") or a private KeyObject');
  }
  const algorithm = value.privateKeyAlgorithm ?? (isKeyObject ? algorithmOfKeyObject(key as unknown as KeyObject) : algorithmOfJwk(key));
  if (typeof algorithm !== 'string' || !ASSERTION_ALGORITHMS.includes(algorithm)) {
    fail('introspection.privateKeyAlgorithm', `one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  }
  return { method: 'private_key_jwt', clientId, privateKey: privateKey as Readonly<Record<string, unknown>> | KeyObject, algorithm };
}

function algorithmOfJwk(jwk: Record<string, unknown>): string | undefined {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  return typeof jwk.crv === 'string' ? CURVE_ALGORITHMS[jwk.crv] : undefined;
}

function algorithmOfKeyObject(key: KeyObject): string | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : undefined;
}

function resolveCache(value: unknown): IntrospectionSettings['cache'] {
  if (value === false) return undefined;
  const settings = value ?? {};
  if (!isPlainObject(settings)) fail('introspection.cache', 'false or an object');
  knownKeys('introspection.cache', settings, ['maxEntries', 'maxAge', 'inactiveMaxAge']);
  return {
    maxEntries: integer('introspection.cache.maxEntries', settings.maxEntries, 10_000, 1, 10_000_000),
    maxAge: seconds('introspection.cache.maxAge', settings.maxAge, 300, 1, 86_400),
    inactiveMaxAge: seconds('introspection.cache.inactiveMaxAge', settings.inactiveMaxAge, 10, 0, 3600),
  };
}

// The verifier's options: what each means (the TSDoc users read) and how each is checked at
// construction, so that createVerifier itself only wires the resolved parts together.
import type { AccessTokenClaims } from './claims/types.js';
import type { ExpectedClaimValue } from './claims/options.js';
import type { DpopOptions } from './dpop/options.js';
import type { DecryptionOptions } from './jwe/options.js';
import type { IntrospectionOptions } from './introspection/options.js';
import type { JwksOptions } from './jwks/options.js';
import type { KeySource } from './jwks/remote-key-source.js';
import { boolean, fail, integer, isPlainObject, knownKeys, seconds, unusable } from './lib/options.js';
import type { MtlsOptions } from './mtls/options.js';
import type { RevocationChecker, RevocationPolicy } from './revocation/checker.js';
import { channels } from './runtime/node.js';
import { SUPPORTED_ALGORITHMS, isSupportedAlgorithm, type Algorithm } from './token/algorithms.js';
import type { JwsHeader } from './token/parse.js';
import type { VerificationKey } from './token/signature.js';
import { createVerifiedTokenCache, type VerifiedTokenCache } from './verified-token-cache.js';

export interface VerifierOptions {
  /**
   * Trusted issuer(s); a token's `iss` must equal one exactly (no normalisation). An entry
   * containing `{tenantid}` is a template (Entra ID multi-tenant,
   * `https://login.microsoftonline.com/{tenantid}/v2.0`): a token matches it when its `iss` is
   * the template with the token's own `tid` claim in place of `{tenantid}`, for a tenant that
   * `tenants` trusts. All tenants of a template share one key set.
   */
  issuer: string | readonly string[];
  /**
   * The trusted tenants of the issuer templates: their ids (compared exactly; Entra writes them
   * in lower case), or a function deciding for each `tid`. Required with a template, refused
   * without one. Decided before any key is fetched. A function's asynchronous answers are
   * remembered for 60 s (1000 tenants at most); only `true` trusts, and a throw or rejection
   * refuses (`issuer_invalid`).
   * @default unset
   */
  tenants?: readonly string[] | ((tid: string) => boolean | Promise<boolean>);
  /**
   * This API's identifier(s); a token's `aud` must contain one of them. May be left out when
   * `clientId` is set: then `aud` is not required (an empty `aud` array counts as none).
   * @default unset (required unless clientId is set)
   */
  audience?: string | readonly string[];
  /**
   * The client(s) whose tokens are accepted, for issuers that put no audience in access tokens
   * (Cognito, Keycloak): checked against `client_id` (RFC 9068), or, only when the token has no
   * `client_id`, `azp`, or when it has neither, `cid` (Okta). A token naming no client, or
   * another one, is refused `audience_invalid`. With `audience` too, both must match.
   * @default unset
   */
  clientId?: string | readonly string[];
  /**
   * Exact values named claims must have: a value, or an array of accepted values, each a
   * string, number or boolean (`{ token_use: 'access' }` for Cognito, `{ typ: 'Bearer' }` for
   * Keycloak). A missing or different claim is refused `claim_invalid`.
   * @default unset
   */
  expectClaims?: Readonly<Record<string, ExpectedClaimValue | readonly ExpectedClaimValue[]>>;
  /**
   * A check of your own, run after the built-in claim checks and before revocation, on every
   * verification (the verified-token cache's included). Throw or reject to refuse: your own
   * AccessTokenError as it is, anything else as `claim_invalid` with its message (and the
   * error as `cause`).
   * @default unset
   */
  validate?: (claims: AccessTokenClaims, header: JwsHeader) => void | Promise<void>;
  /**
   * Where each issuer's JWKS lives. A string for a single issuer, or a map from issuer to URL.
   * Issuers without one are discovered through `{issuer}/.well-known/openid-configuration`,
   * then RFC 8414 metadata (a template's at its `common` form). Must be https (http only for
   * loopback hosts). Issuers with the same URL share one key set, fetched once.
   * @default discovered
   */
  jwksUri?: string | Readonly<Record<string, string>>;
  /**
   * Accepted signature algorithms. Only asymmetric ones exist: `none` and HMAC can never be
   * enabled, since keys come from a public JWKS.
   * @default ['RS256','RS384','RS512','PS256','PS384','PS512','ES256','ES384','ES512','EdDSA']
   */
  algorithms?: readonly Algorithm[];
  /**
   * Seconds of clock skew tolerated when checking `exp`, `nbf` and `iat`. From 0 to 3600: a
   * tolerance past an hour would keep expired tokens alive, which no clock drift justifies.
   * @default 5
   */
  clockTolerance?: number;
  /**
   * Refuse tokens whose `iat` is more than this many seconds ago (tokens without `iat` too).
   * At least 1: 0 would accept only tokens issued within `clockTolerance` of now, which no
   * client can count on.
   * @default unset
   */
  maxTokenAge?: number;
  /**
   * Expected `typ` header, e.g. `at+jwt` (RFC 9068). Compared per RFC 7515: case-insensitive,
   * `application/` optional.
   * @default unset (any typ)
   */
  typ?: string;
  /** Claims that must be present (and not null), e.g. `['sub', 'jti']`; an array of names. @default [] */
  requiredClaims?: readonly string[];
  /** Consulted after signature and claims pass; see {@link RevocationChecker}. @default unset */
  revocation?: RevocationChecker;
  /**
   * Accept tokens when the revocation checker fails or times out. Off by default: an outage
   * of the deny list must not un-revoke tokens.
   * @default false
   */
  revocationFailOpen?: boolean;
  /**
   * Seconds to wait for an asynchronous revocation answer before `revocation_unavailable`,
   * from 0.001 to 60.
   * @default 1
   */
  revocationTimeout?: number;
  /**
   * Longest token accepted, in characters, checked before any decoding; from 16 to 1048576.
   * @default 8192
   */
  maxTokenLength?: number;
  /** Key set fetching and caching, or keys given as data (`keys`, `initial`). */
  jwks?: JwksOptions;
  /**
   * Remembers tokens that verified, by their exact text, so a client presenting the same token
   * again skips the signature check. A token is remembered once it has verified twice, so that
   * the many tokens seen only once cost no memory and never push out the ones clients repeat.
   * Bounded; an entry never outlives the token's `exp` and is dropped as soon as its key leaves
   * the key set; `exp`/`nbf` are checked again and the revocation checker is asked on every hit.
   * `false` turns it off.
   * @default { maxEntries: 10000 }
   */
  cache?: false | VerifiedTokenCacheOptions;
  /**
   * DPoP-bound tokens (RFC 9449), checked by {@link Verifier.verifyRequest}; see docs/dpop.md.
   * @default { mode: 'allowed' }
   */
  dpop?: DpopOptions;
  /**
   * Certificate-bound tokens (RFC 8705), checked by {@link Verifier.verifyRequest}; see docs/dpop.md.
   * @default { mode: 'allowed' }
   */
  mtls?: MtlsOptions;
  /**
   * Encrypted access tokens (compact JWE): the private keys they are encrypted to and the
   * algorithms accepted; see docs/jwe.md. Without it, encrypted tokens are refused
   * (`token_malformed`).
   * @default unset
   */
  decryption?: DecryptionOptions;
  /**
   * Opaque access tokens, checked with the issuer (RFC 7662 introspection) and cached: a token
   * that is not a three-part compact JWS (or every token, with `tokens: 'all'`) is introspected,
   * and the claims of an active one meet the same rules as a JWT's (`iss`, `aud`, `exp`, `nbf`,
   * required and expected claims, `validate`, revocation; `typ` excepted). `validate` and the
   * revocation checker see such a token with the header `{ alg: 'none', introspected: true }`.
   * An encrypted token is decrypted when `decryption` is set, never introspected. Without it,
   * such tokens are refused `token_malformed`. See docs/introspection.md.
   * @default unset
   */
  introspection?: IntrospectionOptions;
}

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered, from 1 to 10000000; the least recently used is forgotten first. @default 10000 */
  maxEntries?: number;
}

export const OPTION_NAMES = [
  'issuer',
  'tenants',
  'audience',
  'clientId',
  'expectClaims',
  'validate',
  'jwksUri',
  'algorithms',
  'clockTolerance',
  'maxTokenAge',
  'typ',
  'requiredClaims',
  'revocation',
  'revocationFailOpen',
  'revocationTimeout',
  'maxTokenLength',
  'jwks',
  'cache',
  'dpop',
  'mtls',
  'decryption',
  'introspection',
] as const;

/** A token that verified: what a later presentation of the same text needs to be re-checked. */
export interface CachedVerification {
  readonly token: string;
  readonly header: JwsHeader;
  readonly claims: AccessTokenClaims;
  readonly key: VerificationKey;
  readonly source: KeySource;
}

export function resolveCache(value: unknown): VerifiedTokenCache<CachedVerification> | undefined {
  if (value === false) return undefined;
  const settings = value ?? {};
  if (!isPlainObject(settings)) fail('cache', 'false or an object');
  knownKeys('cache', settings, ['maxEntries']);
  const max = integer('cache.maxEntries', settings.maxEntries, 10_000, 1, 10_000_000);
  return createVerifiedTokenCache<CachedVerification>(max, channels.cacheEvict);
}

export function resolveAlgorithms(value: unknown): ReadonlySet<Algorithm> {
  if (value === undefined) return new Set(SUPPORTED_ALGORITHMS);
  if (!Array.isArray(value) || value.length === 0) fail('algorithms', 'a non-empty array of algorithm names');
  for (const alg of value) {
    if (!isSupportedAlgorithm(alg)) {
      unusable(
        'algorithms',
        `contains ${JSON.stringify(alg)}; supported: ${SUPPORTED_ALGORITHMS.join(', ')} (HMAC and "none" are never accepted with keys from a JWKS)`,
      );
    }
  }
  return new Set(value as Algorithm[]);
}

export function resolveRevocation(options: VerifierOptions, clockTolerance: number): RevocationPolicy | undefined {
  const failOpen = boolean('revocationFailOpen', options.revocationFailOpen, false);
  const timeout = seconds('revocationTimeout', options.revocationTimeout, 1, 0.001, 60);
  const checker = options.revocation;
  if (checker === undefined) return undefined;
  if (typeof checker !== 'object' || checker === null || typeof checker.isRevoked !== 'function') {
    fail('revocation', 'an object with an isRevoked(claims, header) method');
  }
  if (typeof checker.clockTolerance === 'number' && checker.clockTolerance < clockTolerance) {
    throw new RangeError(
      `tokenwarden: option "clockTolerance" (${clockTolerance} s) exceeds how long the revocation store keeps entries past exp (${checker.clockTolerance} s)`,
    );
  }
  return {
    checker,
    failOpen,
    timeout: timeout * 1000,
    events: { error: channels.revocationError, failOpen: channels.revocationFailOpen },
  };
}

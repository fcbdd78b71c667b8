import type { AccessTokenClaims } from './claims/types.js';
import type { AccessTokenError } from './errors.js';
import { runCustomCheck } from './claims/custom.js';
import { createIssuerSelector, resolveIssuers } from './claims/issuers.js';
import { resolveClaimOptions, type ExpectedClaimValue } from './claims/options.js';
import { validateClaims } from './claims/validate.js';
import type { VerifierHealth } from './events/health.js';
import { untrusted } from './events/sink.js';
import type { VerifyContext } from './events/verify.js';
import type { JwksOptions } from './jwks/options.js';
import type { KeySource } from './jwks/remote-key-source.js';
import { createKeySources } from './jwks/sources.js';
import { boolean, fail, integer, isPlainObject, knownKeys, optionsObject, seconds, unusable } from './lib/options.js';
import { checkRevocation, type RevocationChecker, type RevocationPolicy } from './revocation/checker.js';
import { SUPPORTED_ALGORITHMS, isSupportedAlgorithm, type Algorithm } from './token/algorithms.js';
import { createKnownHeaders, parseCompactJws, type JwsHeader, type ParseOptions } from './token/parse.js';
import type { VerificationKey } from './token/signature.js';
import { createSignatureStep } from './token/verify-signature.js';
import { channels, defaultHttpGet, signatures } from './runtime/node.js';
import { createVerifiedTokenCache, type VerifiedTokenCache } from './verified-token-cache.js';
import { refuseBoundToken } from './dpop/binding.js';
import { resolveDpopOptions, type DpopOptions } from './dpop/options.js';
import { CHECKS_BINDING, createRequestVerifier, type VerifiableRequest } from './dpop/request.js';
import { resolveMtlsOptions, type MtlsOptions } from './mtls/options.js';

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
}

export interface VerifiedTokenCacheOptions {
  /** Most tokens remembered, from 1 to 10000000; the least recently used is forgotten first. @default 10000 */
  maxEntries?: number;
}

/** A configured verifier. Create one at start-up and share it: it holds the key cache. */
export interface Verifier<Claims extends object = Record<never, never>> {
  /**
   * Verifies a JWT access token and returns its claims, or rejects with an
   * {@link AccessTokenError} saying why not. Traced on the `tokenwarden:verify` diagnostics
   * channel while anyone subscribes (see docs/events.md).
   *
   * @example
   * ```ts
   * const claims = await verifier.verifyAccessToken(token);
   * const { sub, scope } = claims;
   * ```
   */
  verifyAccessToken<Extra extends object = Claims>(token: string): Promise<AccessTokenClaims & Extra>;
  /**
   * Verifies the access token of an HTTP request with what binds it to its sender: the DPoP
   * proof of a `DPoP` token (RFC 9449), the client certificate of a certificate-bound one
   * (RFC 8705); then everything {@link Verifier.verifyAccessToken} does. Bound tokens are
   * accepted only here: `verifyAccessToken` refuses them (`token_binding_invalid`).
   *
   * @example
   * ```ts
   * const claims = await verifier.verifyRequest({
   *   method: req.method,
   *   url: `https://api.example.com${req.url}`,
   *   headers: req.headers,
   *   clientCertificate: req.socket.getPeerX509Certificate?.(),
   * });
   * ```
   */
  verifyRequest<Extra extends object = Claims>(request: VerifiableRequest): Promise<AccessTokenClaims & Extra>;
  /** Fetches every issuer's key set now (e.g. at start-up); rejects with `jwks_unavailable`. */
  warmUp(): Promise<void>;
  /**
   * The state of every issuer's key set, synchronously and without fetching anything: for
   * readiness probes and dashboards. `ready` is true when every issuer has usable keys. It
   * names URLs and errors: serve it to internal probes only.
   *
   * @example
   * ```ts
   * const { ready, issuers } = verifier.health();
   * for (const { issuer, usable, lastError } of issuers) if (!usable) console.warn(issuer, lastError);
   * ```
   */
  health(): VerifierHealth;
  /** The trusted issuers, as configured. */
  readonly issuers: readonly string[];
  /** The accepted audiences, as configured (empty when only `clientId` is set). */
  readonly audiences: readonly string[];
}

const OPTION_NAMES = [
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
] as const;

/**
 * Creates a verifier for JWT access tokens from one or more OAuth 2.0 / OpenID Connect
 * issuers. All options are checked here; misuse throws `TypeError` or `RangeError` now,
 * never during verification.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'tokenwarden';
 *
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'orders-api',
 * });
 * const claims = await verifier.verifyAccessToken(token);
 * ```
 */
export function createVerifier<Claims extends object = Record<never, never>>(options: VerifierOptions): Verifier<Claims> {
  knownKeys('', optionsObject('createVerifier', options), OPTION_NAMES);

  const resolvedIssuers = resolveIssuers(options.issuer, options.tenants);
  const { issuers } = resolvedIssuers;
  const algorithms = resolveAlgorithms(options.algorithms);
  const { rules, validate } = resolveClaimOptions(options);
  const maxTokenLength = integer('maxTokenLength', options.maxTokenLength, 8192, 16, 1_048_576);
  const parseOptions: ParseOptions = { maxTokenLength, algorithms, headers: createKnownHeaders() };
  const revocation = resolveRevocation(options, rules.clockTolerance);
  const keySources = createKeySources({
    issuers,
    jwksUri: options.jwksUri,
    jwks: options.jwks,
    algorithms,
    defaultGet: defaultHttpGet,
    signatures,
    events: { fetch: channels.jwksFetch, skipped: channels.jwksSkipped, stale: channels.jwksStale },
  });
  const selectIssuer = createIssuerSelector(resolvedIssuers, keySources.byIssuer);

  const cache = resolveCache(options.cache);
  const verifySignature = createSignatureStep(signatures);
  const dpop = resolveDpopOptions(options.dpop);
  const mtls = resolveMtlsOptions(options.mtls);
  // The contexts of traces started by verifyRequest, which checks a token's binding itself.
  const bindingChecked = new WeakSet<object>();
  // The contexts of the traces running, so that verify() tells one from any other second argument.
  const contexts = new WeakMap<object, VerifyContext>();

  /**
   * Verifies `token`; it is `verifyAccessToken` itself, so that an untraced call costs no extra
   * call. While someone listens on `tokenwarden:verify` it starts the trace, which calls it back
   * with `trace`: the context to tell what verification learns. Anything else passed second
   * (an index from `tokens.map(verifier.verifyAccessToken)`, say) is no trace.
   */
  async function verify(token: string, trace?: unknown): Promise<AccessTokenClaims> {
    const context = trace === undefined ? undefined : contexts.get(trace as object);
    if (context === undefined && channels.verify.hasSubscribers) return traced(token, trace === CHECKS_BINDING);
    let header: JwsHeader;
    let claims: AccessTokenClaims;
    // Set when the token is verified in full now, rather than recalled from the cache.
    let verifiedBy: VerificationKey | undefined;
    let source: KeySource | undefined;

    const hit = cache !== undefined && typeof token === 'string' ? cache.get(token) : undefined;
    if (hit !== undefined && hit.source.holds(hit.key)) {
      ({ header, claims } = hit);
      if (context !== undefined) describeHeader(context, header, true, claims.iss);
    } else {
      // A remembered token whose key has left the key set is trusted no more: verified in full.
      if (hit !== undefined) cache?.delete(token);
      if (context !== undefined) context.cached = false;
      const parsed = parseCompactJws(token, parseOptions);
      if (context !== undefined) describeHeader(context, parsed.header, false, undefined);
      const selected = selectIssuer(parsed.payload);
      source = selected instanceof Promise ? await selected : selected;
      // Only now is `iss` known to be a configured issuer.
      if (context !== undefined) context.issuer = parsed.payload.iss as string;
      const found = source.getKeys(parsed.header.alg, parsed.header.kid);
      const answer = verifySignature(parsed, Array.isArray(found) ? found : await found);
      verifiedBy = answer instanceof Promise ? await answer : answer;
      header = parsed.header;
      // Deep-frozen by the parser: claims may be handed to many requests from the cache.
      claims = parsed.payload as AccessTokenClaims;
    }

    try {
      validateClaims(header, claims, rules, Date.now() / 1000);
    } catch (error) {
      // On a remembered token, only its expiry can fail a check it passed once: forget it now.
      if (verifiedBy === undefined) cache?.delete(token);
      throw error;
    }
    if (claims.cnf !== undefined && trace !== CHECKS_BINDING && !(context !== undefined && bindingChecked.has(context))) refuseBoundToken(claims);
    if (validate !== undefined) {
      const checked = runCustomCheck(validate, claims, header);
      if (checked !== undefined) await checked;
    }
    // No per-entry TTL (it costs on every miss): an entry is re-checked on every hit and
    // deleted the moment its token has expired, so it is never served past `exp`, and
    // maxEntries bounds what waits to be evicted.
    if (verifiedBy !== undefined && source !== undefined) cache?.admit({ token, header, claims, key: verifiedBy, source });
    if (revocation !== undefined) await checkRevocation(revocation, claims, header);
    if (context !== undefined) describeClaims(context, claims);
    return claims;
  }

  /** `verify` inside the `tokenwarden:verify` trace. */
  async function traced(token: string, checksBinding = false): Promise<AccessTokenClaims> {
    const context: VerifyContext = {};
    contexts.set(context, context);
    if (checksBinding) bindingChecked.add(context);
    let claims: AccessTokenClaims | undefined;
    // Resolving to nothing keeps the claims out of the trace's `result`: the context carries
    // the few fields documented for it, and no more of what a token says.
    await channels.verify.tracePromise(async () => {
      claims = await verify(token, context);
    }, context);
    return claims as AccessTokenClaims;
  }

  return {
    issuers,
    audiences: rules.audiences ?? [],

    verifyAccessToken: verify as Verifier<Claims>['verifyAccessToken'],

    verifyRequest: createRequestVerifier({ dpop, mtls, verifyToken: (token) => verify(token, CHECKS_BINDING) }) as Verifier<Claims>['verifyRequest'],

    async warmUp() {
      await Promise.all(keySources.distinct.map((source) => source.load()));
    },

    health() {
      const states = keySources.health();
      return { ready: states.every((state) => state.usable), issuers: states };
    },
  };
}

function describeHeader(context: VerifyContext, header: JwsHeader, cached: boolean, issuer: string | undefined): void {
  context.cached = cached;
  context.alg = header.alg;
  const kid = untrusted(header.kid);
  if (kid !== undefined) context.kid = kid;
  if (issuer !== undefined) context.issuer = issuer;
}

/** The claims a trace may carry; validateClaims has checked that each, when present, is a string. */
function describeClaims(context: VerifyContext, claims: AccessTokenClaims): void {
  const { sub, client_id: clientId, scope } = claims;
  if (sub !== undefined) context.sub = sub;
  if (clientId !== undefined) context.clientId = clientId;
  if (scope !== undefined) context.scope = scope;
}

/** A token that verified: what a later presentation of the same text needs to be re-checked. */
interface CachedVerification {
  readonly token: string;
  readonly header: JwsHeader;
  readonly claims: AccessTokenClaims;
  readonly key: VerificationKey;
  readonly source: KeySource;
}

function resolveCache(value: unknown): VerifiedTokenCache<CachedVerification> | undefined {
  if (value === false) return undefined;
  const settings = value ?? {};
  if (!isPlainObject(settings)) fail('cache', 'false or an object');
  knownKeys('cache', settings, ['maxEntries']);
  const max = integer('cache.maxEntries', settings.maxEntries, 10_000, 1, 10_000_000);
  return createVerifiedTokenCache<CachedVerification>(max, channels.cacheEvict);
}

function resolveAlgorithms(value: unknown): ReadonlySet<Algorithm> {
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

function resolveRevocation(options: VerifierOptions, clockTolerance: number): RevocationPolicy | undefined {
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

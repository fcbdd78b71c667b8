import type { AccessTokenClaims } from './claims/types.js';
import type { AccessTokenError } from './errors.js';
import { runCustomCheck } from './claims/custom.js';
import { createIssuerSelector, resolveIssuers } from './claims/issuers.js';
import { resolveClaimOptions } from './claims/options.js';
import { validateClaims } from './claims/validate.js';
import type { VerifierHealth } from './events/health.js';
import { describeClaims, describeHeader, type VerifyContext } from './events/verify.js';
import type { KeySource } from './jwks/remote-key-source.js';
import { createKeySources } from './jwks/sources.js';
import { integer, knownKeys, optionsObject } from './lib/options.js';
import { checkRevocation } from './revocation/checker.js';
import { createKnownHeaders, parseCompactJws, type JwsHeader, type ParseOptions } from './token/parse.js';
import type { VerificationKey } from './token/signature.js';
import { createSignatureStep } from './token/verify-signature.js';
import { channels, defaultHttpGet, digests, signatures } from './runtime/node.js';
import { createIntrospectionStep } from './introspection/step.js';
import { INTROSPECTED_HEADER } from './introspection/response.js';
import { refuseBoundToken } from './dpop/binding.js';
import { resolveDpopOptions } from './dpop/options.js';
import { CHECKS_BINDING, createRequestVerifier, type VerifiableRequest } from './dpop/request.js';
import { resolveMtlsOptions } from './mtls/options.js';
import { createTokenDecryptor } from './jwe/decrypt.js';
import { resolveDecryptionOptions } from './jwe/options.js';
import { OPTION_NAMES, resolveAlgorithms, resolveCache, resolveRevocation, type VerifierOptions } from './verifier-options.js';

export type { VerifiedTokenCacheOptions, VerifierOptions } from './verifier-options.js';

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
  const introspection = createIntrospectionStep(options.introspection, {
    issuers,
    audiences: rules.audiences,
    parse: parseOptions,
    keySources: keySources.byIssuer,
    verifySignature,
    digests,
    defaultGet: defaultHttpGet,
    channels,
  });
  // An opaque token has no JWS header whose `typ` could be checked.
  const introspectedRules = { ...rules, typ: undefined };
  const dpop = resolveDpopOptions(options.dpop);
  const mtls = resolveMtlsOptions(options.mtls);
  const decryption = resolveDecryptionOptions(options.decryption);
  const decryptor = decryption === undefined ? undefined : createTokenDecryptor(decryption, maxTokenLength);
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
      // An encrypted token is opened first; its inner JWS is then verified like any other. Only
      // a token that is no JWE is left to introspection.
      const opened = decryptor === undefined ? token : decryptor.open(token);
      if (opened === token && introspection?.takes(token)) {
        // The issuer vouches for the token; its claims meet the same rules as a JWT's below.
        const introspected = introspection.introspect(token);
        ({ header, claims } = introspected instanceof Promise ? await introspected : introspected);
        if (context !== undefined) context.issuer = claims.iss;
      } else {
        const parsed = parseCompactJws(typeof opened === 'string' ? opened : await opened, parseOptions);
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
    }

    try {
      validateClaims(header, claims, header === INTROSPECTED_HEADER ? introspectedRules : rules, Date.now() / 1000);
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

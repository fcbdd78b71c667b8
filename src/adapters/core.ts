// What every adapter does, without any framework: resolve options once, then per request
// extract the token → verify it → run guards → hand back claims, or the HTTP answer to send.
// Adapters only translate requests in and answers out. Errors that are not AccessTokenErrors
// are never turned into answers: they are bugs or configuration mistakes, and propagate to
// the framework's own error handling (a 500 there).
import type { AccessTokenClaims } from '../claims/types.js';
import { isAccessTokenError, type AccessTokenError } from '../errors.js';
import type { VerifierHealth } from '../events/health.js';
import { guardList, runGuards, type Guard } from '../guards/guard.js';
import { answerForError, answerForRequest, type AnswerSettings, type ErrorAnswer } from '../lib/answer.js';
import { COOKIE_NAME, extractBearer, type HeaderValue } from '../lib/bearer.js';
import { isHeaderSafe } from '../lib/challenge.js';
import {
  buildMetadata,
  resourceProblem,
  type ProtectedResourceMetadata,
  type ProtectedResourceMetadataOptions,
} from '../lib/metadata.js';
import { fail, integer, isPlainObject, knownKeys, optionalFunction, optionsObject, stringList, unusable } from '../lib/options.js';
import { createVerifier, type Verifier, type VerifierOptions } from '../verifier.js';
import { headerValues, readCredential, type Credential } from '../dpop/headers.js';
import { dpopChallengeOf, PRESENTED_CREDENTIAL, type PresentedRequest } from '../dpop/request.js';
import { rememberIncomingToken } from './incoming-token.js';
import type { TLSSocket } from 'node:tls';

export type { AccessTokenClaims } from '../claims/types.js';
export type { IssuerHealth, VerifierHealth } from '../events/health.js';
export type { ErrorAnswer } from '../lib/answer.js';
export type { ProtectedResourceMetadata, ProtectedResourceMetadataOptions } from '../lib/metadata.js';
export type { Guard } from '../guards/guard.js';

/** Options every adapter takes; each adapter adds its own `errorResponse`. */
export interface AuthOptions<Claims extends object = Record<never, never>> {
  /**
   * The verifier to use, or the options to create one with. Share one verifier between
   * adapters and routes: it holds the key cache.
   */
  verifier: Verifier<Claims> | VerifierOptions;
  /**
   * Guards every protected route must pass, checked before the route's own. (The claims type
   * comes from the verifier or the `createAuth` generic, never from these guards.)
   * @default []
   */
  guards?: readonly Guard<NoInfer<Claims>>[];
  /**
   * The `realm` of the `WWW-Authenticate` challenge. Visible ASCII only.
   * @default the verifier's first audience
   */
  realm?: string;
  /**
   * Name of a cookie that may carry the token instead of the Authorization header, for
   * browser-facing services (make it HttpOnly, Secure, SameSite). A request carrying both is
   * refused with 400 `invalid_request`. The query string is never read.
   * @default unset (Authorization header only)
   */
  cookie?: string;
  /**
   * URL of this API's RFC 9728 metadata, sent as `resource_metadata` in every challenge so
   * clients can discover where to get a token. https (http for loopback hosts).
   * @default unset
   */
  resourceMetadata?: string;
  /**
   * Seconds sent in `Retry-After` with a 503 when the refusal carries no estimate of its own:
   * a revocation store that cannot be reached. A key set that cannot be fetched answers with
   * the seconds until its key source will next try ({@link AccessTokenError.retryAfter}).
   * @default 30
   */
  retryAfter?: number;
  /** The RFC 9728 document served by `metadata()`. */
  metadata?: ProtectedResourceMetadataOptions;
}

/** The token-bearing headers of a request, as the framework hands them over. */
export interface TokenSource {
  readonly authorization: HeaderValue;
  readonly cookie: HeaderValue;
  /**
   * The request as `verifier.verifyRequest` reads it (method, external URL, headers, TLS peer
   * certificate), built only when a token needs it, with the credential already read from
   * `authorization`.
   */
  readonly request?: (credential: Credential) => PresentedRequest;
}

/**
 * The answer to a readiness probe: 200 with `verifier.health()` as JSON when every issuer has
 * usable keys, else 503 with `Retry-After`. Never cached (`Cache-Control: no-store`).
 */
export interface ReadinessAnswer {
  readonly status: 200 | 503;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: VerifierHealth;
  /**
   * The fetch a 503 starts, settled (never rejecting) when it ends. A runtime that cancels
   * work a request leaves behind (Cloudflare Workers) must be told to wait for it
   * (`waitUntil`), or the probe never turns ready.
   */
  readonly warming?: Promise<void>;
}

/** The result of protecting one request: claims to attach, or an answer to send. */
export type Outcome<Claims> =
  | { readonly claims: Claims; readonly answer?: undefined }
  | { readonly claims?: undefined; readonly answer: ErrorAnswer };

/** Checks one request against the guards of one route. `carrier` is the per-request object. */
export type RequestCheck<Claims> = (carrier: object, source: TokenSource) => Promise<Outcome<Claims>>;

/** The framework-agnostic part of an adapter, created once per `createAuth` call. */
export interface Core<Claims extends object> {
  readonly verifier: Verifier<Claims>;
  /**
   * Validates a route's guards now (TypeError naming `where` they came from) and returns the
   * per-request check.
   */
  protect(guards: unknown, where?: string): RequestCheck<AccessTokenClaims & Claims>;
  /** Claims this core attached to `carrier`, or a thrown Error naming the mistake. */
  claimsOf(carrier: object, method: string): AccessTokenClaims & Claims;
  /** The RFC 9728 document; throws TypeError now when it cannot be built from the options. */
  metadata(): ProtectedResourceMetadata;
  /**
   * The per-request readiness answer; throws TypeError now when the verifier has no
   * `health()`. A probe that finds an issuer without usable keys starts its fetch (the cooldown
   * still applies): a service kept out of rotation until ready receives no token that would.
   */
  readiness(): () => ReadinessAnswer;
}

const OPTION_NAMES = ['verifier', 'guards', 'realm', 'cookie', 'resourceMetadata', 'retryAfter', 'metadata'] as const;
const METADATA_OPTION_NAMES = [
  'resource',
  'authorizationServers',
  'scopesSupported',
  'resourceName',
  'resourceDocumentation',
] as const;

function isVerifier(value: unknown): value is Verifier<object> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Verifier<object>>;
  return typeof candidate.verifyAccessToken === 'function' && Array.isArray(candidate.issuers) && Array.isArray(candidate.audiences);
}

function resolveVerifier<Claims extends object>(value: unknown): Verifier<Claims> {
  if (isVerifier(value)) return value as Verifier<Claims>;
  if (!isPlainObject(value)) fail('verifier', 'a verifier from createVerifier() or the options to create one');
  return createVerifier<Claims>(value as unknown as VerifierOptions);
}

function headerText(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || !isHeaderSafe(value)) fail(name, 'a non-empty string of visible ASCII characters');
  return value;
}

function optionalUrl(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(name, 'a URL string');
  const problem = resourceProblem(value);
  if (problem !== undefined) unusable(name, problem);
  return value;
}

function optionalText(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') fail(name, 'a non-empty string');
  return value;
}

/**
 * Resolves an adapter's options. `adapterOptions` are the names the adapter adds (its
 * `errorResponse`), checked by the adapter itself.
 */
export function createCore<Claims extends object>(options: AuthOptions<Claims>, adapterOptions: readonly string[]): Core<Claims> {
  knownKeys('', optionsObject('createAuth', options), [...OPTION_NAMES, ...adapterOptions]);
  if (options.verifier === undefined) fail('verifier', 'a verifier from createVerifier() or the options to create one');
  const verifier = resolveVerifier<Claims>(options.verifier);
  const baseGuards = guardList<Claims>('option "guards"', options.guards);
  const realm = headerText('realm', options.realm, verifier.audiences[0] ?? 'api');
  const cookieName = options.cookie;
  if (cookieName !== undefined && (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))) {
    fail('cookie', 'a cookie name (an RFC 6265 token)');
  }
  const settings: AnswerSettings = {
    realm,
    resourceMetadata: optionalUrl('resourceMetadata', options.resourceMetadata),
    retryAfter: integer('retryAfter', options.retryAfter, 30, 1, 86400),
    dpop: dpopChallengeOf(verifier),
  };
  const metadataOptions = options.metadata ?? {};
  if (!isPlainObject(metadataOptions)) fail('metadata', 'an object');
  knownKeys('metadata', metadataOptions, METADATA_OPTION_NAMES);
  const explicitResource = optionalUrl('metadata.resource', metadataOptions.resource);
  const authorizationServers =
    metadataOptions.authorizationServers === undefined
      ? verifier.issuers
      : stringList('metadata.authorizationServers', metadataOptions.authorizationServers);
  const scopesSupported =
    metadataOptions.scopesSupported === undefined ? undefined : stringList('metadata.scopesSupported', metadataOptions.scopesSupported);
  const resourceName = optionalText('metadata.resourceName', metadataOptions.resourceName);
  const resourceDocumentation = optionalUrl('metadata.resourceDocumentation', metadataOptions.resourceDocumentation);

  // Answers that do not depend on the token are built once.
  const missing = answerForRequest('missing', settings);
  const multiple = answerForRequest('multiple', settings);
  const malformed = answerForRequest('malformed', settings);
  const refused = (error: AccessTokenError, scheme?: 'Bearer' | 'DPoP'): Outcome<never> => ({ answer: answerForError(error, settings, scheme) });
  // Tokens bound to their sender are checked with the whole request, where the adapter has it.
  const takesRequests = typeof verifier.verifyRequest === 'function';

  // Claims verified by this core, per request object: a route-level protect() after an
  // app-level one reuses them and only adds its own guards. Another core (another verifier)
  // never trusts them.
  const verified = new WeakMap<object, AccessTokenClaims & Claims>();

  return {
    verifier,

    protect(guards, where = 'the arguments of protect()') {
      const routeGuards = guardList<Claims>(where, guards);
      return async (carrier, source) => {
        let scheme: 'Bearer' | 'DPoP' | undefined;
        try {
          const known = verified.get(carrier);
          if (known !== undefined) {
            if (routeGuards.length > 0) await runGuards(routeGuards, known);
            return { claims: known };
          }
          let claims: AccessTokenClaims & Claims;
          const request = takesRequests ? source.request : undefined;
          const credential = request === undefined ? undefined : readCredential(headerValues({ authorization: source.authorization ?? undefined }, 'authorization'));
          if (request !== undefined && credential?.kind === 'token' && credential.scheme === 'DPoP') {
            scheme = 'DPoP';
            if (cookieName !== undefined && extractBearer(undefined, source.cookie, cookieName).kind === 'token') return { answer: multiple };
            claims = await verifier.verifyRequest<Claims>(request(credential));
            rememberIncomingToken(claims, credential.token, 'DPoP');
          } else {
            const extraction = extractBearer(source.authorization, source.cookie, cookieName);
            if (extraction.kind === 'none') return { answer: missing };
            if (extraction.kind === 'multiple') return { answer: multiple };
            if (extraction.kind === 'malformed') return { answer: malformed };
            scheme = 'Bearer';
            // A token from the cookie is a bearer token: verifyAccessToken refuses a bound one.
            const fromHeader = request !== undefined && credential?.kind === 'token' && credential.token === extraction.token;
            claims = fromHeader ? await verifier.verifyRequest<Claims>(request(credential)) : await verifier.verifyAccessToken<Claims>(extraction.token);
            rememberIncomingToken(claims, extraction.token, 'Bearer');
          }
          // No guards, no await: each costs the request a trip through the microtask queue.
          if (baseGuards.length > 0) await runGuards(baseGuards, claims);
          verified.set(carrier, claims);
          if (routeGuards.length > 0) await runGuards(routeGuards, claims);
          return { claims };
        } catch (error) {
          if (isAccessTokenError(error)) return refused(error, scheme);
          throw error;
        }
      };
    },

    claimsOf(carrier, method) {
      const claims = verified.get(carrier);
      if (claims === undefined) {
        throw new Error(`tokenwarden: ${method} was called for a request that no protect() of this auth has let through`);
      }
      return claims;
    },

    metadata() {
      let resource = explicitResource;
      if (resource === undefined) {
        const [audience] = verifier.audiences;
        if (audience === undefined || resourceProblem(audience) !== undefined) {
          unusable('metadata.resource', 'is needed to serve protected-resource metadata: the first audience is not an https URL');
        }
        resource = audience;
      }
      const document: ProtectedResourceMetadataOptions = {};
      if (scopesSupported !== undefined) document.scopesSupported = scopesSupported;
      if (resourceName !== undefined) document.resourceName = resourceName;
      if (resourceDocumentation !== undefined) document.resourceDocumentation = resourceDocumentation;
      return buildMetadata(resource, authorizationServers, document);
    },

    readiness() {
      if (typeof verifier.health !== 'function') {
        fail('verifier', 'a verifier with health() (from createVerifier()) to answer readiness probes');
      }
      return () => {
        const health = verifier.health();
        if (health.ready) return { status: 200, headers: NO_STORE, body: health };
        const warming = verifier.warmUp().catch(() => undefined);
        return { status: 503, headers: { ...NO_STORE, 'retry-after': String(secondsUntilRetry(health)) }, body: health, warming };
      };
    },
  };
}

const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store' });

/** Seconds until the soonest next attempt of an issuer without usable keys (there is one); at least 1. */
function secondsUntilRetry(health: VerifierHealth): number {
  const now = Date.now() / 1000;
  let soonest = Number.POSITIVE_INFINITY;
  for (const entry of health.issuers) if (!entry.usable) soonest = Math.min(soonest, entry.nextAttemptAt ?? now);
  return Math.max(1, Math.ceil(soonest - now));
}

/** A Node request as the adapters see it. */
interface NodeRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders?: readonly string[];
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly socket?: unknown;
}

/**
 * A Node request for verifyRequest. `url` is the framework's external URL where it knows one
 * (its proxy settings decide scheme and host); otherwise the connection's scheme, the `Host`
 * header and the request target. The TLS peer certificate comes from the connection.
 */
function nodeRequest(req: NodeRequest, url: (() => string) | undefined, credential: Credential): PresentedRequest {
  const socket = req.socket as Partial<TLSSocket> | undefined;
  const host = req.headers.host;
  return {
    method: req.method ?? 'GET',
    url: url?.() ?? `${socket?.encrypted === true ? 'https' : 'http'}://${typeof host === 'string' ? host : 'localhost'}${req.url ?? '/'}`,
    headers: req.headers,
    clientCertificate: socket?.encrypted === true ? socket.getPeerX509Certificate?.() : undefined,
    remoteAddress: socket?.remoteAddress,
    [PRESENTED_CREDENTIAL]: credential,
  };
}

/**
 * A request's token-bearing headers on Node (Express, Fastify, Koa, node:http), and the request
 * itself for verifyRequest; `url` gives its external URL where the framework knows it.
 */
export function nodeSource(req: NodeRequest, url?: () => string): TokenSource {
  // Node keeps only the first of repeated Authorization headers in `headers`; rawHeaders has
  // every one, which is how a second token is noticed.
  const raw = req.rawHeaders;
  let authorization: HeaderValue = req.headers.authorization;
  if (raw !== undefined) {
    const values: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      // The length first: lower-casing every other header name would copy each one.
      const name = raw[i] as string;
      if (name.length === 13 && name.toLowerCase() === 'authorization') values.push(raw[i + 1] as string);
    }
    if (values.length > 0) authorization = values;
  }
  return { authorization, cookie: req.headers.cookie, request: (credential) => nodeRequest(req, url, credential) };
}

/** A web `Request`'s token-bearing headers (Hono, Next.js), and the request for verifyRequest. */
export function webSource(request: Request): TokenSource {
  const { headers } = request;
  return {
    authorization: headers.get('authorization'),
    cookie: headers.get('cookie'),
    request: (credential) => ({ method: request.method, url: request.url, headers, [PRESENTED_CREDENTIAL]: credential }),
  };
}

/** The JSON `Response` for an answer, for adapters built on web Request/Response. */
export function answerResponse(answer: ErrorAnswer): Response {
  return new Response(JSON.stringify(answer.body), {
    status: answer.status,
    headers: { ...answer.headers, 'content-type': 'application/json' },
  });
}

/** The JSON `Response` for a readiness answer, for adapters built on web Request/Response. */
export function readinessResponse(answer: ReadinessAnswer): Response {
  return Response.json(answer.body, { status: answer.status, headers: answer.headers });
}

/** Checks an adapter's `errorResponse` option. */
export function errorResponseOption<F extends (...args: never[]) => unknown>(value: unknown): F | undefined {
  return optionalFunction<F>('errorResponse', value);
}

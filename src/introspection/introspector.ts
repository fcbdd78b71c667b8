// The verifier's introspection step: which tokens go to the issuer, and the cache, single
// flight and request budget that make asking it affordable. The claims it answers with then
// go through the same rules as a JWT's (in the verifier).
import type { AccessTokenClaims } from '../claims/types.js';
import type { Digests } from '../dpop/digest.js';
import { AccessTokenError } from '../errors.js';
import type { IntrospectionLimitedEvent, IntrospectionRequestEvent } from '../events/introspection.js';
import type { EventSink } from '../events/sink.js';
import type { JwsHeader } from '../token/parse.js';
import { createAnswerCache } from './cache.js';
import { createRequestBudget } from './limit.js';
import type { IntrospectionSettings } from './options.js';
import { createIssuerClient } from './request.js';
import { INTROSPECTED_HEADER, type Answer, type JwtAnswerCheck } from './response.js';

/** An introspected token the issuer says is active, before the claim rules. */
export interface Introspected {
  readonly header: JwsHeader;
  readonly claims: AccessTokenClaims;
  /** The issuer's RFC 9701 answer, when `jwtResponse` is on: a JWT to forward (phantom tokens). */
  readonly jwt: string | undefined;
}

export interface Introspector {
  /** True for a token that is to be introspected rather than verified as a JWS. */
  takes(token: unknown): token is string;
  /**
   * The issuer's answer about `token`, cached: `token_inactive` when it is not active,
   * `introspection_unavailable` when the issuer cannot say, `token_malformed` for text that
   * is no access token at all (never sent). Synchronous when the cache answers and the
   * runtime hashes synchronously (the hot path); callers await only a promise.
   */
  introspect(token: string): Introspected | Promise<Introspected>;
}

export interface IntrospectorDeps {
  readonly maxTokenLength: number;
  readonly digests: Digests;
  readonly jwt: JwtAnswerCheck | undefined;
  readonly events: { readonly request: EventSink<IntrospectionRequestEvent>; readonly limited: EventSink<IntrospectionLimitedEvent> };
}

// RFC 6750 §2.1 b64token: what a bearer token can be. Anything else is refused unsent.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

function isCompactJws(token: string): boolean {
  const first = token.indexOf('.');
  if (first === -1) return false;
  const second = token.indexOf('.', first + 1);
  return second !== -1 && token.indexOf('.', second + 1) === -1;
}

export function createIntrospector(settings: IntrospectionSettings, deps: IntrospectorDeps): Introspector {
  const ask = createIssuerClient(settings, deps.jwt, deps.events.request);
  const cache = settings.cache === undefined ? undefined : createAnswerCache(settings.cache);
  const budget = createRequestBudget(settings.maxRequestsPerSecond);
  const inflight = new Map<string, Promise<Answer>>();
  const { issuer } = settings;

  function answered(answer: Answer): Introspected {
    if (!answer.active) throw new AccessTokenError('token_inactive', 'the issuer says the token is not active');
    return { header: INTROSPECTED_HEADER, claims: answer.claims, jwt: answer.jwt };
  }

  function request(token: string, key: string): Promise<Answer> {
    if (!budget.take(Date.now())) {
      if (deps.events.limited.hasSubscribers) deps.events.limited.publish({ issuer, retryAfter: 1 });
      return Promise.reject(
        new AccessTokenError('introspection_unavailable', 'introspection requests are over introspection.maxRequestsPerSecond', { retryAfter: 1 }),
      );
    }
    const pending = ask(token)
      .then((answer) => {
        cache?.set(key, answer, Date.now());
        return answer;
      })
      .finally(() => inflight.delete(key));
    inflight.set(key, pending);
    return pending;
  }

  function lookup(token: string, key: string): Introspected | Promise<Introspected> {
    const kept = cache?.get(key, Date.now());
    if (kept !== undefined) return answered(kept);
    return (inflight.get(key) ?? request(token, key)).then(answered);
  }

  return {
    takes(token): token is string {
      return typeof token === 'string' && (settings.tokens === 'all' || !isCompactJws(token));
    },

    introspect(token) {
      if (token.length === 0) throw new AccessTokenError('token_malformed', 'access token is empty');
      if (token.length > deps.maxTokenLength) {
        throw new AccessTokenError('token_malformed', `access token is longer than ${deps.maxTokenLength} characters`);
      }
      if (!B64TOKEN.test(token)) throw new AccessTokenError('token_malformed', 'access token has characters no bearer token has');
      const hashed = deps.digests.sha256(token);
      return typeof hashed === 'string' ? lookup(token, hashed) : hashed.then((key) => lookup(token, key));
    },
  };
}

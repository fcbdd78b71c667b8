// Fastify 5: a `fastify-plugin` plugin decorates `request.auth`, and `protect()` gives hooks
// for routes (onRequest: before the body is read). Glue only; see ./core.ts.
import { fastifyPlugin } from 'fastify-plugin';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import {
  createCore,
  errorResponseOption,
  nodeSource,
  type AccessTokenClaims,
  type AuthOptions,
  type ErrorAnswer,
  type Guard,
} from './core.js';

export type {
  AuthOptions,
  ErrorAnswer,
  Guard,
  IssuerHealth,
  ProtectedResourceMetadata,
  ProtectedResourceMetadataOptions,
  VerifierHealth,
} from './core.js';
export { incomingToken, type IncomingToken } from './incoming-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Claims of the access token verified by tokenwarden's `protect()`; `null` elsewhere. */
    auth: AccessTokenClaims | null;
  }
}

/** Options of {@link createAuth} for Fastify. */
export interface FastifyAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Sends a refusal your way. It must send the reply (and may return it).
   * @default `reply.code(answer.status).headers(answer.headers).send(answer.body)`
   */
  errorResponse?: (answer: ErrorAnswer, request: FastifyRequest, reply: FastifyReply) => unknown;
}

/** An async hook, usable as `onRequest` (recommended) or `preHandler`. */
export type FastifyAuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Route protection for one verifier, from {@link createAuth}. */
export interface FastifyAuth<Claims extends object = Record<never, never>> {
  /**
   * The plugin to register once: decorates `request.auth` (null until a `protect()` hook
   * sets it). Named `tokenwarden`, wrapped with `fastify-plugin` so it applies to the instance
   * it is registered on.
   */
  readonly plugin: FastifyPluginAsync;
  /**
   * A hook that lets a request through only with a valid token that passes the guards, and
   * sets `request.auth`. Add it with `addHook('onRequest', …)` or per route in `onRequest`;
   * after an instance-wide one, a route's `protect(...)` only adds its guards.
   */
  protect(...guards: Guard<Claims>[]): FastifyAuthHook;
  /** The claims `protect()` attached to `request`, typed with your claims; throws (a 500) elsewhere. */
  claims(request: FastifyRequest): AccessTokenClaims & Claims;
  /** A route handler serving the RFC 9728 metadata at `/.well-known/oauth-protected-resource`. */
  metadata(): RouteHandlerMethod;
  /**
   * A handler for readiness probes: 200 with `verifier.health()` as JSON when every issuer has
   * usable keys, else 503 with `Retry-After` (and it starts the missing fetch). It names URLs
   * and errors: route it where only your orchestrator can reach it.
   */
  ready(): RouteHandlerMethod;
}

function sendAnswer(answer: ErrorAnswer, _request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

const decorate: FastifyPluginAsync = async (fastify) => {
  // Several auths (several verifiers) may each register their plugin: decorate once.
  if (!fastify.hasRequestDecorator('auth')) fastify.decorateRequest('auth', null);
};

/**
 * Protects Fastify routes with bearer tokens (RFC 6750).
 *
 * @example
 * ```ts
 * import { requireScopes } from 'tokenwarden';
 * import { createAuth } from 'tokenwarden/fastify';
 *
 * const auth = createAuth({ verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' } });
 * await app.register(auth.plugin);
 * app.get('/orders', { onRequest: auth.protect(requireScopes('orders:read')) }, async (request) => ({
 *   user: request.auth?.sub,
 * }));
 * ```
 */
export function createAuth<Claims extends object = Record<never, never>>(options: FastifyAuthOptions<Claims>): FastifyAuth<Claims> {
  const core = createCore(options, ['errorResponse']);
  const respond = errorResponseOption<NonNullable<FastifyAuthOptions['errorResponse']>>(options.errorResponse) ?? sendAnswer;
  const plugin = fastifyPlugin(decorate, { name: 'tokenwarden', fastify: '>=5' });

  return {
    plugin,

    protect(...guards) {
      const check = core.protect(guards);
      return async function tokenwardenProtect(request, reply) {
        if (!request.server.hasRequestDecorator('auth')) {
          throw new Error('tokenwarden: register auth.plugin on this Fastify instance before using auth.protect()');
        }
        const outcome = await check(request, nodeSource(request.raw, () => `${request.protocol}://${request.host}${request.url}`));
        if (outcome.answer !== undefined) {
          await respond(outcome.answer, request, reply);
          // Returning the reply makes Fastify wait for it and skip the rest of the route.
          return reply;
        }
        request.auth = outcome.claims;
        return undefined;
      };
    },

    claims: (request) => core.claimsOf(request, 'auth.claims(request)'),

    metadata() {
      const document = core.metadata();
      return async function tokenwardenMetadata() {
        return document;
      };
    },

    ready() {
      const readiness = core.readiness();
      return async function tokenwardenReady(_request, reply) {
        const answer = readiness();
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      };
    },
  };
}

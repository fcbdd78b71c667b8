// Next.js (App Router) on any runtime: `withAuth()` wraps a route handler, which receives the
// claims as its second argument; `middleware()` guards requests in middleware.ts / proxy.ts.
// Works with web Request/Response (a NextRequest is a Request) and imports nothing node-only;
// Next's types are imported as types. Glue only; see ./core.ts.
import type { NextRequest } from 'next/server.js';
import {
  answerResponse,
  createCore,
  readinessResponse,
  errorResponseOption,
  webSource,
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

/** Options of {@link createAuth} for Next.js. */
export interface NextRouteAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Builds the response for a refusal.
   * @default `answer.body` as JSON with `answer.status` and `answer.headers`
   */
  errorResponse?: (answer: ErrorAnswer, request: Request) => Response | Promise<Response>;
}

/** A route handler that also receives the verified claims. */
export type AuthenticatedRouteHandler<Claims extends object, Req extends Request, Ctx, Res extends Response> = (
  request: Req,
  claims: AccessTokenClaims & Claims,
  context: Ctx,
) => Res | Promise<Res>;

/** Route protection for one verifier, from {@link createAuth}. */
export interface NextRouteAuth<Claims extends object = Record<never, never>> {
  /**
   * Wraps an App Router route handler: it runs only for a request with a valid token that
   * passes `requirements`, and gets the claims as its second argument (the route context,
   * with `params`, comes third). Other requests get the RFC 6750 answer.
   *
   * @example
   * ```ts
   * export const GET = withAuth(async (request, claims, { params }) => {
   *   const { id } = await params;
   *   return Response.json({ id, user: claims.sub });
   * }, requireScopes('orders:read'));
   * ```
   */
  withAuth<Req extends Request = NextRequest, Ctx = unknown, Res extends Response = Response>(
    handler: AuthenticatedRouteHandler<Claims, Req, Ctx, Res>,
    requirements?: Guard<Claims> | readonly Guard<Claims>[],
  ): (request: Req, context: Ctx) => Promise<Res | Response>;
  /**
   * A function for middleware.ts / proxy.ts: resolves to the refusal `Response`, or to
   * `undefined` when the request may go on (what Next expects from middleware that lets a
   * request through). It cannot pass claims on: route handlers verify again with `withAuth`.
   */
  middleware(...guards: Guard<Claims>[]): (request: Request) => Promise<Response | undefined>;
  /** A GET route handler serving the RFC 9728 metadata (app/.well-known/oauth-protected-resource/route.ts). */
  metadata(): (request: Request) => Response;
  /**
   * A GET route handler for readiness probes (app/ready/route.ts, say): 200 with `verifier.health()` as JSON when every issuer has
   * usable keys, else 503 with `Retry-After` (and it starts the missing fetch). It names URLs
   * and errors: route it where only your orchestrator can reach it.
   */
  ready(): (request: Request) => Response;
}

/**
 * Protects Next.js route handlers and middleware with bearer tokens (RFC 6750).
 *
 * @example
 * ```ts
 * // lib/auth.ts
 * import { createAuth } from 'tokenwarden/next';
 * export const { withAuth, middleware } = createAuth({
 *   verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' },
 * });
 * ```
 */
export function createAuth<Claims extends object = Record<never, never>>(options: NextRouteAuthOptions<Claims>): NextRouteAuth<Claims> {
  const core = createCore(options, ['errorResponse']);
  const custom = errorResponseOption<NonNullable<NextRouteAuthOptions['errorResponse']>>(options.errorResponse);
  const respond = (answer: ErrorAnswer, request: Request): Response | Promise<Response> =>
    custom === undefined ? answerResponse(answer) : custom(answer, request);

  return {
    withAuth(handler, requirements) {
      if (typeof handler !== 'function') throw new TypeError('tokenwarden: withAuth needs a route handler function');
      const guards = typeof requirements === 'function' ? [requirements] : requirements;
      const check = core.protect(guards, 'the requirements of withAuth');
      return async function tokenwardenRoute(request, context) {
        const outcome = await check(request, webSource(request));
        if (outcome.answer !== undefined) return respond(outcome.answer, request);
        return handler(request, outcome.claims, context);
      };
    },

    middleware(...guards) {
      const check = core.protect(guards, 'the arguments of middleware()');
      return async function tokenwardenMiddleware(request) {
        const outcome = await check(request, webSource(request));
        return outcome.answer === undefined ? undefined : respond(outcome.answer, request);
      };
    },

    metadata() {
      const document = core.metadata();
      return function tokenwardenMetadata() {
        return Response.json(document);
      };
    },

    ready() {
      const readiness = core.readiness();
      return function tokenwardenReady() {
        return readinessResponse(readiness());
      };
    },
  };
}

// Hono 4, on any runtime: the claims are a context variable, `c.get('auth')`, typed through
// the middleware's Env (no global augmentation). Imports nothing node-only: the verifier comes
// through the core, whose web build uses global fetch and WebCrypto. Glue only; see ./core.ts.
import type { Context, Handler, MiddlewareHandler } from 'hono';
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

/** The Env `protect()` adds: `c.get('auth')` / `c.var.auth` hold the claims. */
export interface HonoAuthEnv<Claims extends object = Record<never, never>> {
  Variables: { auth: AccessTokenClaims & Claims };
}

/** Options of {@link createAuth} for Hono. */
export interface HonoAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Builds the response for a refusal.
   * @default `answer.body` as JSON with `answer.status` and `answer.headers`
   */
  errorResponse?: (answer: ErrorAnswer, c: Context) => Response | Promise<Response>;
}

/** Route protection for one verifier, from {@link createAuth}. */
export interface HonoAuth<Claims extends object = Record<never, never>> {
  /**
   * Middleware that lets a request through only with a valid token that passes the guards,
   * and sets `c.get('auth')`. After an app-wide one, a route's `protect(...)` only adds its
   * guards.
   */
  protect(...guards: Guard<Claims>[]): MiddlewareHandler<HonoAuthEnv<Claims>>;
  /** A handler serving the RFC 9728 metadata at `/.well-known/oauth-protected-resource`. */
  metadata(): Handler;
  /**
   * A handler for readiness probes: 200 with `verifier.health()` as JSON when every issuer has
   * usable keys, else 503 with `Retry-After` (and it starts the missing fetch). It names URLs
   * and errors: route it where only your orchestrator can reach it.
   */
  ready(): Handler;
}

/**
 * Protects Hono routes with bearer tokens (RFC 6750).
 *
 * @example
 * ```ts
 * import { requireScopes } from 'tokenwarden';
 * import { createAuth } from 'tokenwarden/hono';
 *
 * const auth = createAuth({ verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' } });
 * app.get('/orders', auth.protect(requireScopes('orders:read')), (c) => c.json({ user: c.get('auth').sub }));
 * ```
 */
export function createAuth<Claims extends object = Record<never, never>>(options: HonoAuthOptions<Claims>): HonoAuth<Claims> {
  const core = createCore(options, ['errorResponse']);
  const custom = errorResponseOption<NonNullable<HonoAuthOptions['errorResponse']>>(options.errorResponse);

  return {
    protect(...guards) {
      const check = core.protect(guards);
      return async function tokenwardenProtect(c, next) {
        const outcome = await check(c, webSource(c.req.raw));
        if (outcome.answer !== undefined) {
          return custom === undefined ? answerResponse(outcome.answer) : custom(outcome.answer, c);
        }
        c.set('auth', outcome.claims);
        await next();
        return undefined;
      };
    },

    metadata() {
      const document = core.metadata();
      return function tokenwardenMetadata(c) {
        return c.json(document);
      };
    },

    ready() {
      const readiness = core.readiness();
      return function tokenwardenReady(c) {
        const answer = readiness();
        if (answer.warming !== undefined) keepAlive(c, answer.warming);
        return readinessResponse(answer);
      };
    },
  };
}

/**
 * Asks the runtime to let `work` finish after the answer is sent: Workers cancel what a request
 * leaves behind otherwise. Elsewhere (Node, Bun, Deno) Hono has no execution context and the
 * work runs on by itself.
 */
function keepAlive(c: Context, work: Promise<void>): void {
  let context: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    context = c.executionCtx;
  } catch {
    return;
  }
  context.waitUntil(work);
}

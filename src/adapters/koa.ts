// Koa (2.15+ and 3): the claims land on `ctx.state.auth`. Glue only; see ./core.ts.
import type { Middleware, ParameterizedContext } from 'koa';
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

/** What `protect()` adds to `ctx.state`. */
export interface KoaAuthState<Claims extends object = Record<never, never>> {
  /** Claims of the verified access token. */
  auth: AccessTokenClaims & Claims;
}

/** Options of {@link createAuth} for Koa. */
export interface KoaAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Sends a refusal your way: set `ctx.status`, headers and `ctx.body` (or throw to use your
   * error middleware).
   * @default status, headers and the JSON body of the answer
   */
  errorResponse?: (answer: ErrorAnswer, ctx: ParameterizedContext) => void | Promise<void>;
}

/** Route protection for one verifier, from {@link createAuth}. */
export interface KoaAuth<Claims extends object = Record<never, never>> {
  /**
   * Middleware that lets a request through only with a valid token that passes the guards,
   * and sets `ctx.state.auth`, typed for the middleware that follows in a `use()` chain.
   * After an app-wide one, a route's `protect(...)` only adds its guards.
   */
  protect(...guards: Guard<Claims>[]): Middleware<KoaAuthState<Claims>>;
  /** The claims `protect()` attached to `ctx`, typed with your claims; throws (a 500) elsewhere. */
  claims(ctx: ParameterizedContext): AccessTokenClaims & Claims;
  /** Middleware serving the RFC 9728 metadata; route `/.well-known/oauth-protected-resource` to it. */
  metadata(): Middleware;
  /**
   * A handler for readiness probes: 200 with `verifier.health()` as JSON when every issuer has
   * usable keys, else 503 with `Retry-After` (and it starts the missing fetch). It names URLs
   * and errors: route it where only your orchestrator can reach it.
   */
  ready(): Middleware;
}

function sendAnswer(answer: ErrorAnswer, ctx: ParameterizedContext): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  ctx.body = answer.body;
}

/**
 * Protects Koa routes with bearer tokens (RFC 6750).
 *
 * @example
 * ```ts
 * import { requireScopes } from 'tokenwarden';
 * import { createAuth } from 'tokenwarden/koa';
 *
 * const auth = createAuth({ verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' } });
 * app.use(auth.protect(requireScopes('orders:read'))).use((ctx) => {
 *   ctx.body = { user: ctx.state.auth.sub };
 * });
 * ```
 */
export function createAuth<Claims extends object = Record<never, never>>(options: KoaAuthOptions<Claims>): KoaAuth<Claims> {
  const core = createCore(options, ['errorResponse']);
  const respond = errorResponseOption<NonNullable<KoaAuthOptions['errorResponse']>>(options.errorResponse) ?? sendAnswer;

  return {
    protect(...guards) {
      const check = core.protect(guards);
      return async function tokenwardenProtect(ctx, next) {
        const outcome = await check(ctx, nodeSource(ctx.req, () => ctx.href));
        if (outcome.answer !== undefined) {
          await respond(outcome.answer, ctx);
          return;
        }
        ctx.state.auth = outcome.claims;
        await next();
      };
    },

    claims: (ctx) => core.claimsOf(ctx, 'auth.claims(ctx)'),

    metadata() {
      const document = core.metadata();
      return function tokenwardenMetadata(ctx) {
        ctx.body = document;
      };
    },

    ready() {
      const readiness = core.readiness();
      return function tokenwardenReady(ctx) {
        const answer = readiness();
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
      };
    },
  };
}

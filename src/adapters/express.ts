// Express (4.21+ and 5): the claims land on `req.auth`. Glue only; see ./core.ts.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
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

declare global {
  // Express's own augmentation point for `req`.
  namespace Express {
    interface Request {
      /** Claims of the access token verified by tokenwarden's `protect()`; unset elsewhere. */
      auth?: AccessTokenClaims;
    }
  }
}

/** Options of {@link createAuth} for Express. */
export interface ExpressAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Sends a refusal your way (HTML for browsers, your error envelope, `next(answer.error)` to
   * use your error handler). It must end the response or call `next`.
   * @default `res.status(answer.status).set(answer.headers).json(answer.body)`
   */
  errorResponse?: (answer: ErrorAnswer, req: Request, res: Response, next: NextFunction) => void;
}

/** Route protection for one verifier, from {@link createAuth}. */
export interface ExpressAuth<Claims extends object = Record<never, never>> {
  /**
   * Middleware that lets a request through only with a valid token that passes the guards,
   * and sets `req.auth`. Use it app-wide, per router or per route; after an app-wide one, a
   * route's `protect(...)` only adds its guards.
   */
  protect(...guards: Guard<Claims>[]): RequestHandler;
  /** The claims `protect()` attached to `req`, typed with your claims; throws (a 500) elsewhere. */
  claims(req: Request): AccessTokenClaims & Claims;
  /** A handler serving the RFC 9728 metadata; mount it at `/.well-known/oauth-protected-resource`. */
  metadata(): RequestHandler;
  /**
   * A handler for readiness probes: 200 with `verifier.health()` as JSON when every issuer has
   * usable keys, else 503 with `Retry-After` (and it starts the missing fetch). It names URLs
   * and errors: route it where only your orchestrator can reach it.
   */
  ready(): RequestHandler;
}

function sendAnswer(answer: ErrorAnswer, _req: Request, res: Response): void {
  res.status(answer.status).set(answer.headers).json(answer.body);
}

/**
 * Protects Express routes with bearer tokens (RFC 6750).
 *
 * @example
 * ```ts
 * import { requireScopes } from 'tokenwarden';
 * import { createAuth } from 'tokenwarden/express';
 *
 * const auth = createAuth({ verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' } });
 * app.use('/api', auth.protect());
 * app.get('/api/orders', auth.protect(requireScopes('orders:read')), (req, res) => {
 *   res.json({ user: req.auth?.sub });
 * });
 * ```
 */
export function createAuth<Claims extends object = Record<never, never>>(options: ExpressAuthOptions<Claims>): ExpressAuth<Claims> {
  const core = createCore(options, ['errorResponse']);
  const respond = errorResponseOption<NonNullable<ExpressAuthOptions['errorResponse']>>(options.errorResponse) ?? sendAnswer;

  return {
    protect(...guards) {
      const check = core.protect(guards);
      return function tokenwardenProtect(req, res, next) {
        // Express 4 does not await middleware: failures are handed to next() explicitly.
        check(req, nodeSource(req, () => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`))
          .then((outcome) => {
            if (outcome.answer !== undefined) {
              respond(outcome.answer, req, res, next);
              return;
            }
            req.auth = outcome.claims;
            next();
          })
          .catch(next);
      };
    },

    claims: (req) => core.claimsOf(req, 'auth.claims(req)'),

    metadata() {
      const document = core.metadata();
      return function tokenwardenMetadata(_req, res) {
        res.json(document);
      };
    },

    ready() {
      const readiness = core.readiness();
      return function tokenwardenReady(_req, res) {
        const answer = readiness();
        res.status(answer.status).set(answer.headers).json(answer.body);
      };
    },
  };
}

// node:http (and anything built on its request/response pair): `protect(handler)` wraps a
// request listener, which finds the claims on `req.auth`. Glue only; see ./core.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createCore,
  errorResponseOption,
  nodeSource,
  type AccessTokenClaims,
  type AuthOptions,
  type ErrorAnswer,
  type Guard,
} from './core.js';
import { optionalFunction } from '../lib/options.js';

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

/** A request that `protect()` let through: `req.auth` holds the claims. */
export type AuthenticatedRequest<Claims extends object = Record<never, never>, Req extends IncomingMessage = IncomingMessage> = Req & {
  auth: AccessTokenClaims & Claims;
};

/** Options of {@link createAuth} for node:http. */
export interface NodeAuthOptions<Claims extends object = Record<never, never>> extends AuthOptions<Claims> {
  /**
   * Sends a refusal your way. It must end the response.
   * @default status, headers and the JSON body of the answer
   */
  errorResponse?: (answer: ErrorAnswer, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /**
   * node:http has no error handling of its own, so the wrapper provides it: called with any
   * error that is not a refusal (a configuration mistake, or a throw in your handler).
   * @default logs the error with console.error and answers 500 `{"error":"server_error"}`
   */
  serverError?: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

/** Route protection for one verifier, from {@link createAuth}. */
export interface NodeAuth<Claims extends object = Record<never, never>> {
  /**
   * Wraps a request listener: it runs only for a request with a valid token that passes the
   * guards, with the claims on `req.auth`. The wrapper never rejects; errors go to
   * `serverError`.
   */
  protect<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
    handler: (req: AuthenticatedRequest<Claims, Req>, res: Res) => unknown,
    ...guards: Guard<Claims>[]
  ): (req: Req, res: Res) => Promise<void>;
  /** A request listener serving the RFC 9728 metadata; route `/.well-known/oauth-protected-resource` to it. */
  metadata(): (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * A request listener for readiness probes: 200 with `verifier.health()` as JSON when every issuer has
   * usable keys, else 503 with `Retry-After` (and it starts the missing fetch). It names URLs
   * and errors: route it where only your orchestrator can reach it.
   */
  ready(): (req: IncomingMessage, res: ServerResponse) => void;
}

function writeJson(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function sendAnswer(answer: ErrorAnswer, _req: IncomingMessage, res: ServerResponse): void {
  writeJson(res, answer.status, answer.headers, answer.body);
}

function reportServerError(error: unknown, _req: IncomingMessage, res: ServerResponse): void {
  console.error(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, 500, {}, { error: 'server_error', error_description: 'The server failed to process the request' });
}

/**
 * Protects node:http request listeners with bearer tokens (RFC 6750).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { requireScopes } from 'tokenwarden';
 * import { createAuth } from 'tokenwarden/node';
 *
 * const auth = createAuth({ verifier: { issuer: 'https://auth.example.com', audience: 'orders-api' } });
 * createServer(auth.protect((req, res) => {
 *   res.end(`hello ${req.auth.sub}`);
 * }, requireScopes('orders:read'))).listen(3000);
 * ```
 */
export function createAuth<Claims extends object = Record<never, never>>(options: NodeAuthOptions<Claims>): NodeAuth<Claims> {
  const core = createCore(options, ['errorResponse', 'serverError']);
  const respond = errorResponseOption<NonNullable<NodeAuthOptions['errorResponse']>>(options.errorResponse) ?? sendAnswer;
  const onServerError = optionalFunction<NonNullable<NodeAuthOptions['serverError']>>('serverError', options.serverError) ?? reportServerError;

  return {
    protect(handler, ...guards) {
      if (typeof handler !== 'function') throw new TypeError('tokenwarden: protect needs a request listener function');
      const check = core.protect(guards);
      return async function tokenwardenProtect(req, res) {
        try {
          const outcome = await check(req, nodeSource(req));
          if (outcome.answer !== undefined) {
            await respond(outcome.answer, req, res);
            return;
          }
          await handler(Object.assign(req, { auth: outcome.claims }), res);
        } catch (error) {
          onServerError(error, req, res);
        }
      };
    },

    metadata() {
      const document = core.metadata();
      return function tokenwardenMetadata(_req, res) {
        writeJson(res, 200, {}, document);
      };
    },

    ready() {
      const readiness = core.readiness();
      return function tokenwardenReady(_req, res) {
        const answer = readiness();
        writeJson(res, answer.status, answer.headers, answer.body);
      };
    },
  };
}

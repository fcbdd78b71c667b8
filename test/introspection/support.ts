// A loopback introspection endpoint (RFC 7662) whose answers each test programs, and verifiers
// pointed at it. Goes through undici like production: msw cannot see that traffic.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { vi } from 'vitest';
import type { AccessTokenError } from '../../src/errors.js';
import type { IntrospectionOptions } from '../../src/introspection/options.js';
import { createVerifier, type Verifier, type VerifierOptions } from '../../src/verifier.js';
import { notFound, sendJson, startServer, type Handler, type LoopbackServer } from '../helpers/jwks-server.js';

export const AUDIENCE = 'introspection-tests';
export const CLIENT_ID = 'resource-server';
export const CLIENT_SECRET = 'a-secret-no-log-may-ever-show-0f9e8d7c';
export const INTROSPECT = '/introspect';
export const OIDC = '/.well-known/openid-configuration';
/** Wall-clock start of every test that fakes Date. */
export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

/** Fakes Date only: the servers and the request timeouts keep real timers. */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
}

export const now = (): number => Math.floor(Date.now() / 1000);

/** A fresh opaque token, as many issuers make them: random base64url. */
export function opaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** One request the endpoint received, its form decoded. */
export interface SeenIntrospection {
  readonly form: URLSearchParams;
  readonly authorization: string | undefined;
  readonly accept: string | undefined;
}

export interface IntrospectionServer {
  readonly server: LoopbackServer;
  readonly issuer: string;
  readonly endpoint: string;
  /** What the endpoint knows: token → its claims (active), absent tokens are inactive. */
  readonly active: Map<string, Record<string, unknown>>;
  /** When set, answers instead (a fault). */
  respond: Handler | undefined;
  /** Every introspection request, decoded. */
  readonly seen: SeenIntrospection[];
  /** Introspection requests so far. */
  requests(): number;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** Starts an endpoint at {@link INTROSPECT}, with OIDC metadata naming it. */
export async function serveIntrospection(): Promise<IntrospectionServer> {
  let state: IntrospectionServer | undefined;
  const server = await startServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (state === undefined) return notFound(req, res);
    if (req.url === OIDC) return sendJson(res, 200, { issuer: state.issuer, introspection_endpoint: state.endpoint });
    if (req.url !== INTROSPECT) return notFound(req, res);
    if (state.respond) return state.respond(req, res);
    const form = new URLSearchParams(await readBody(req));
    state.seen.push({ form, authorization: req.headers.authorization, accept: req.headers.accept });
    const claims = state.active.get(form.get('token') ?? '');
    sendJson(res, 200, claims === undefined ? { active: false } : { active: true, ...claims });
  });
  state = {
    server,
    issuer: server.origin,
    endpoint: server.url(INTROSPECT),
    active: new Map(),
    respond: undefined,
    seen: [],
    requests: () => server.count(INTROSPECT),
  };
  return state;
}

/** Claims of an active token of `issuer`, valid for five minutes from now. */
export function activeClaims(issuer: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: issuer, aud: AUDIENCE, sub: 'user-1', client_id: 'web-app', scope: 'orders:read', iat: now(), exp: now() + 300, ...extra };
}

/** A verifier of `target`'s opaque tokens with HTTP Basic credentials, the endpoint configured. */
export function verifierFor(
  target: IntrospectionServer,
  introspection: { [K in keyof IntrospectionOptions]?: IntrospectionOptions[K] | undefined } = {},
  options: Partial<VerifierOptions> = {},
): Verifier {
  return createVerifier({
    issuer: target.issuer,
    audience: AUDIENCE,
    jwksUri: `${target.issuer}/jwks.json`,
    // An option set to undefined here is left out, as if never given (clientSecret for privateKey).
    introspection: { endpoint: target.endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...introspection } as IntrospectionOptions,
    ...options,
  });
}

/** The message of the error behind a refusal (its `cause`). */
export function causeOf(error: AccessTokenError): string {
  return error.cause instanceof Error ? error.cause.message : '';
}

export function since(start: number): number {
  return performance.now() - start;
}

/** Moves the fake wall clock to `seconds` after T0. */
export function at(seconds: number): void {
  vi.setSystemTime(T0 + seconds * 1000);
}

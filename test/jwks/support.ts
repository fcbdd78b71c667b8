// Shared pieces of the key-source tests: hand-made keys and tokens (for key sets the test
// issuer cannot serve: duplicate kids, malformed members, keys that come and go), a loopback
// key-set server whose answer each test programs, and small assertions. Keys are made per run.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CompactSign, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { vi } from 'vitest';
import type { AccessTokenError } from '../../src/errors.js';
import type { JwksOptions } from '../../src/jwks/options.js';
import { createVerifier, type Verifier } from '../../src/verifier.js';
import { notFound, sendJson, startServer, type Handler, type LoopbackServer } from '../helpers/jwks-server.js';

export const AUDIENCE = 'jwks-tests';
/** Wall-clock start of every test (the key source reads Date.now()). */
export const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
export const JWKS_PATH = '/jwks.json';
export const OIDC = '/.well-known/openid-configuration';

/** Fakes Date only: AbortSignal.timeout and the servers keep real timers. */
export function useFakeClock(): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
}

/** Moves the fake wall clock to `seconds` after T0. */
export function at(seconds: number): void {
  vi.setSystemTime(T0 + seconds * 1000);
}

export interface TestKey {
  readonly kid: string;
  /** The public JWK as a key set would publish it. */
  readonly jwk: JWK;
  /**
   * Signs a token for `issuer` with this key. `claims` add to or replace the defaults;
   * `header` replaces protected-header members (e.g. another `kid`).
   */
  sign(issuer: string, claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

export async function makeKey(options: { alg?: 'ES256' | 'RS256'; kid?: string } = {}): Promise<TestKey> {
  const alg = options.alg ?? 'ES256';
  const kid = options.kid ?? randomUUID();
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, jwk, sign: (issuer, claims, header) => signWith(privateKey, { kid, ...header, alg }, issuer, claims) };
}

async function signWith(
  privateKey: CryptoKey,
  header: { alg: string } & Record<string, unknown>,
  issuer: string,
  claims: Record<string, unknown> = {},
): Promise<string> {
  // Date.now() follows the fake clock, so a token is valid at the time the test is at.
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: issuer, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 300, ...claims };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ typ: 'at+jwt', ...header })
    .sign(privateKey);
}

/** A JWK Set document of these keys: test keys, or anything else as is (malformed entries). */
export function keySet(...keys: readonly unknown[]): { keys: unknown[] } {
  return { keys: keys.map((key) => (isTestKey(key) ? key.jwk : key)) };
}

function isTestKey(value: unknown): value is TestKey {
  return typeof value === 'object' && value !== null && typeof (value as Partial<TestKey>).sign === 'function';
}

/**
 * A loopback server that publishes a key set at {@link JWKS_PATH}. `document` and `headers`
 * may change during a test; `respond`, when set, answers instead (a fault).
 */
export interface KeySetServer {
  readonly server: LoopbackServer;
  readonly jwksUri: string;
  /** The server's origin, used as the issuer. */
  readonly issuer: string;
  document: unknown;
  headers: Record<string, string>;
  respond: Handler | undefined;
  /** Key-set requests received so far. */
  fetches(): number;
}

export async function serveKeySet(document: unknown, headers: Record<string, string> = {}): Promise<KeySetServer> {
  let state: KeySetServer | undefined;
  const server = await startServer((req: IncomingMessage, res: ServerResponse) => {
    if (state === undefined || req.url !== JWKS_PATH) return notFound(req, res);
    if (state.respond) return state.respond(req, res);
    sendJson(res, 200, state.document, state.headers);
  });
  state = {
    server,
    jwksUri: server.url(JWKS_PATH),
    issuer: server.origin,
    document,
    headers,
    respond: undefined,
    fetches: () => server.count(JWKS_PATH),
  };
  return state;
}

/** A verifier for one issuer: its jwksUri when given, else discovery. */
export function verifierFor(target: { issuer: string; jwksUri?: string | undefined }, jwks: JwksOptions = {}): Verifier {
  return createVerifier({
    issuer: target.issuer,
    audience: AUDIENCE,
    jwks,
    ...(target.jwksUri === undefined ? {} : { jwksUri: target.jwksUri }),
  });
}

/**
 * Returns once any key-set refresh that is running has finished: warmUp() joins a fetch in
 * flight, and returns at once when a usable set is cached and nothing is in flight. Its own
 * refusal (nothing usable) is not what callers are checking, so it is ignored.
 */
export async function settle(verifier: Verifier): Promise<void> {
  await verifier.warmUp().catch(() => undefined);
}

/** The message of the error that made the key set unavailable (the `cause`). */
export function causeOf(error: AccessTokenError): string {
  return error.cause instanceof Error ? error.cause.message : '';
}

/** Milliseconds of real time since `start` (performance.now is not faked). */
export function since(start: number): number {
  return performance.now() - start;
}

/**
 * An issuer (its origin) whose OpenID Connect metadata points at `/keys-a` (key `a`) or `/keys-b`
 * (key `b`), as `state.location` says; `state.metadataIssuer` (when set) and
 * `state.metadataStatus` make the metadata name another issuer or fail.
 */
export async function movingIssuer(a: TestKey, b: TestKey, metadataHeaders: Record<string, string> = {}) {
  const state = { location: '/keys-a', metadataIssuer: '', metadataStatus: 200 };
  const server = await startServer((req, res) => {
    if (req.url === '/keys-a') return sendJson(res, 200, keySet(a));
    if (req.url === '/keys-b') return sendJson(res, 200, keySet(b));
    if (req.url === OIDC) {
      if (state.metadataStatus !== 200) return sendJson(res, state.metadataStatus, { error: 'down' });
      return sendJson(res, 200, { issuer: state.metadataIssuer || server.origin, jwks_uri: server.url(state.location) }, metadataHeaders);
    }
    return notFound(req, res);
  });
  return { server, issuer: server.origin, state };
}

// The behaviour every adapter must show over HTTP, run against each framework (and, for Hono
// and Next.js, again on the web runtime). An adapter test supplies `start`, which builds an app
// with the ROUTES of ./support.ts, a public route, the metadata route and the framework's own
// error handler answering 500 `{ handledBy: <framework> }`, and `auth.ready()` at READY_PATH.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_DESCRIPTION } from '../../src/index.js';
import type { AuthOptions } from '../../src/adapters/core.js';
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import type { VerifierHealth } from '../../src/events/health.js';
import { inspect } from 'node:util';
import { incomingToken, type IncomingToken } from '../../src/adapters/incoming-token.js';
import {
  closedPort,
  METADATA_PATH,
  PUBLIC_PATH,
  READY_PATH,
  REFUNDS_REFUSED,
  tamper,
  type Harness,
  type HeaderList,
  type Reply,
  type TestClaims,
} from './support.js';

export type StartApp = (options: AuthOptions<TestClaims>) => Promise<Harness>;

const AUDIENCE = 'https://orders.example.com';
const RESOURCE_METADATA = `https://orders.example.com${METADATA_PATH}`;
const COOKIE = 'access_token';

const bearer = (token: string): HeaderList => [['authorization', `Bearer ${token}`]];

function expectJsonError(reply: Reply, error: string, description?: string): void {
  const body = reply.body as { error?: unknown; error_description?: unknown };
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  if (description !== undefined) expect(body.error_description).toBe(description);
}

/**
 * Runs the contract; `mode` says how requests reach the app (for the test names). `inProcess`
 * is false where the app runs in another process (the runtime suites): options holding
 * functions cannot reach it, so the part that reads the token through a guard is left out.
 */
export function adapterContract(framework: string, start: StartApp, mode = 'real HTTP on loopback', inProcess = true): void {
  describe(`${framework} (${mode}): RFC 6750 answers`, () => {
    let issuer: TestIssuer;
    let app: Harness;
    let offline: Harness;
    let storeDown: Harness;
    let cold: Harness;
    const send = (path: string, headers?: HeaderList): Promise<Reply> => app.send(path, headers);

    beforeAll(async () => {
      issuer = await createTestIssuer({ audience: AUDIENCE });
      app = await start({
        verifier: { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri },
        realm: 'orders',
        cookie: COOKIE,
        resourceMetadata: RESOURCE_METADATA,
        metadata: { scopesSupported: ['orders:read', 'orders:write'] },
      });
      // The key set lives on a port nothing listens on, and no cookie is configured.
      const port = await closedPort();
      offline = await start({
        verifier: {
          issuer: issuer.issuer,
          audience: AUDIENCE,
          jwksUri: `http://127.0.0.1:${port}/jwks.json`,
          jwks: { timeout: 0.5, cooldown: 12 },
        },
        retryAfter: 7,
      });
      // Keys fine, but the revocation store cannot answer: nothing says when it will be back.
      storeDown = await start({
        verifier: {
          issuer: issuer.issuer,
          audience: AUDIENCE,
          jwksUri: issuer.jwksUri,
          revocation: { isRevoked: () => Promise.reject(new Error('store unreachable')) },
        },
        retryAfter: 7,
      });
      // Nothing sent to it before its readiness test: no key set fetched yet.
      cold = await start({ verifier: { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri } });
    });
    afterAll(async () => {
      await app?.close();
      await offline?.close();
      await storeDown?.close();
      await cold?.close();
      await issuer?.close();
    });

    it('answers 200 with the verified claims', async () => {
      const reply = await send('/me', bearer(await issuer.sign({ sub: 'alice' })));
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ sub: 'alice', path: '/me' });
    });

    it('accepts the Bearer scheme in any case', async () => {
      const token = await issuer.sign({ sub: 'bob' });
      const reply = await send('/me', [['authorization', `bEaReR ${token}`]]);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ sub: 'bob', path: '/me' });
    });

    it('answers a request without a token with 401 and a bare challenge (no error code)', async () => {
      const reply = await send('/me');
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).toBe(`Bearer realm="orders", resource_metadata="${RESOURCE_METADATA}"`);
      expectJsonError(reply, 'unauthorized');
    });

    it('treats another authentication scheme as no token', async () => {
      const reply = await send('/me', [['authorization', 'Basic YWxpY2U6c2VjcmV0']]);
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).not.toContain('error=');
    });

    it('never reads a token from the query string', async () => {
      const token = await issuer.sign();
      const reply = await send(`/me?access_token=${token}`);
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).toBe(`Bearer realm="orders", resource_metadata="${RESOURCE_METADATA}"`);
    });

    it.each<[string, () => Promise<string>, keyof typeof ERROR_DESCRIPTION]>([
      ['an expired token', () => issuer.sign({ exp: Math.floor(Date.now() / 1000) - 600 }), 'token_expired'],
      ['a token with a bad signature', async () => tamper(await issuer.sign()), 'signature_invalid'],
      ['a token for another audience', () => issuer.sign({ aud: 'https://other.example.com' }), 'audience_invalid'],
      ['a token that is not a JWS', async () => 'not-a-jwt', 'token_malformed'],
    ])('answers %s with 401 invalid_token and the code’s plain description', async (_name, token, code) => {
      const reply = await send('/me', bearer(await token()));
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).toBe(
        `Bearer realm="orders", error="invalid_token", error_description="${ERROR_DESCRIPTION[code]}", resource_metadata="${RESOURCE_METADATA}"`,
      );
      expectJsonError(reply, 'invalid_token', ERROR_DESCRIPTION[code]);
    });

    it.each<[string, string]>([
      ['a Bearer scheme without a token', 'Bearer'],
      ['a token with a space in it', 'Bearer abc def'],
    ])('answers %s with 400 invalid_request', async (_name, value) => {
      const reply = await send('/me', [['authorization', value]]);
      expect(reply.status).toBe(400);
      expect(reply.header('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_request", error_description="[^"]+"/);
      expectJsonError(reply, 'invalid_request');
    });

    it('answers two Authorization headers with 400 invalid_request', async () => {
      const token = await issuer.sign();
      const reply = await send('/me', [
        ['authorization', `Bearer ${token}`],
        ['authorization', `Bearer ${token}`],
      ]);
      expect(reply.status).toBe(400);
      expect(reply.header('www-authenticate')).toContain('error="invalid_request"');
      expectJsonError(reply, 'invalid_request', 'The request carries more than one access token');
    });

    it('answers two Bearer credentials in one header line with 400 invalid_request', async () => {
      const token = await issuer.sign();
      const reply = await send('/me', [['authorization', `Bearer ${token}, Bearer ${token}`]]);
      expect(reply.status).toBe(400);
      expectJsonError(reply, 'invalid_request', 'The request carries more than one access token');
    });

    it('reads the token from the configured cookie', async () => {
      const token = await issuer.sign({ sub: 'carol' });
      const reply = await send('/me', [['cookie', `theme=dark; ${COOKIE}=${token}`]]);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ sub: 'carol', path: '/me' });
    });

    it('answers a token in both the header and the cookie with 400 invalid_request', async () => {
      const token = await issuer.sign();
      const reply = await send('/me', [...bearer(token), ['cookie', `${COOKIE}=${token}`]]);
      expect(reply.status).toBe(400);
      expectJsonError(reply, 'invalid_request', 'The request carries more than one access token');
    });

    it('requireScopes: 403 insufficient_scope naming the required scopes, and the missing one in the description', async () => {
      const reply = await send('/orders', bearer(await issuer.sign({ scope: 'orders:read profile' })));
      expect(reply.status).toBe(403);
      const challenge = reply.header('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer realm="orders", error="insufficient_scope", /);
      expect(challenge).toContain('scope="orders:read orders:write"');
      expect(challenge).toContain(`resource_metadata="${RESOURCE_METADATA}"`);
      expectJsonError(reply, 'insufficient_scope');
      expect((reply.body as { error_description: string }).error_description).toContain('missing scope: orders:write');
    });

    it('requireScopes: 200 with every scope, from `scope` or from an `scp` array', async () => {
      expect((await send('/orders', bearer(await issuer.sign({ scope: 'orders:write orders:read' })))).status).toBe(200);
      expect((await send('/orders', bearer(await issuer.sign({ scope: undefined, scp: ['orders:read', 'orders:write'] })))).status).toBe(200);
    });

    it('requireAnyScope: 200 with one of the scopes, 403 with none', async () => {
      expect((await send('/any', bearer(await issuer.sign({ scp: 'orders:admin' })))).status).toBe(200);
      const refused = await send('/any', bearer(await issuer.sign({ scope: 'profile' })));
      expect(refused.status).toBe(403);
      expect(refused.header('www-authenticate')).toContain('scope="orders:read orders:admin"');
    });

    it('requireRoles: reads realm_access.roles; 403 without the role and no scope parameter', async () => {
      const allowed = await send('/admin', bearer(await issuer.sign({ realm_access: { roles: ['user', 'admin'] } })));
      expect(allowed.status).toBe(200);
      const refused = await send('/admin', bearer(await issuer.sign({ realm_access: { roles: ['user'] }, roles: ['admin'] })));
      expect(refused.status).toBe(403);
      expect(refused.header('www-authenticate')).toContain('error="insufficient_scope"');
      expect(refused.header('www-authenticate')).not.toContain('scope="');
      expectJsonError(refused, 'insufficient_scope', ERROR_DESCRIPTION.insufficient_scope);
    });

    it('requireClaims: an asynchronous predicate decides', async () => {
      expect((await send('/tenant', bearer(await issuer.sign({ tenant: 'acme' })))).status).toBe(200);
      const refused = await send('/tenant', bearer(await issuer.sign({ tenant: 'globex' })));
      expect(refused.status).toBe(403);
      expectJsonError(refused, 'insufficient_scope');
    });

    it('a guard of your own: insufficientScope answers 403 with its scope in the challenge and its description in the body', async () => {
      expect((await send('/refunds', bearer(await issuer.sign({ refunds: true })))).status).toBe(200);
      const reply = await send('/refunds', bearer(await issuer.sign()));
      expect(reply.status).toBe(403);
      expect(reply.header('www-authenticate')).toBe(
        `Bearer realm="orders", error="insufficient_scope", error_description="${REFUNDS_REFUSED}", scope="orders:write", resource_metadata="${RESOURCE_METADATA}"`,
      );
      expectJsonError(reply, 'insufficient_scope', REFUNDS_REFUSED);
    });

    it(`hands a configuration mistake to ${framework}'s error handling: 500, not 401`, async () => {
      const reply = await send('/broken', bearer(await issuer.sign()));
      expect(reply.status).toBe(500);
      expect(reply.body).toEqual({ handledBy: framework });
    });

    it('answers 503 with Retry-After when the key set cannot be fetched: the seconds until the next attempt', async () => {
      const reply = await offline.send('/me', bearer(await issuer.sign()));
      expect(reply.status).toBe(503);
      // The key source may try again 12 s after the failed fetch began (its cooldown).
      const seconds = Number(reply.header('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(10);
      expect(seconds).toBeLessThanOrEqual(12);
      expectJsonError(reply, 'temporarily_unavailable', ERROR_DESCRIPTION.jwks_unavailable);
    });

    it('answers 503 with the configured Retry-After when the revocation store cannot be reached', async () => {
      const reply = await storeDown.send('/me', bearer(await issuer.sign()));
      expect(reply.status).toBe(503);
      expect(reply.header('retry-after')).toBe('7');
      expectJsonError(reply, 'temporarily_unavailable', ERROR_DESCRIPTION.revocation_unavailable);
    });

    it('does not read cookies unless a cookie name is configured', async () => {
      const reply = await offline.send('/me', [['cookie', `${COOKIE}=${await issuer.sign()}`]]);
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}"`);
    });

    it('leaves unprotected routes alone', async () => {
      const reply = await send(PUBLIC_PATH);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ public: true });
    });

    it('readiness: 200 with the health as JSON once every issuer has usable keys, never cached', async () => {
      expect((await send('/me', bearer(await issuer.sign()))).status).toBe(200);
      const reply = await send(READY_PATH);
      expect(reply.status).toBe(200);
      expect(reply.header('content-type')).toContain('application/json');
      expect(reply.header('cache-control')).toBe('no-store');
      expect(reply.header('retry-after')).toBeNull();
      const body = reply.body as VerifierHealth;
      expect(body.ready).toBe(true);
      expect(body.issuers).toEqual([
        expect.objectContaining({ issuer: issuer.issuer, jwksUri: issuer.jwksUri, kids: issuer.jwks().keys.map((key) => key.kid), usable: true, stale: false }),
      ]);
      expect(body.issuers[0]?.lastError).toBeUndefined();
      expect(body.issuers[0]?.fetchedAt).toBeLessThanOrEqual(Date.now() / 1000);
    });

    it('readiness: 503 with Retry-After (the seconds until the next attempt) and the error while the key set cannot be fetched', async () => {
      expect((await offline.send('/me', bearer(await issuer.sign()))).status).toBe(503);
      const reply = await offline.send(READY_PATH);
      expect(reply.status).toBe(503);
      expect(reply.header('cache-control')).toBe('no-store');
      const seconds = Number(reply.header('retry-after'));
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(12);
      const body = reply.body as VerifierHealth;
      expect(body.ready).toBe(false);
      expect(body.issuers[0]).toMatchObject({ usable: false, kids: [], stale: false });
      expect(body.issuers[0]?.lastError).toEqual(expect.any(String));
      expect(body.issuers[0]?.nextAttemptAt).toBeGreaterThan(Date.now() / 1000);
    });

    it('readiness: a probe starts the fetch a service without traffic would never make, and turns 200 once it lands', async () => {
      const first = await cold.send(READY_PATH);
      expect(first.status).toBe(503);
      expect(first.header('retry-after')).toBe('1');
      // Fields that are undefined are left out of the JSON.
      expect((first.body as VerifierHealth).issuers).toEqual([{ issuer: issuer.issuer, jwksUri: issuer.jwksUri, kids: [], stale: false, usable: false }]);
      let reply = first;
      for (let probe = 0; probe < 200 && reply.status !== 200; probe++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        reply = await cold.send(READY_PATH);
      }
      expect(reply.status).toBe(200);
      expect((reply.body as VerifierHealth).ready).toBe(true);
    });

    it('serves RFC 9728 protected-resource metadata from the verifier configuration', async () => {
      const reply = await send(METADATA_PATH);
      expect(reply.status).toBe(200);
      expect(reply.header('content-type')).toContain('application/json');
      expect(reply.body).toEqual({
        resource: AUDIENCE,
        authorization_servers: [issuer.issuer],
        bearer_methods_supported: ['header'],
        scopes_supported: ['orders:read', 'orders:write'],
      });
    });
  });

  describe(`${framework} (${mode}): DPoP (RFC 9449)`, () => {
    // The API's public origin: proofs name it whatever URL the request arrives at in the test.
    const ORIGIN = 'https://orders.example.com';
    const NONCE_SECRET = 'contract-nonce-secret-of-32-bytes!';
    let issuer: TestIssuer;
    let key: DpopKey;
    let app: Harness;
    let withNonces: Harness;

    beforeAll(async () => {
      [issuer, key] = await Promise.all([createTestIssuer({ audience: AUDIENCE }), createDpopKey()]);
      const verifier = { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri };
      app = await start({ verifier: { ...verifier, dpop: { origins: [ORIGIN], algorithms: ['ES256', 'EdDSA'] } }, realm: 'orders' });
      withNonces = await start({ verifier: { ...verifier, dpop: { origins: [ORIGIN], nonce: { secret: NONCE_SECRET } } }, realm: 'orders' });
    });
    afterAll(async () => {
      await app?.close();
      await withNonces?.close();
      await issuer?.close();
    });

    const dpopHeaders = (token: string, proof: string): HeaderList => [
      ['authorization', `DPoP ${token}`],
      ['dpop', proof],
    ];

    it('answers 200 to a DPoP-bound token with its proof', async () => {
      const token = await issuer.sign({ sub: 'dora' }, { dpop: key });
      const reply = await app.send('/me', dpopHeaders(token, key.proof({ method: 'GET', url: `${ORIGIN}/me`, accessToken: token })));
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ sub: 'dora', path: '/me' });
    });

    it('answers a replayed proof with 401 invalid_dpop_proof in a DPoP challenge with algs', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const headers = dpopHeaders(token, key.proof({ method: 'GET', url: `${ORIGIN}/me`, accessToken: token }));
      expect((await app.send('/me', headers)).status).toBe(200);
      const reply = await app.send('/me', headers);
      expect(reply.status).toBe(401);
      expectJsonError(reply, 'invalid_dpop_proof', ERROR_DESCRIPTION.dpop_proof_invalid);
      expect(reply.header('www-authenticate')).toContain('DPoP realm="orders", error="invalid_dpop_proof"');
      expect(reply.header('www-authenticate')).toContain('algs="ES256 EdDSA"');
    });

    it('answers a stolen DPoP-bound token sent as Bearer with 401 invalid_token, offering both schemes', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const reply = await app.send('/me', bearer(token));
      expect(reply.status).toBe(401);
      expectJsonError(reply, 'invalid_token', ERROR_DESCRIPTION.token_binding_invalid);
      expect(reply.header('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_token", .*, DPoP realm="orders", algs="ES256 EdDSA"$/);
    });

    it('offers DPoP beside Bearer to a request without a token', async () => {
      const reply = await app.send('/me');
      expect(reply.status).toBe(401);
      expect(reply.header('www-authenticate')).toBe('Bearer realm="orders", DPoP realm="orders", algs="ES256 EdDSA"');
    });

    it('hands out a nonce with 401 use_dpop_nonce and the DPoP-Nonce header, and accepts the retry', async () => {
      const token = await issuer.sign({ sub: 'nina' }, { dpop: key });
      const first = await withNonces.send('/me', dpopHeaders(token, key.proof({ method: 'GET', url: `${ORIGIN}/me`, accessToken: token })));
      expect(first.status).toBe(401);
      expectJsonError(first, 'use_dpop_nonce');
      const nonce = first.header('dpop-nonce');
      expect(nonce).toEqual(expect.any(String));
      const proof = key.proof({ method: 'GET', url: `${ORIGIN}/me`, accessToken: token, nonce: nonce as string });
      const retry = await withNonces.send('/me', dpopHeaders(token, proof));
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual({ sub: 'nina', path: '/me' });
    });
  });

  if (!inProcess) return;
  describe(`${framework} (${mode}): the verified token, for handlers`, () => {
    const ORIGIN = 'https://orders.example.com';
    let issuer: TestIssuer;
    let key: DpopKey;
    let app: Harness;
    // A guard of every route reads the token as a handler would: by the claims it is handed.
    const handed: IncomingToken[] = [];

    beforeAll(async () => {
      [issuer, key] = await Promise.all([createTestIssuer({ audience: AUDIENCE }), createDpopKey()]);
      app = await start({
        verifier: { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, dpop: { origins: [ORIGIN] } },
        guards: [(claims) => void handed.push(incomingToken(claims))],
      });
    });
    afterAll(async () => {
      await app?.close();
      await issuer?.close();
    });

    it('hands over the bearer token the request came with, kept out of JSON and inspect', async () => {
      const token = await issuer.sign({ sub: 'ivan' });
      expect((await app.send('/me', bearer(token))).status).toBe(200);
      const last = handed.at(-1);
      expect(last?.token).toBe(token);
      expect(last?.scheme).toBe('Bearer');
      expect(JSON.stringify(last)).not.toContain(token);
      expect(inspect(last, { depth: 5 })).not.toContain(token);
    });

    it('hands over a DPoP-bound token with its scheme', async () => {
      const token = await issuer.sign({ sub: 'dora' }, { dpop: key });
      const proof = key.proof({ method: 'GET', url: `${ORIGIN}/me`, accessToken: token });
      expect((await app.send('/me', [['authorization', `DPoP ${token}`], ['dpop', proof]])).status).toBe(200);
      expect(handed.at(-1)).toMatchObject({ token, scheme: 'DPoP' });
    });

    it('refuses claims that no adapter attached', () => {
      expect(() => incomingToken({ sub: 'forged' })).toThrow(/incomingToken\(\) needs the claims object/);
    });
  });
}

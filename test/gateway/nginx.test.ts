// End to end behind a real nginx (Debian's package, config generated from
// examples/gateway/nginx.conf): client → nginx → auth_request → tokenwarden sidecar, then the
// echoing upstream. What the client gets must be what the adapters answer; what the upstream
// gets must be only what the sidecar vouched for.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuth } from '../../src/adapters/node.js';
import { requireScopes } from '../../src/guards/scopes.js';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { configFor, startEchoUpstream, type EchoUpstream } from './support.js';

let issuer: TestIssuer;
let upstream: EchoUpstream;
let sidecar: GatewayService;
let nginx: Nginx;
let reference: Server;
let referenceUrl: string;
const lines: string[] = [];

const ROUTES = [
  { methods: ['GET', 'HEAD'], prefix: '/public', anonymous: true },
  { prefix: '/orders', scopes: ['orders:read'] },
  { path: '/admin', roles: ['admin'] },
];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
  upstream = await startEchoUpstream();
  const config = configFor(issuer, { routes: ROUTES, cookie: 'session', forward: { claims: true }, verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, jwks: { maxAge: 60, maxStale: 60, cooldown: 1 } } });
  sidecar = await startGateway(config, { write: (line) => void lines.push(line) });
  nginx = await startNginx({ sidecar: `127.0.0.1:${sidecar.address.port}`, upstream: upstream.address });
  // The same verifier settings in the node:http adapter: what an app would answer itself.
  const auth = createAuth({ cookie: 'session', verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } });
  const protectedOrders = auth.protect((_req, res) => void res.end('ok'), requireScopes('orders:read'));
  reference = createServer((req, res) => void protectedOrders(req, res)).listen(0, '127.0.0.1');
  await once(reference, 'listening');
  referenceUrl = `http://127.0.0.1:${(reference.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await sidecar?.close();
  await upstream?.close();
  reference?.closeAllConnections();
  reference?.close();
  await issuer?.close();
});

afterEach(() => {
  vi.useRealTimers();
});

async function viaNginx(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(`${nginx.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

async function fromAdapter(headers: Record<string, string>): Promise<{ status: number; challenge: string | null; body: unknown }> {
  const response = await fetch(`${referenceUrl}/orders`, { headers });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.json() };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

describe('nginx auth_request in front of tokenwarden serve', () => {
  it('lets a valid token through with the claims in X-Auth-* headers', async () => {
    const before = upstream.count();
    const token = await issuer.sign({ sub: 'alice', client_id: 'web-app', scope: 'orders:read profile' });
    const answer = await viaNginx('/orders/7?page=2', bearer(token));
    expect(answer.status, nginx.errorLog()).toBe(200);
    expect(upstream.count()).toBe(before + 1);
    const seen = upstream.last() ?? {};
    expect(seen['x-auth-subject']).toBe('alice');
    expect(seen['x-auth-client-id']).toBe('web-app');
    expect(seen['x-auth-scope']).toBe('orders:read profile');
    expect(seen['x-auth-issuer']).toBe(issuer.issuer);
    const claims = JSON.parse(Buffer.from(seen['x-auth-claims'] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'alice', client_id: 'web-app', iss: issuer.issuer });
    expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', url: '/orders/7?page=2' });
  });

  it.each([
    ['a token that is not a JWT', async () => 'not-a-jwt', 401],
    ['an expired token', async () => issuer.sign({ scope: 'orders:read' }, { expiresIn: -600 }), 401],
    ['a token for another audience', async () => issuer.sign({ aud: 'billing-api', scope: 'orders:read' }), 401],
    ['a token without the route\'s scope', async () => issuer.sign({ scope: 'profile' }), 403],
  ])('refuses %s before the upstream, with the status, challenge and body of the adapters', async (_label, make, status) => {
    const before = upstream.count();
    const token = await make();
    const answer = await viaNginx('/orders', bearer(token));
    expect(answer.status, nginx.errorLog()).toBe(status);
    expect(upstream.count()).toBe(before);
    const expected = await fromAdapter(bearer(token));
    expect(answer.status).toBe(expected.status);
    expect(answer.headers.get('www-authenticate')).toBe(expected.challenge);
    expect(JSON.parse(answer.body)).toEqual(expected.body);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.body.includes(token)).toBe(false);
  });

  it('answers a request without a token 401 with the bare challenge, and a malformed header or two tokens 400', async () => {
    const before = upstream.count();
    const none = await viaNginx('/orders');
    const expectedNone = await fromAdapter({});
    expect([none.status, none.headers.get('www-authenticate'), JSON.parse(none.body)]).toEqual([401, expectedNone.challenge, expectedNone.body]);
    const token = await issuer.sign({ scope: 'orders:read' });
    const both = { authorization: `Bearer ${token}`, cookie: 'x=1' };
    // nginx turns the sidecar's 400 into a 500; its config gives the client the 400 back.
    const malformed = await viaNginx('/orders', { authorization: 'Bearer a b' });
    const expectedMalformed = await fromAdapter({ authorization: 'Bearer a b' });
    expect([malformed.status, malformed.headers.get('www-authenticate'), JSON.parse(malformed.body)]).toEqual([
      400,
      expectedMalformed.challenge,
      expectedMalformed.body,
    ]);
    // Another cookie is not a token: this one alone decides.
    expect((await viaNginx('/orders', both)).status).toBe(200);
    const twice = { authorization: `Bearer ${token}`, cookie: `session=${token}` };
    const two = await viaNginx('/orders', twice);
    const expectedTwo = await fromAdapter(twice);
    expect([two.status, two.headers.get('www-authenticate'), JSON.parse(two.body)]).toEqual([400, expectedTwo.challenge, expectedTwo.body]);
    expect(upstream.count()).toBe(before + 1);
  });

  it('strips a forged X-Auth-Subject: the upstream sees the sidecar\'s value, or none', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    await viaNginx('/orders', { ...bearer(token), 'x-auth-subject': 'admin', 'x-auth-scope': 'everything' });
    expect(upstream.last()?.['x-auth-subject']).toBe('alice');
    expect(upstream.last()?.['x-auth-scope']).toBe('orders:read');
    const noSubject = await issuer.sign({ sub: undefined, client_id: 'batch', scope: 'orders:read' });
    await viaNginx('/orders', { ...bearer(noSubject), 'x-auth-subject': 'admin' });
    expect(upstream.last()?.['x-auth-subject']).toBeUndefined();
    const anonymous = await viaNginx('/public/page', { 'x-auth-subject': 'admin', 'x-auth-issuer': 'https://evil.example' });
    expect(anonymous.status).toBe(200);
    expect(upstream.last()?.['x-auth-subject']).toBeUndefined();
    expect(upstream.last()?.['x-auth-issuer']).toBeUndefined();
  });

  it('judges the original method: a POST to a GET-only anonymous route needs a token', async () => {
    const before = upstream.count();
    const response = await fetch(`${nginx.url}/public/form`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(401);
    expect(upstream.count()).toBe(before);
    expect((await viaNginx('/public/form')).status).toBe(200);
  });

  it('sends claim values upstream sanitised: no line breaks, non-ASCII percent-encoded', async () => {
    const token = await issuer.sign({ sub: 'zoë\r\nX-Injected: yes', scope: 'orders:read' });
    expect((await viaNginx('/orders', bearer(token))).status).toBe(200);
    expect(upstream.last()?.['x-auth-subject']).toBe('zo%C3%ABX-Injected: yes');
    expect(upstream.last()?.['x-injected']).toBeUndefined();
  });

  it('judges a path as nginx resolves it: /public/../admin needs the admin role', async () => {
    const before = upstream.count();
    const token = await issuer.sign({ scope: 'orders:read' });
    const answer = await viaNginx('/public/%2e%2e/admin', bearer(token));
    expect(answer.status).toBe(403);
    expect(upstream.count()).toBe(before);
    const admin = await issuer.sign({ roles: ['admin'] });
    expect((await viaNginx('/public/../admin', bearer(admin))).status).toBe(200);
  });

  it('logs one JSON line per refusal, naming the code and route but never the token', async () => {
    lines.length = 0;
    const token = await issuer.sign({ sub: 'carol', client_id: 'cli', scope: 'profile' });
    await viaNginx('/orders/9?token=secret', bearer(token));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({ event: 'refused', status: 403, code: 'insufficient_scope', method: 'GET', path: '/orders/9', route: 'routes[1]', issuer: issuer.issuer, clientId: 'cli' });
    expect(lines[0]?.includes(token)).toBe(false);
    expect(lines[0]?.includes('secret')).toBe(false);
    expect(lines[0]?.includes('carol')).toBe(false);
  });

  it('keeps answering from cached keys while the issuer is down, and 503 with Retry-After once they are unusable', async () => {
    const warm = await issuer.sign({ scope: 'orders:read' });
    expect((await viaNginx('/orders', bearer(warm))).status).toBe(200);
    issuer.override({ status: 503, body: 'down' });
    try {
      // Only the Date is faked: nginx and the sockets run on real time.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      vi.setSystemTime(Date.now() + 90_000); // stale (maxAge 60) but within maxStale (60)
      const stale = await issuer.sign({ scope: 'orders:read' });
      expect((await viaNginx('/orders', bearer(stale))).status).toBe(200);
      vi.setSystemTime(Date.now() + 120_000); // past maxAge + maxStale: no usable key
      const before = upstream.count();
      const late = await issuer.sign({ scope: 'orders:read' });
      const answer = await viaNginx('/orders', bearer(late));
      expect(answer.status, nginx.errorLog()).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'temporarily_unavailable' });
      expect(upstream.count()).toBe(before);
    } finally {
      issuer.override(undefined);
    }
  });
});

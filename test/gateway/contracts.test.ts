// Envoy and Traefik are not Debian packages, so the sidecar is tested against what each one's
// documentation says it sends and does with the answer (end to end, only nginx is run: see
// nginx.test.ts).
//
// Traefik forwardAuth (doc.traefik.io, "ForwardAuth" middleware): the request to the auth
// server carries the original request as X-Forwarded-Method, X-Forwarded-Proto,
// X-Forwarded-Host, X-Forwarded-Uri and X-Forwarded-For, with the client's headers; a 2XX answer
// grants access, any other answer is returned to the client as it is; authResponseHeaders (or
// authResponseHeadersRegex) names the answer headers copied onto the forwarded request.
//
// Envoy ext_authz with an HTTP service (envoyproxy.io, the ext_authz filter's ExtAuthz,
// HttpService and AuthorizationResponse): the check request keeps the original method, its Path
// gets path_prefix in front, and it carries Host, Method, Path, Content-Length and Authorization
// (other headers, Cookie among them, only when allowed_headers lists them); 200 OK allows, and the
// answer headers matching allowed_upstream_headers are set on the upstream request; any other
// status denies, with that status, the body and the answer headers for the client
// (allowed_client_headers narrows them, keeping WWW-Authenticate); a 5xx is taken as an error,
// answered with the filter's status_on_error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { configFor } from './support.js';

let issuer: TestIssuer;
let traefik: GatewayService;
let envoy: GatewayService;
const lines: string[] = [];

const routes = [
  { prefix: '/public', anonymous: true },
  { prefix: '/orders', scopes: ['orders:read'] },
];

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
  traefik = await startGateway(configFor(issuer, { proxy: 'traefik', routes }), { write: (line) => void lines.push(line) });
  envoy = await startGateway(configFor(issuer, { proxy: 'envoy', pathPrefix: '/ext-authz', routes }), { write: (line) => void lines.push(line) });
});

afterAll(async () => {
  await traefik?.close();
  await envoy?.close();
  await issuer?.close();
});

const base = (service: GatewayService): string => `http://127.0.0.1:${service.address.port}`;

/** A check as Traefik sends it: GET to the configured address, the original request in X-Forwarded-*. */
function traefikCheck(method: string, uri: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base(traefik)}/auth`, {
    headers: {
      'x-forwarded-method': method,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example.com',
      'x-forwarded-uri': uri,
      'x-forwarded-for': '203.0.113.7',
      ...headers,
    },
  });
}

/** A check as Envoy sends it: the original method, path_prefix + the original path. */
function envoyCheck(method: string, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base(envoy)}/ext-authz${path}`, { method, headers: { host: 'api.example.com', ...headers } });
}

describe('Traefik forwardAuth contract', () => {
  it('grants with exactly 200 and the X-Auth-* headers for authResponseHeaders to copy', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    const answer = await traefikCheck('GET', '/orders/1?x=y', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-auth-subject')).toBe('alice');
    expect(answer.headers.get('x-auth-scope')).toBe('orders:read');
  });

  it('judges the X-Forwarded-Method and -Uri, not its own request line', async () => {
    expect((await traefikCheck('GET', '/public/x')).status).toBe(200);
    expect((await traefikCheck('GET', '/orders')).status).toBe(401);
  });

  it('refuses with a non-2xx answer carrying the challenge and the JSON body Traefik returns as they are', async () => {
    const token = await issuer.sign({ scope: 'profile' });
    const answer = await traefikCheck('GET', '/orders', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders-api", error="insufficient_scope"/);
    expect(await answer.json()).toMatchObject({ error: 'insufficient_scope' });
    // The nginx-only copy of the body is not sent to the other proxies.
    expect(answer.headers.get('x-auth-error-body')).toBeNull();
  });

  it('refuses 503 with Retry-After when no key can be had: never a 2xx that Traefik would take as a grant', async () => {
    const down = await createTestIssuer({ audience: 'orders-api' });
    down.override({ status: 503, body: 'down' });
    const service = await startGateway(configFor(down, { proxy: 'traefik' }), { write: () => undefined });
    try {
      const token = await down.sign({});
      const answer = await fetch(`${base(service)}/auth`, { headers: { 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/', authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await service.close();
      await down.close();
    }
  });
});

describe('Envoy ext_authz (HTTP service) contract', () => {
  it('grants with 200 OK and the X-Auth-* headers for allowed_upstream_headers', async () => {
    const token = await issuer.sign({ sub: 'bob', client_id: 'mobile', scope: 'orders:read' });
    const answer = await envoyCheck('DELETE', '/orders/5', { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-auth-subject')).toBe('bob');
    expect(answer.headers.get('x-auth-client-id')).toBe('mobile');
  });

  it('judges the original method and the path under path_prefix', async () => {
    expect((await envoyCheck('POST', '/public/form')).status).toBe(200);
    expect((await envoyCheck('POST', '/orders')).status).toBe(401);
    // Outside the prefix the sidecar cannot tell which request Envoy means.
    expect((await fetch(`${base(envoy)}/orders`)).status).toBe(400);
  });

  it('refuses with the status, challenge and body Envoy hands to the client', async () => {
    const expired = await issuer.sign({ scope: 'orders:read' }, { expiresIn: -600 });
    const answer = await envoyCheck('GET', '/orders', { authorization: `Bearer ${expired}` });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="orders-api", error="invalid_token", error_description="The access token has expired"');
    expect(await answer.json()).toEqual({ error: 'invalid_token', error_description: 'The access token has expired' });
  });

  it('keeps /healthz and /readyz apart from checks, which always arrive under the prefix', async () => {
    expect((await fetch(`${base(envoy)}/healthz`)).status).toBe(200);
    expect((await envoyCheck('GET', '/healthz')).status).toBe(401);
  });
});

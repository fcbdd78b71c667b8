// Phantom tokens behind a real nginx: the client holds an opaque token, the sidecar introspects
// it (cached) and nginx sends the issuer's signed RFC 9701 answer upstream as the bearer JWT, so
// the API verifies a JWT locally and never sees the opaque token. The nginx config is the one
// users copy (examples/gateway/nginx.conf) with the two phantom-token lines docs/introspection.md
// gives.
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { introspectionConfig, introspectionFailureLine, phantomHeaders, phantomTokenConfig } from '../../src/gateway/phantom.js';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { createVerifier } from '../../src/verifier.js';
import { closeServers, sendJson } from '../helpers/jwks-server.js';
import { NGINX_TEMPLATE, startNginx, type Nginx } from '../helpers/nginx.js';
import { CLIENT_ID, opaqueToken, serveIntrospection, type IntrospectionServer } from '../introspection/support.js';
import { checkConfig } from '../../src/gateway/config.js';
import { startEchoUpstream, type EchoUpstream } from './support.js';

const AUDIENCE = 'orders-api';
const SECRET_ENV = 'TOKENWARDEN_TEST_INTROSPECTION_SECRET';
const SECRET = 'phantom-test-secret-5a4b3c2d1e';

/** examples/gateway/nginx.conf with the phantom-token lines of docs/introspection.md. */
function phantomTemplate(): string {
  const template = readFileSync(NGINX_TEMPLATE, 'utf8');
  const anchor = '            proxy_set_header X-Auth-Claims    $tw_claims;\n';
  expect(template).toContain(anchor);
  return template.replace(
    anchor,
    `${anchor}            auth_request_set $tw_authorization $upstream_http_x_auth_authorization;\n            proxy_set_header Authorization $tw_authorization;\n`,
  );
}

let issuer: TestIssuer;
let endpoint: IntrospectionServer;
let upstream: EchoUpstream;
let sidecar: GatewayService;
let nginx: Nginx;
const lines: string[] = [];
const active = new Map<string, Record<string, unknown>>();

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
  endpoint = await serveIntrospection();
  // The issuer's RFC 9701 answers: signed with its keys, addressed to the sidecar's client.
  endpoint.respond = async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const token = new URLSearchParams(body).get('token') ?? '';
    if (req.headers.authorization !== `Basic ${Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64')}`) return sendJson(res, 401, { error: 'invalid_client' });
    const claims = active.get(token);
    const inner = claims === undefined ? { active: false } : { active: true, iss: issuer.issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300, ...claims };
    // As oidc-provider signs them (RFC 9701 §5): iss, aud, iat and the answer; no exp, sub or jti.
    const jwt = await issuer.sign({ aud: CLIENT_ID, token_introspection: inner, exp: undefined, sub: undefined, jti: undefined }, { header: { typ: 'token-introspection+jwt' } });
    res.writeHead(200, { 'content-type': 'application/token-introspection+jwt' });
    res.end(jwt);
  };
  upstream = await startEchoUpstream();
  const config = checkConfig({
    listen: '127.0.0.1:0',
    logRefusals: true,
    routes: [{ prefix: '/public', anonymous: true }],
    phantomToken: true,
    verifier: {
      issuer: issuer.issuer,
      audience: AUDIENCE,
      jwksUri: issuer.jwksUri,
      introspection: { endpoint: `${endpoint.endpoint}`, clientId: CLIENT_ID, clientSecretEnv: SECRET_ENV, jwtResponse: true },
    },
  }, { [SECRET_ENV]: SECRET });
  sidecar = await startGateway(config, { write: (line) => void lines.push(line) });
  nginx = await startNginx({ sidecar: `127.0.0.1:${sidecar.address.port}`, upstream: upstream.address, template: phantomTemplate() });
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await sidecar?.close();
  await upstream?.close();
  await closeServers();
  await issuer?.close();
});

const viaNginx = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${nginx.url}${path}`, { headers });
  return { status: response.status, body: await response.text() };
};

describe('phantom tokens behind nginx', () => {
  it('sends the issuer\'s signed answer upstream instead of the opaque token, and asks the issuer once', async () => {
    const token = opaqueToken();
    active.set(token, { sub: 'alice', client_id: 'web-app', scope: 'orders:read' });
    const before = endpoint.server.count('/introspect');

    for (let i = 0; i < 3; i++) {
      const answer = await viaNginx('/orders/1', { authorization: `Bearer ${token}` });
      expect(answer.status, nginx.errorLog()).toBe(200);
      expect(answer.body).not.toContain(token);
    }
    expect(endpoint.server.count('/introspect') - before).toBe(1);

    const seen = upstream.last() ?? {};
    expect(JSON.stringify(seen)).not.toContain(token);
    expect(seen['x-auth-subject']).toBe('alice');
    const forwarded = String(seen.authorization).replace(/^Bearer /, '');
    // What an internal service does (docs/introspection.md): verify the JWT locally with the
    // issuer's keys, bound its age, and read the token's claims inside.
    const { payload } = await jwtVerify(forwarded, createRemoteJWKSet(new URL(issuer.jwksUri)), {
      issuer: issuer.issuer,
      audience: CLIENT_ID,
      typ: 'token-introspection+jwt',
      maxTokenAge: '5m',
    });
    expect(payload.exp).toBeUndefined();
    expect(payload.token_introspection).toMatchObject({ active: true, sub: 'alice', aud: AUDIENCE });
  });

  it('refuses an inactive opaque token with 401 and never reaches the upstream', async () => {
    const before = upstream.count();
    const answer = await viaNginx('/orders/1', { authorization: `Bearer ${opaqueToken()}` });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_token', error_description: 'The access token is not active' });
    expect(upstream.count()).toBe(before);
    expect(lines.some((line) => line.includes('"code":"token_inactive"'))).toBe(true);
  });

  it('passes a JWT verified locally upstream as it came', async () => {
    const jwt = await issuer.sign({ sub: 'bob' });
    const answer = await viaNginx('/orders/2', { authorization: `Bearer ${jwt}` });
    expect(answer.status, nginx.errorLog()).toBe(200);
    expect(upstream.last()?.authorization).toBe(`Bearer ${jwt}`);
  });

  it('strips the Authorization of a request to an anonymous route', async () => {
    const token = opaqueToken();
    const answer = await viaNginx('/public/x', { authorization: `Bearer ${token}` });
    expect(answer.status, nginx.errorLog()).toBe(200);
    expect(upstream.last()?.authorization).toBeUndefined();
  });
});

describe('the phantom-token settings', () => {
  it('reads phantomToken as true, an object with a header, or off', () => {
    expect(phantomTokenConfig('phantomToken', true)).toEqual({ header: 'x-auth-authorization' });
    expect(phantomTokenConfig('phantomToken', { header: 'X-Upstream-Auth' })).toEqual({ header: 'x-upstream-auth' });
    expect(phantomTokenConfig('phantomToken', false)).toBeUndefined();
    expect(() => phantomTokenConfig('phantomToken', { header: 'bad header' })).toThrow(/phantomToken.header must be a header name/);
    expect(() => phantomTokenConfig('phantomToken', { name: 'x' })).toThrow(/phantomToken.name is not a known key/);
  });

  it('removes the upstream Authorization for an introspected token without a JWT answer', async () => {
    const plain = await serveIntrospection();
    const token = opaqueToken();
    plain.active.set(token, { iss: plain.issuer, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 60 });
    const verifier = createVerifier({
      issuer: plain.issuer,
      audience: AUDIENCE,
      jwksUri: `${plain.issuer}/jwks.json`,
      introspection: { endpoint: plain.endpoint, clientId: CLIENT_ID, clientSecret: SECRET },
    });
    const claims = await verifier.verifyAccessToken(token);
    expect(phantomHeaders({ header: 'x-auth-authorization' }, claims, `Bearer ${token}`)).toEqual({ 'x-auth-authorization': '' });
    expect(phantomHeaders(undefined, claims, `Bearer ${token}`)).toEqual({});
  });

  it('refuses a clientSecretEnv naming an unset variable, without printing any secret', () => {
    expect(() => introspectionConfig('verifier.introspection', { clientId: 'rs', clientSecretEnv: 'NOT_SET_ANYWHERE_42' }, {})).toThrow(
      /verifier.introspection.clientSecretEnv must be the name of a set, non-empty environment variable \(NOT_SET_ANYWHERE_42 is not\)/,
    );
    expect(() => introspectionConfig('verifier.introspection', { clientId: 'rs', clientSecret: 's', clientSecretEnv: 'X' }, { X: 'y' })).toThrow(/left out when clientSecret is set/);
    expect(() => introspectionConfig('verifier.introspection', { clientId: 'rs', secret: 's' })).toThrow(/secret is not a known key/);
    expect(introspectionConfig('p', { clientId: 'rs', clientSecretEnv: 'X', cache: { maxAge: 5 } }, { X: 'from-env' })).toEqual({ clientId: 'rs', clientSecret: 'from-env', cache: { maxAge: 5 } });
  });

  it('logs a failed introspection request as a line, and a successful one not at all', () => {
    const written: string[] = [];
    const event = { issuer: 'https://auth.example.com', endpoint: 'https://auth.example.com/introspect', status: 401, durationMs: 3, active: undefined };
    introspectionFailureLine({ ...event, error: new Error("the introspection endpoint refused this verifier's client credentials (HTTP 401)") }, (line) => void written.push(line));
    introspectionFailureLine({ ...event, status: 200, active: true, error: undefined }, (line) => void written.push(line));

    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] as string)).toMatchObject({ event: 'introspection_failed', status: 401, url: event.endpoint, message: expect.stringMatching(/client credentials/) });
  });
});

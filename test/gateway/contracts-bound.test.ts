// DPoP and certificate-bound tokens at the sidecar behind Envoy and Traefik, by contract (see
// contracts.test.ts for why these proxies are not run). What each sends, from its
// documentation:
// - Traefik forwardAuth: the original request in X-Forwarded-Method/-Proto/-Host/-Uri, the
//   client's headers listed in authRequestHeaders (DPoP among them); the passTLSClientCert
//   middleware (`pem: true`) puts the client certificate in X-Forwarded-Tls-Client-Cert, the
//   PEM without its delimiters and line breaks, several certificates separated by ",".
// - Envoy ext_authz (HTTP service): the original method and Host, path_prefix + the original
//   path, and the headers allowed_headers lists (dpop, x-forwarded-proto,
//   x-forwarded-client-cert); with forward_client_cert_details SANITIZE_SET and
//   set_current_client_cert_details { cert: true }, x-forwarded-client-cert holds one element
//   whose Hash is the hex SHA-256 of the DER and Cert the URL-encoded PEM.
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedCertificate } from '../../src/gateway/client-certificate.js';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { makeCertificate, type TestCertificate } from '../dpop/support.js';
import { configFor } from './support.js';

let issuer: TestIssuer;
let key: DpopKey;
let traefik: GatewayService;
let envoy: GatewayService;
let alice: TestCertificate;
let mallory: TestCertificate;

beforeAll(async () => {
  [issuer, key] = await Promise.all([createTestIssuer({ audience: 'orders-api' }), createDpopKey()]);
  alice = makeCertificate('alice');
  mallory = makeCertificate('mallory');
  const verifier = { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, dpop: { origins: ['https://api.example.com'] } };
  traefik = await startGateway(configFor(issuer, { proxy: 'traefik', certificateHeader: 'X-Forwarded-Tls-Client-Cert', verifier }), { write: () => undefined });
  envoy = await startGateway(configFor(issuer, { proxy: 'envoy', certificateHeader: 'x-forwarded-client-cert', verifier }), { write: () => undefined });
});

afterAll(async () => {
  await traefik?.close();
  await envoy?.close();
  await issuer?.close();
});

const base = (service: GatewayService): string => `http://127.0.0.1:${service.address.port}`;
const body = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
const der = (pem: string): Buffer => Buffer.from(body(pem), 'base64');
const xfcc = (pem: string, hashOf = pem): string =>
  `By=spiffe://example.com/api;Hash=${createHash('sha256').update(der(hashOf)).digest('hex')};Cert="${encodeURIComponent(pem)}";Subject="CN=alice"`;

function traefikCheck(method: string, uri: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base(traefik)}/auth`, {
    headers: { 'x-forwarded-method': method, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com', 'x-forwarded-uri': uri, ...headers },
  });
}

function envoyCheck(method: string, path: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base(envoy)}/ext-authz${path}`, { method, headers: { host: 'api.example.com', 'x-forwarded-proto': 'https', ...headers } });
}

describe('DPoP at the sidecar, by contract', () => {
  it.each([
    ['Traefik', (headers: Record<string, string>) => traefikCheck('POST', '/orders/1?x=1', headers)],
    ['Envoy', (headers: Record<string, string>) => envoyCheck('POST', '/orders/1?x=1', headers)],
  ])('%s: accepts a proof for the external URL once, and refuses its replay and a proof for another URL', async (_proxy, check) => {
    const token = await issuer.sign({ sub: 'alice' }, { dpop: key });
    const proof = key.proof({ method: 'POST', url: 'https://api.example.com/orders/1', accessToken: token });
    const accepted = await check({ authorization: `DPoP ${token}`, dpop: proof });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('x-auth-subject')).toBe('alice');
    const replayed = await check({ authorization: `DPoP ${token}`, dpop: proof });
    expect([replayed.status, ((await replayed.json()) as { error: string }).error]).toEqual([401, 'invalid_dpop_proof']);
    expect(replayed.headers.get('www-authenticate')).toMatch(/DPoP realm="orders-api", error="invalid_dpop_proof"/);
    const elsewhere = key.proof({ method: 'POST', url: 'https://api.example.com/admin', accessToken: token });
    expect((await check({ authorization: `DPoP ${token}`, dpop: elsewhere })).status).toBe(401);
    const wrongMethod = key.proof({ method: 'GET', url: 'https://api.example.com/orders/1', accessToken: token });
    expect((await check({ authorization: `DPoP ${token}`, dpop: wrongMethod })).status).toBe(401);
  });
});

describe('certificate-bound tokens at the sidecar, by contract', () => {
  it('Traefik: matches the certificate of X-Forwarded-Tls-Client-Cert, the first of several, URL-escaped or not', async () => {
    const token = await issuer.sign({ sub: 'alice' }, { certificate: alice.pem });
    const bearer = { authorization: `Bearer ${token}` };
    expect((await traefikCheck('GET', '/orders', { ...bearer, 'x-forwarded-tls-client-cert': body(alice.pem) })).status).toBe(200);
    expect((await traefikCheck('GET', '/orders', { ...bearer, 'x-forwarded-tls-client-cert': encodeURIComponent(body(alice.pem)) })).status).toBe(200);
    expect((await traefikCheck('GET', '/orders', { ...bearer, 'x-forwarded-tls-client-cert': `${body(alice.pem)},${body(mallory.pem)}` })).status).toBe(200);
    expect((await traefikCheck('GET', '/orders', { ...bearer, 'x-forwarded-tls-client-cert': `${body(mallory.pem)},${body(alice.pem)}` })).status).toBe(401);
    expect((await traefikCheck('GET', '/orders', bearer)).status).toBe(401);
  });

  it('Envoy: matches the Cert of a single XFCC element whose Hash agrees with it', async () => {
    const token = await issuer.sign({ sub: 'alice' }, { certificate: alice.pem });
    const bearer = { authorization: `Bearer ${token}` };
    expect((await envoyCheck('GET', '/orders', { ...bearer, 'x-forwarded-client-cert': xfcc(alice.pem) })).status).toBe(200);
    const refused = await envoyCheck('GET', '/orders', { ...bearer, 'x-forwarded-client-cert': xfcc(mallory.pem) });
    expect([refused.status, ((await refused.json()) as { error: string }).error]).toEqual([401, 'invalid_token']);
    // A Hash that is not the Cert's, two elements (whose client is it?), a Hash alone: no certificate.
    expect((await envoyCheck('GET', '/orders', { ...bearer, 'x-forwarded-client-cert': xfcc(alice.pem, mallory.pem) })).status).toBe(401);
    expect((await envoyCheck('GET', '/orders', { ...bearer, 'x-forwarded-client-cert': `${xfcc(mallory.pem)},${xfcc(alice.pem)}` })).status).toBe(401);
    const hashOnly = `Hash=${createHash('sha256').update(der(alice.pem)).digest('hex')}`;
    expect((await envoyCheck('GET', '/orders', { ...bearer, 'x-forwarded-client-cert': hashOnly })).status).toBe(401);
  });
});

describe('forwarded certificate formats', () => {
  it('reads nginx\'s $ssl_client_escaped_cert (URL-encoded PEM), plain PEM and RFC 9440 byte sequences', () => {
    const expected = der(alice.pem);
    expect(Buffer.from(forwardedCertificate('nginx', encodeURIComponent(alice.pem)) ?? [])).toEqual(expected);
    expect(Buffer.from(forwardedCertificate('nginx', `:${expected.toString('base64')}:`) ?? [])).toEqual(expected);
    expect(forwardedCertificate('nginx', '')).toBeUndefined();
    expect(forwardedCertificate('nginx', 'garbage')).toBeUndefined();
  });

  it('reads nothing from a header that is too long or broken', () => {
    expect(forwardedCertificate('traefik', 'A'.repeat(40_000))).toBeUndefined();
    expect(forwardedCertificate('traefik', '%zz')).toBeUndefined();
    expect(forwardedCertificate('envoy', `Cert="%zz";Hash=${randomUUID()}`)).toBeUndefined();
    expect(forwardedCertificate('envoy', 'By=x;Subject="a;b,c"')).toBeUndefined();
  });
});

// Sender-constrained tokens end to end behind a real nginx (config generated from
// examples/gateway/nginx.conf, served over TLS with optional client certificates): DPoP proofs
// are made against the URL nginx serves, with the sidecar's nonces, and certificate-bound
// tokens meet the certificate nginx terminated, forwarded in X-Client-Cert.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/gateway/config.js';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { makeCertificate, type TestCertificate } from '../dpop/support.js';
import { NGINX_TEMPLATE, startNginx, type Nginx } from '../helpers/nginx.js';
import { startEchoUpstream, type EchoUpstream } from './support.js';

let issuer: TestIssuer;
let upstream: EchoUpstream;
let sidecar: GatewayService;
let nginx: Nginx;
let key: DpopKey;
let serverCert: TestCertificate;
let alice: TestCertificate;
let mallory: TestCertificate;
let dir: string;
const lines: string[] = [];

beforeAll(async () => {
  [issuer, key] = await Promise.all([createTestIssuer({ audience: 'orders-api' }), createDpopKey()]);
  serverCert = makeCertificate('127.0.0.1');
  alice = makeCertificate('alice');
  mallory = makeCertificate('mallory');
  dir = mkdtempSync(join(tmpdir(), 'tokenwarden-nginx-tls-'));
  writeFileSync(join(dir, 'server.pem'), serverCert.pem);
  writeFileSync(join(dir, 'server-key.pem'), serverCert.keyPem);
  upstream = await startEchoUpstream();
  const config = checkConfig(
    {
      listen: '127.0.0.1:0',
      trustedProxies: ['127.0.0.1'],
      certificateHeader: 'x-client-cert',
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, dpop: { nonce: { lifetime: 60 } }, mtls: { mode: 'allowed' } },
      routes: [{ prefix: '/orders', scopes: ['orders:read'] }],
    },
    { TOKENWARDEN_DPOP_NONCE_SECRET: randomUUID() + randomUUID() },
  );
  sidecar = await startGateway(config, { write: (line) => void lines.push(line) });
  // The shipped config, served over TLS: client certificates are asked for, and any is
  // accepted here (the token's binding is what decides, RFC 8705 §3 with self-signed ones).
  const tls = readFileSync(NGINX_TEMPLATE, 'utf8').replace(
    /^(\s*)listen \{\{LISTEN\}\};$/m,
    `$1listen {{LISTEN}} ssl;\n$1ssl_certificate ${join(dir, 'server.pem')};\n$1ssl_certificate_key ${join(dir, 'server-key.pem')};\n$1ssl_verify_client optional_no_ca;`,
  );
  nginx = await startNginx({ sidecar: `127.0.0.1:${sidecar.address.port}`, upstream: upstream.address, template: tls });
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await sidecar?.close();
  await upstream?.close();
  await issuer?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Sends `req` and resolves with the whole answer. */
function answerOf(req: ClientRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A request to nginx over TLS, presenting `certificate` when given. */
function viaNginx(path: string, headers: Record<string, string>, options: { method?: string; certificate?: TestCertificate } = {}): Promise<Answer> {
  const certificate = options.certificate === undefined ? {} : { cert: options.certificate.pem, key: options.certificate.keyPem };
  return answerOf(httpsRequest({ host: '127.0.0.1', port: nginx.port, path, method: options.method ?? 'GET', headers, ca: serverCert.pem, ...certificate, agent: false }));
}

/** A request straight to the sidecar from 127.0.0.2: a peer that is not a trusted proxy. */
function fromUntrusted(path: string, headers: Record<string, string>): Promise<Answer> {
  return answerOf(httpRequest({ host: '127.0.0.1', port: sidecar.address.port, localAddress: '127.0.0.2', path, headers, agent: false }));
}

const external = (path: string): string => `https://127.0.0.1:${nginx.port}${path}`;

/** A nonce, as a DPoP client gets its first one: from the 401 of a proof without. */
async function freshNonce(token: string): Promise<string> {
  const first = await viaNginx('/orders', { authorization: `DPoP ${token}`, dpop: key.proof({ method: 'GET', url: external('/orders'), accessToken: token }) });
  expect(first.status, nginx.errorLog()).toBe(401);
  return first.headers['dpop-nonce'] as string;
}

describe('DPoP-bound tokens through nginx', () => {
  it('hands out a nonce with the DPoP challenge, then lets a proof made for the external URL through', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' }, { dpop: key });
    const before = upstream.count();
    const first = await viaNginx('/orders/7?page=2', { authorization: `DPoP ${token}`, dpop: key.proof({ method: 'GET', url: external('/orders/7'), accessToken: token }) });
    expect(first.status, nginx.errorLog()).toBe(401);
    expect(first.headers['www-authenticate']).toMatch(/DPoP .*error="use_dpop_nonce"/);
    const nonce = first.headers['dpop-nonce'];
    expect(typeof nonce === 'string' && nonce.length > 0).toBe(true);
    expect(JSON.parse(first.body)).toMatchObject({ error: 'use_dpop_nonce' });

    const proof = key.proof({ method: 'GET', url: external('/orders/7'), accessToken: token, nonce: nonce as string });
    const second = await viaNginx('/orders/7?page=2', { authorization: `DPoP ${token}`, dpop: proof });
    expect(second.status, nginx.errorLog()).toBe(200);
    expect(upstream.count()).toBe(before + 1);
    expect(upstream.last()?.['x-auth-subject']).toBe('alice');
  });

  it('refuses a replayed proof, a proof for another URL or method, and the token sent as Bearer, before the upstream', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' }, { dpop: key });
    const nonce = await freshNonce(token);
    const before = upstream.count();
    const proof = key.proof({ method: 'GET', url: external('/orders'), accessToken: token, nonce });
    expect((await viaNginx('/orders', { authorization: `DPoP ${token}`, dpop: proof })).status).toBe(200);
    const attempts: [string, Record<string, string>, string][] = [
      ['replayed', { authorization: `DPoP ${token}`, dpop: proof }, 'invalid_dpop_proof'],
      ['another host', { authorization: `DPoP ${token}`, dpop: key.proof({ method: 'GET', url: 'https://api.example.com/orders', accessToken: token, nonce }) }, 'invalid_dpop_proof'],
      ['another path', { authorization: `DPoP ${token}`, dpop: key.proof({ method: 'GET', url: external('/admin'), accessToken: token, nonce }) }, 'invalid_dpop_proof'],
      ['plain http', { authorization: `DPoP ${token}`, dpop: key.proof({ method: 'GET', url: external('/orders').replace('https:', 'http:'), accessToken: token, nonce }) }, 'invalid_dpop_proof'],
      ['another method', { authorization: `DPoP ${token}`, dpop: key.proof({ method: 'POST', url: external('/orders'), accessToken: token, nonce }) }, 'invalid_dpop_proof'],
      ['as Bearer', { authorization: `Bearer ${token}` }, 'invalid_token'],
    ];
    for (const [label, headers, error] of attempts) {
      const answer = await viaNginx('/orders', headers);
      expect([label, answer.status, JSON.parse(answer.body).error]).toEqual([label, 401, error]);
      expect(answer.headers['www-authenticate'], label).toMatch(/DPoP/);
    }
    expect(upstream.count()).toBe(before + 1);
    expect(lines.join('\n').includes(token)).toBe(false);
  });
});

describe('certificate-bound tokens through nginx', () => {
  it('lets a token through with the certificate it is bound to, and refuses it with another or none', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' }, { certificate: alice.pem });
    const before = upstream.count();
    expect((await viaNginx('/orders', { authorization: `Bearer ${token}` }, { certificate: alice })).status, nginx.errorLog()).toBe(200);
    expect(upstream.last()?.['x-auth-subject']).toBe('alice');
    const other = await viaNginx('/orders', { authorization: `Bearer ${token}` }, { certificate: mallory });
    expect([other.status, JSON.parse(other.body).error]).toEqual([401, 'invalid_token']);
    expect((await viaNginx('/orders', { authorization: `Bearer ${token}` })).status).toBe(401);
    expect(upstream.count()).toBe(before + 1);
  });

  it('never believes a certificate header the client wrote: nginx overwrites it', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' }, { certificate: alice.pem });
    const forged = encodeURIComponent(alice.pem);
    const before = upstream.count();
    expect((await viaNginx('/orders', { authorization: `Bearer ${token}`, 'x-client-cert': forged })).status).toBe(401);
    expect((await viaNginx('/orders', { authorization: `Bearer ${token}`, 'x-client-cert': forged }, { certificate: mallory })).status).toBe(401);
    expect(upstream.count()).toBe(before);
  });

  it('refuses forwarding and certificate headers sent straight to the sidecar from an untrusted address', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'orders:read' }, { certificate: alice.pem });
    const forged = { authorization: `Bearer ${token}`, 'x-client-cert': encodeURIComponent(alice.pem) };
    const withCertificate = await fromUntrusted('/orders', forged);
    expect([withCertificate.status, JSON.parse(withCertificate.body).error]).toEqual([400, 'invalid_request']);
    const withUri = await fromUntrusted('/check', { ...forged, 'x-original-uri': '/orders', 'x-original-method': 'GET' });
    expect(withUri.status).toBe(400);
    // Without forged headers it is judged as it arrived: a bound token with no certificate.
    const plain = await fromUntrusted('/orders', { authorization: `Bearer ${token}` });
    expect([plain.status, JSON.parse(plain.body).error]).toEqual([401, 'invalid_token']);
  });
});

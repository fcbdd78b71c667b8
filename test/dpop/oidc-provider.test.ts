// Against a real authorization server: oidc-provider issues DPoP-bound tokens (RFC 9449 §5) and
// certificate-bound tokens (RFC 8705 §3) as JWTs to a client presenting real proofs and a real
// client certificate over node:https; a tokenwarden-protected Express API accepts them and
// refuses the attacks. Certificates are made with openssl for this run; loopback only.
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/adapters/express.js';
import { createDpopKey, type DpopKey } from '../../src/testing/index.js';
import { createVerifier, type Verifier } from '../../src/verifier.js';
import { close, listen } from '../helpers/listen.js';
import { basicAuth, clientCredentials, peerCertificate, SECRET, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { makeCertificate, type TestCertificate } from './support.js';

const AUDIENCE = 'https://orders.example.com';

let as: OidcProvider;
let issuer: string;
let mtlsTokenUrl: string;
let api: Server;
let apiUrl: string;
let mtlsApi: Server;
let mtlsApiUrl: string;
let key: DpopKey;
let otherKey: DpopKey;
let serverCertificate: TestCertificate;
let clientCertificate: TestCertificate;
let otherCertificate: TestCertificate;
let verifier: Verifier;

/** An HTTPS request on loopback, presenting `certificate`; the test's own CA-less server certificate is trusted. */
function httpsCall(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; certificate?: TestCertificate }) {
  return new Promise<{ status: number; body: unknown; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ca: serverCertificate.pem,
        cert: options.certificate?.pem,
        key: options.certificate?.keyPem,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const form = 'grant_type=client_credentials&scope=orders%3Aread&resource=' + encodeURIComponent(AUDIENCE);

beforeAll(async () => {
  [key, otherKey] = await Promise.all([createDpopKey(), createDpopKey()]);
  serverCertificate = makeCertificate('127.0.0.1');
  clientCertificate = makeCertificate('client');
  otherCertificate = makeCertificate('intruder');

  as = await startOidcProvider({
    clients: [
      { client_id: 'api-client', client_secret: SECRET },
      { client_id: 'mtls-client', client_secret: SECRET, tls_client_certificate_bound_access_tokens: true },
    ],
    defaultResource: AUDIENCE,
    features: {
      dPoP: { enabled: true },
      mTLS: { enabled: true, certificateBoundAccessTokens: true, getCertificate: peerCertificate },
    },
    tls: { cert: serverCertificate.pem, key: serverCertificate.keyPem },
  });
  issuer = as.issuer;
  mtlsTokenUrl = `${as.tlsOrigin as string}/token`;

  verifier = createVerifier({ issuer, audience: AUDIENCE, jwksUri: `${issuer}/jwks`, dpop: {} });
  const app = express();
  const auth = createAuth({ verifier });
  app.get('/orders', auth.protect(), (req, res) => {
    res.json({ client: req.auth?.client_id });
  });
  api = createHttpServer(app);
  apiUrl = `http://127.0.0.1:${await listen(api)}/orders`;
  mtlsApi = createHttpsServer({ cert: serverCertificate.pem, key: serverCertificate.keyPem, requestCert: true, rejectUnauthorized: false }, app);
  mtlsApiUrl = `https://127.0.0.1:${await listen(mtlsApi)}/orders`;
}, 60_000);

afterAll(async () => {
  await Promise.all([as?.stop(), close(api), close(mtlsApi)]);
});

async function dpopToken(client: DpopKey): Promise<string> {
  const proof = client.proof({ method: 'POST', url: `${issuer}/token` });
  const body = await clientCredentials(issuer, { clientId: 'api-client', resource: AUDIENCE, headers: { dpop: proof } });
  expect(body.token_type).toBe('DPoP');
  return body.access_token;
}

const callApi = (token: string, proof: string | undefined, scheme = 'DPoP') =>
  fetch(apiUrl, { headers: { authorization: `${scheme} ${token}`, ...(proof === undefined ? {} : { dpop: proof }) } });

describe('tokens from oidc-provider', () => {
  it('accepts a DPoP-bound token with a fresh proof by its key', async () => {
    const token = await dpopToken(key);
    const response = await callApi(token, key.proof({ method: 'GET', url: apiUrl, accessToken: token }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ client: 'api-client' });
  });

  it('refuses the DPoP-bound token replayed, with another key, as Bearer, and for another method', async () => {
    const token = await dpopToken(key);
    const proof = key.proof({ method: 'GET', url: apiUrl, accessToken: token });
    expect((await callApi(token, proof)).status).toBe(200);
    const replayed = await callApi(token, proof);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    const stolen = await callApi(token, otherKey.proof({ method: 'GET', url: apiUrl, accessToken: token }));
    expect(stolen.status).toBe(401);
    expect(((await stolen.json()) as { error_description: string }).error_description).toContain('bound');
    expect((await callApi(token, undefined, 'Bearer')).status).toBe(401);
    expect((await callApi(token, key.proof({ method: 'POST', url: apiUrl, accessToken: token }))).status).toBe(401);
  });

  it('accepts a certificate-bound token over TLS with the client certificate, and refuses it with another', async () => {
    const issued = await httpsCall(mtlsTokenUrl, {
      method: 'POST',
      headers: { authorization: basicAuth('mtls-client'), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      certificate: clientCertificate,
    });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    const token = (issued.body as { access_token: string }).access_token;
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { cnf?: Record<string, string> };
    expect(payload.cnf?.['x5t#S256']).toEqual(expect.any(String));

    const headers = { authorization: `Bearer ${token}` };
    expect(await httpsCall(mtlsApiUrl, { headers, certificate: clientCertificate })).toMatchObject({ status: 200, body: { client: 'mtls-client' } });
    const other = await httpsCall(mtlsApiUrl, { headers, certificate: otherCertificate });
    expect(other).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
    expect(await httpsCall(mtlsApiUrl, { headers })).toMatchObject({ status: 401 });
  });
});

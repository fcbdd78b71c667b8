// tls_client_auth (RFC 8705 §2) against oidc-provider over node:https: the client presents its
// certificate on the connection to the token endpoint, and trusts the issuer's test certificate
// through `tls.ca`. Certificates are made with openssl for this run; loopback only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenClient } from '../../src/client/index.js';
import { makeCertificate, type TestCertificate } from '../dpop/support.js';
import { peerCertificate, startOidcProvider, type OidcProvider, type TlsContext } from '../helpers/oidc-provider.js';
import { AUDIENCE } from './support.js';

let as: OidcProvider;
let issuer: string;
let serverCertificate: TestCertificate;
let clientCertificate: TestCertificate;
let strangerCertificate: TestCertificate;

beforeAll(async () => {
  serverCertificate = makeCertificate('127.0.0.1');
  clientCertificate = makeCertificate('service-a');
  strangerCertificate = makeCertificate('stranger');
  as = await startOidcProvider({
    clients: [{ client_id: 'mtls-client', token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=service-a' }],
    defaultResource: AUDIENCE,
    configuration: { ttl: { ClientCredentials: 300 }, clientAuthMethods: ['tls_client_auth'] },
    features: {
      mTLS: {
        enabled: true,
        tlsClientAuth: true,
        getCertificate: peerCertificate,
        // The test's certificates are self-signed: the subject DN is what identifies the client.
        certificateAuthorized: () => true,
        certificateSubjectMatches: (ctx: TlsContext, property: string, expected: string) =>
          property === 'tls_client_auth_subject_dn' && peerCertificate(ctx)?.subject === expected,
      },
    },
    tls: { cert: serverCertificate.pem, key: serverCertificate.keyPem, asIssuer: true },
  });
  issuer = as.issuer;
}, 60_000);

afterAll(() => as?.stop());

describe('getToken() with tls_client_auth', () => {
  it('authenticates with the client certificate and gets a token', async () => {
    const client = createTokenClient({ issuer, clientId: 'mtls-client', tls: { cert: clientCertificate.pem, key: clientCertificate.keyPem, ca: serverCertificate.pem }, resource: AUDIENCE });
    const token = await client.getToken();
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { client_id?: string; aud?: string };
    expect(payload).toMatchObject({ client_id: 'mtls-client', aud: AUDIENCE });
    await client.close();
  });

  it('is refused with invalid_client when the certificate is another', async () => {
    const client = createTokenClient({ issuer, clientId: 'mtls-client', tls: { cert: strangerCertificate.pem, key: strangerCertificate.keyPem, ca: serverCertificate.pem }, retries: 0 });
    await expect(client.getToken()).rejects.toMatchObject({ code: 'invalid_client' });
    await client.close();
  });

  it('does not reach an https issuer whose certificate it does not trust', async () => {
    const client = createTokenClient({ issuer, clientId: 'mtls-client', tls: { cert: clientCertificate.pem, key: clientCertificate.keyPem }, retries: 0 });
    await expect(client.getToken()).rejects.toMatchObject({ code: 'issuer_unavailable' });
    await client.close();
  });
});

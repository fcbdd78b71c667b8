// One test per attack on sender-constrained tokens that issue #19 lists, each with the exact
// code it must be refused with, using real proofs signed with keys made for this run. Run on
// the Node runtime (./attacks.test.ts) and the web one (test/web/dpop.test.ts): both must
// refuse every attack with the same code.
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDpopKey, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { refusal } from '../helpers/refusal.js';
import { API_URL, makeCertificate, request, startIssuer, verifierFor, type TestCertificate } from './support.js';

/** Registers the attack tests in the calling test file. */
export function describeDpopAttacks(): void {
  let issuer: TestIssuer;
  let key: DpopKey;
  let otherKey: DpopKey;
  let certificate: TestCertificate;
  let otherCertificate: TestCertificate;

  beforeAll(async () => {
    [issuer, key, otherKey] = await Promise.all([startIssuer(), createDpopKey(), createDpopKey()]);
    certificate = makeCertificate('client');
    otherCertificate = makeCertificate('intruder');
  });
  afterAll(async () => {
    await issuer.close();
  });

  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  describe('a DPoP proof', () => {
    it('is accepted with its token, and the claims come back', async () => {
      const verifier = verifierFor(issuer);
      const token = await issuer.sign({ sub: 'alice' }, { dpop: key });
      const claims = await verifier.verifyRequest(request(`DPoP ${token}`, key.proof({ method: 'GET', url: API_URL, accessToken: token })));
      expect(claims).toMatchObject({ sub: 'alice', cnf: { jkt: key.jkt } });
    });

    it('is refused when replayed to the same verifier', async () => {
      const verifier = verifierFor(issuer);
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
      await verifier.verifyRequest(request(`DPoP ${token}`, proof));
      const error = await refusal(verifier.verifyRequest(request(`DPoP ${token}`, proof)), { code: 'dpop_proof_invalid', token: proof });
      expect(error.message).toContain('used before');
    });

    it('is refused for another method', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'POST', url: API_URL, accessToken: token });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused for another URL', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: 'https://api.example.com/orders/43', accessToken: token });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when its htu carries a query', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, claims: { htu: `${API_URL}?id=42` } });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof, { url: `${API_URL}?id=42` })), 'dpop_proof_invalid');
    });

    it('is refused when its htu names another host', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: 'https://evil.example.com/orders/42', accessToken: token });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when stale, past maxProofAge and the tolerance', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, iat: Math.floor(Date.now() / 1000) - 70 });
      const verifier = verifierFor(issuer, { dpop: { maxProofAge: 60, clockTolerance: 5 } });
      await refusal(verifier.verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when issued in the future, past the tolerance', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, iat: Math.floor(Date.now() / 1000) + 30 });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when signed with HMAC', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const secret = Buffer.alloc(32, 7);
      const header = { typ: 'dpop+jwt', alg: 'HS256', jwk: { kty: 'oct', k: secret.toString('base64url') } };
      const claims = { jti: randomUUID(), htm: 'GET', htu: API_URL, iat: Math.floor(Date.now() / 1000) };
      const input = `${encode(header)}.${encode(claims)}`;
      const proof = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when unsigned (alg "none")', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const header = { typ: 'dpop+jwt', alg: 'none', jwk: key.publicJwk };
      const claims = { jti: randomUUID(), htm: 'GET', htu: API_URL, iat: Math.floor(Date.now() / 1000) };
      const proof = `${encode(header)}.${encode(claims)}.`;
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when its jwk holds the private key', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, header: { jwk: { ...key.publicJwk, d: 'AAAA' } } });
      const error = await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
      expect(error.message).toContain('private');
    });

    it('is refused when its ath is the hash of another token', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const other = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: other });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused without a jti', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, claims: { jti: undefined } });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when the request carries two DPoP headers', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proofs = [1, 2].map(() => key.proof({ method: 'GET', url: API_URL, accessToken: token }));
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proofs)), 'dpop_proof_invalid');
      // A web Headers joins them with a comma.
      const headers = new Headers([['authorization', `DPoP ${token}`], ['dpop', proofs[0] as string], ['dpop', proofs[1] as string]]);
      await refusal(verifierFor(issuer).verifyRequest({ method: 'GET', url: API_URL, headers }), 'dpop_proof_invalid');
    });

    it('is refused unread when oversized', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, claims: { padding: 'x'.repeat(9000) } });
      const error = await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
      expect(error.message).toContain('longer than');
    });

    it('is refused when its typ is not dpop+jwt', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, header: { typ: 'JWT' } });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when its signature is not by its jwk', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, header: { jwk: otherKey.publicJwk } });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    });

    it('is refused when missing from a DPoP request', async () => {
      const token = await issuer.sign({}, { dpop: key });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, undefined)), 'dpop_proof_invalid');
    });
  });

  describe('a stolen DPoP-bound token', () => {
    it('is refused with a proof by another key', async () => {
      const token = await issuer.sign({}, { dpop: key });
      const proof = otherKey.proof({ method: 'GET', url: API_URL, accessToken: token });
      await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof)), 'token_binding_invalid');
    });

    it('is refused as a Bearer token', async () => {
      const token = await issuer.sign({}, { dpop: key });
      await refusal(verifierFor(issuer).verifyRequest(request(`Bearer ${token}`, undefined)), { code: 'token_binding_invalid', token });
    });

    it('is refused by verifyAccessToken, which cannot see its proof', async () => {
      const token = await issuer.sign({}, { dpop: key });
      await refusal(verifierFor(issuer).verifyAccessToken(token), { code: 'token_binding_invalid', token });
    });
  });

  describe('a certificate-bound token', () => {
    it('is accepted with its certificate as DER, PEM or X509Certificate', async () => {
      const verifier = verifierFor(issuer);
      const token = await issuer.sign({ sub: 'svc' }, { certificate: certificate.x509 });
      for (const clientCertificate of [certificate.x509.raw, certificate.pem, certificate.x509]) {
        await expect(verifier.verifyRequest(request(`Bearer ${token}`, undefined, { clientCertificate }))).resolves.toMatchObject({ sub: 'svc' });
      }
    });

    it('is refused with a certificate other than the bound one', async () => {
      const token = await issuer.sign({}, { certificate: certificate.pem });
      const attempt = verifierFor(issuer).verifyRequest(request(`Bearer ${token}`, undefined, { clientCertificate: otherCertificate.x509 }));
      await refusal(attempt, 'token_binding_invalid');
    });

    it('is refused without any certificate', async () => {
      const token = await issuer.sign({}, { certificate: certificate.pem });
      await refusal(verifierFor(issuer).verifyRequest(request(`Bearer ${token}`, undefined)), 'token_binding_invalid');
    });

    it('is accepted with the certificate forwarded by a trusted proxy', async () => {
      const verifier = verifierFor(issuer, { mtls: { certificateHeader: 'X-Client-Cert', trustedProxies: ['10.0.0.1'] } });
      const token = await issuer.sign({}, { certificate: certificate.pem });
      const forms = [`:${certificate.x509.raw.toString('base64')}:`, encodeURIComponent(certificate.pem)];
      for (const value of forms) {
        const headers = { authorization: `Bearer ${token}`, 'x-client-cert': value };
        await expect(verifier.verifyRequest({ method: 'GET', url: API_URL, headers, remoteAddress: '::ffff:10.0.0.1' })).resolves.toBeDefined();
      }
    });

    it('is refused with a forwarded certificate header from an untrusted address', async () => {
      const verifier = verifierFor(issuer, { mtls: { certificateHeader: 'x-client-cert', trustedProxies: ['10.0.0.1'] } });
      const token = await issuer.sign({}, { certificate: certificate.pem });
      const headers = { authorization: `Bearer ${token}`, 'x-client-cert': `:${certificate.x509.raw.toString('base64')}:` };
      await refusal(verifier.verifyRequest({ method: 'GET', url: API_URL, headers, remoteAddress: '203.0.113.9' }), 'token_binding_invalid');
    });

    it('is refused by verifyAccessToken', async () => {
      const token = await issuer.sign({}, { certificate: certificate.pem });
      await refusal(verifierFor(issuer).verifyAccessToken(token), 'token_binding_invalid');
    });
  });
}

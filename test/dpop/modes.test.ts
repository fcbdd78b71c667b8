// The dpop and mtls options: their checks at construction, the modes, and origins behind a proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDpopKey, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { PRESENTED_CREDENTIAL, type PresentedRequest } from '../../src/dpop/request.js';
import { createVerifier } from '../../src/verifier.js';
import { refusal } from '../helpers/refusal.js';
import { API_URL, request, startIssuer, verifierFor } from './support.js';

let issuer: TestIssuer;
let key: DpopKey;

beforeAll(async () => {
  [issuer, key] = await Promise.all([startIssuer(), createDpopKey({ algorithm: 'EdDSA' })]);
});
afterAll(async () => {
  await issuer.close();
});

describe('the dpop and mtls options', () => {
  const base = { issuer: 'https://auth.example.com', audience: 'orders-api' };

  it.each([
    [{ dpop: { mode: 'sometimes' } }, /dpop\.mode/],
    [{ dpop: { algorithms: ['HS256'] } }, /dpop\.algorithms/],
    [{ dpop: { maxProofAge: 0 } }, /dpop\.maxProofAge/],
    [{ dpop: { clockTolerance: 301 } }, /dpop\.clockTolerance/],
    [{ dpop: { origins: ['https://api.example.com/path'] } }, /dpop\.origins/],
    [{ dpop: { origins: ['ftp://api.example.com'] } }, /dpop\.origins/],
    [{ dpop: { nonce: { secret: 'short' } } }, /dpop\.nonce\.secret/],
    [{ dpop: { nonce: { secret: 'x'.repeat(32), secrets: ['y'.repeat(32)] } } }, /dpop\.nonce/],
    [{ dpop: { nonce: { secret: 'x'.repeat(32), lifetime: 5 } } }, /dpop\.nonce\.lifetime/],
    [{ dpop: { replay: {} } }, /dpop\.replay/],
    [{ dpop: { maxAge: 60 } }, /dpop\.maxAge/],
    [{ mtls: { mode: 'on' } }, /mtls\.mode/],
    [{ mtls: { trustedProxies: ['10.0.0.1'] } }, /mtls\.certificateHeader/],
    [{ mtls: { certificateHeader: 'bad header' } }, /mtls\.certificateHeader/],
  ])('refuses %j at construction', (extra, message) => {
    expect(() => createVerifier({ ...base, ...(extra as object) })).toThrow(message);
  });
});

describe('dpop.mode', () => {
  it('"allowed" accepts an unbound bearer token, and verifyAccessToken still does', async () => {
    const verifier = verifierFor(issuer);
    const token = await issuer.sign({ sub: 'bob' });
    await expect(verifier.verifyRequest(request(`Bearer ${token}`, undefined))).resolves.toMatchObject({ sub: 'bob' });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'bob' });
  });

  it('"required" refuses an unbound bearer token', async () => {
    const token = await issuer.sign();
    await refusal(verifierFor(issuer, { dpop: { mode: 'required' } }).verifyRequest(request(`Bearer ${token}`, undefined)), 'token_binding_invalid');
  });

  it('"required" refuses an unbound token presented with a proof', async () => {
    const token = await issuer.sign();
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    await refusal(verifierFor(issuer, { dpop: { mode: 'required' } }).verifyRequest(request(`DPoP ${token}`, proof)), 'token_binding_invalid');
  });

  it('"disabled" refuses DPoP requests', async () => {
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    await refusal(verifierFor(issuer, { dpop: { mode: 'disabled' } }).verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
  });

  it('reads the scheme case-insensitively and refuses a request without a token', async () => {
    const verifier = verifierFor(issuer);
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    await expect(verifier.verifyRequest(request(`dpop ${token}`, proof))).resolves.toBeDefined();
    await refusal(verifier.verifyRequest(request(undefined, undefined)), 'token_malformed');
    await refusal(verifier.verifyRequest(request(`Bearer ${token}, DPoP ${token}`, proof)), 'token_malformed');
  });
});

describe('the credential an adapter has already read', () => {
  it('is taken as it is, and Authorization is not parsed again', async () => {
    const verifier = verifierFor(issuer);
    const token = await issuer.sign({ sub: 'carol' }, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    // The headers hold no token: only the handed-down credential can have been used.
    const presented: PresentedRequest = { ...request(undefined, proof), [PRESENTED_CREDENTIAL]: { kind: 'token', scheme: 'DPoP', token } };
    await expect(verifier.verifyRequest(presented)).resolves.toMatchObject({ sub: 'carol' });
  });

  it('is held to the same rules: a DPoP-bound token handed down as Bearer is refused', async () => {
    const token = await issuer.sign({}, { dpop: key });
    const presented: PresentedRequest = { ...request(`DPoP ${token}`, undefined), [PRESENTED_CREDENTIAL]: { kind: 'token', scheme: 'Bearer', token } };
    await refusal(verifierFor(issuer).verifyRequest(presented), 'token_binding_invalid');
  });

  it('says what is wrong when the adapter read no single credential', async () => {
    const token = await issuer.sign();
    const presented: PresentedRequest = { ...request(`Bearer ${token}`, undefined), [PRESENTED_CREDENTIAL]: { kind: 'multiple' } };
    await refusal(verifierFor(issuer).verifyRequest(presented), 'token_malformed');
  });
});

describe('a request URL that cannot be read', () => {
  it('refuses the DPoP request rather than throwing (a made-up Host header)', async () => {
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    await refusal(verifierFor(issuer).verifyRequest(request(`DPoP ${token}`, proof, { url: 'http://a b/orders/42' })), 'dpop_proof_invalid');
  });
});

describe('mtls.mode', () => {
  it('"required" refuses a token that is not certificate-bound', async () => {
    const token = await issuer.sign();
    await refusal(verifierFor(issuer, { mtls: { mode: 'required' } }).verifyRequest(request(`Bearer ${token}`, undefined)), 'token_binding_invalid');
  });
});

describe('dpop.origins', () => {
  it('accepts a proof naming a configured public origin, whatever URL the request arrived at', async () => {
    const verifier = verifierFor(issuer, { dpop: { origins: ['https://API.example.com:443'] } });
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: 'https://api.example.com/orders/%7e42', accessToken: token });
    const internal = request(`DPoP ${token}`, proof, { url: 'http://10.0.0.7:8080/orders/~42?expand=items' });
    await expect(verifier.verifyRequest(internal)).resolves.toBeDefined();
  });

  it('refuses a proof minted for a host that is not one of them', async () => {
    const verifier = verifierFor(issuer, { dpop: { origins: ['https://api.example.com'] } });
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: 'http://10.0.0.7:8080/orders/42', accessToken: token });
    await refusal(verifier.verifyRequest(request(`DPoP ${token}`, proof, { url: 'http://10.0.0.7:8080/orders/42' })), 'dpop_proof_invalid');
  });
});

describe('the proof iat window', () => {
  it('accepts a proof as old as maxProofAge plus the tolerance', async () => {
    const verifier = verifierFor(issuer, { dpop: { maxProofAge: 60, clockTolerance: 5 } });
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, iat: Math.floor(Date.now() / 1000) - 63 });
    await expect(verifier.verifyRequest(request(`DPoP ${token}`, proof))).resolves.toBeDefined();
  });
});

// createTestIssuer's encrypted tokens: what a user's own tests send to a verifier with
// `decryption`, made with node:crypto alone and accepted like an issuer's.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { expectRefusal } from '../helpers/refusal.js';

let issuer: TestIssuer;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api', algorithm: 'ES256' });
});
afterAll(async () => {
  await issuer?.close();
});

const verifier = () =>
  createVerifier({
    issuer: issuer.issuer,
    audience: 'orders-api',
    jwksUri: issuer.jwksUri,
    decryption: { keys: [{ key: privateKey, alg: 'RSA-OAEP-256', kid: 'api-enc' }, { key: privateKey, alg: 'RSA-OAEP' }] },
  });

describe('createTestIssuer sign({ encrypt })', () => {
  it('issues encrypted tokens a verifier with the private key accepts', async () => {
    const token = await issuer.sign({ sub: 'alice' }, { encrypt: { key: publicKey, kid: 'api-enc' } });
    expect(token.split('.')).toHaveLength(5);
    await expect(verifier().verifyAccessToken(token)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('encrypts to a JWK, with RSA-OAEP and A128GCM', async () => {
    const token = await issuer.sign({}, { encrypt: { key: publicKey.export({ format: 'jwk' }), alg: 'RSA-OAEP', enc: 'A128GCM' } });
    await expect(verifier().verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('issues tokens another key cannot open', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    await expectRefusal(verifier(), await issuer.sign({}, { encrypt: { key: other, kid: 'api-enc' } }), 'token_decryption_failed');
  });
});

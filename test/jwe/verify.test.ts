// Encrypted access tokens through the whole verifier: each accepted algorithm decrypts and the
// inner JWS is verified like any other; key selection by kid and by alg; the cache remembers
// the outer text; without `decryption`, encrypted tokens keep their refusal.
import { describe, expect, it, vi } from 'vitest';
import { AUDIENCE, accessClaims, forgeVerifier, generateKey, signToken } from '../helpers/forge.js';
import { expectRefusal } from '../helpers/refusal.js';
import { ecKey, encryptTo, rsaKey, secretKey, type EncryptionKey } from './support.js';

const signer = generateKey('ES256', { kid: 'signing' });

function verifierFor(keys: readonly unknown[], decryption: Record<string, unknown> = {}) {
  return forgeVerifier([signer.jwk], { decryption: { keys, ...decryption } as never }).verifier;
}

describe('an encrypted access token', () => {
  const cases: [string, () => EncryptionKey, string][] = [
    ['RSA-OAEP', () => rsaKey('RSA-OAEP'), 'A128GCM'],
    ['RSA-OAEP-256', () => rsaKey('RSA-OAEP-256'), 'A256GCM'],
    ['RSA-OAEP-384', () => rsaKey('RSA-OAEP-384'), 'A128CBC-HS256'],
    ['RSA-OAEP-512', () => rsaKey('RSA-OAEP-512'), 'A256CBC-HS512'],
    ['ECDH-ES on P-256', () => ecKey('ECDH-ES', 'P-256'), 'A256GCM'],
    ['ECDH-ES on P-384', () => ecKey('ECDH-ES', 'P-384'), 'A128CBC-HS256'],
    ['ECDH-ES on P-521', () => ecKey('ECDH-ES', 'P-521'), 'A256GCM'],
    ['ECDH-ES+A128KW', () => ecKey('ECDH-ES+A128KW'), 'A256GCM'],
    ['ECDH-ES+A256KW', () => ecKey('ECDH-ES+A256KW'), 'A256CBC-HS512'],
    ['A128KW', () => secretKey('A128KW', 16), 'A128GCM'],
    ['A256KW', () => secretKey('A256KW', 32), 'A256GCM'],
    ['A128GCMKW', () => secretKey('A128GCMKW', 16), 'A256GCM'],
    ['A256GCMKW', () => secretKey('A256GCMKW', 32), 'A128CBC-HS256'],
    ['dir with A256GCM', () => secretKey('dir', 32), 'A256GCM'],
    ['dir with A256CBC-HS512', () => secretKey('dir', 64), 'A256CBC-HS512'],
  ];

  it.each(cases)('is decrypted (%s) and its JWT verified like any other', async (_name, make, enc) => {
    const key = make();
    const claims = accessClaims({ scope: 'orders:read' });
    const token = await encryptTo(key, signToken(signer, claims), { enc });
    await expect(verifierFor([key.privateJwk]).verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1', scope: 'orders:read', aud: AUDIENCE });
  });

  it('accepts a key given as a KeyObject with its alg and kid beside it', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key: EncryptionKey = { privateJwk: {}, encryptTo: publicKey.export({ format: 'jwk' }), kid: 'ko', alg: 'RSA-OAEP-256' };
    const token = await encryptTo(key, signToken(signer));
    await expect(verifierFor([{ key: privateKey, alg: 'RSA-OAEP-256', kid: 'ko' }]).verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('is tried with the key its kid names, and with every key of its alg when it names none', async () => {
    const old = rsaKey('RSA-OAEP-256', 'old');
    const current = rsaKey('RSA-OAEP-256', 'current');
    const verifier = verifierFor([old.privateJwk, current.privateJwk]);
    await expect(verifier.verifyAccessToken(await encryptTo(old, signToken(signer)))).resolves.toBeDefined();
    await expect(verifier.verifyAccessToken(await encryptTo(current, signToken(signer), { header: { kid: undefined } }))).resolves.toBeDefined();
    await expectRefusal(verifier, await encryptTo(current, signToken(signer), { header: { kid: 'unknown' } }), 'token_decryption_failed');
  });

  it('is refused token_decryption_failed when it was encrypted to another key', async () => {
    const ours = rsaKey('RSA-OAEP-256', 'same-kid');
    const theirs = rsaKey('RSA-OAEP-256', 'same-kid');
    const error = await expectRefusal(verifierFor([ours.privateJwk]), await encryptTo(theirs, signToken(signer)), 'token_decryption_failed');
    expect(error.status).toBe(401);
    expect(error.message).toBe('token does not decrypt with the configured keys');
  });

  it('is remembered by the cache by its own text: a second presentation decrypts nothing', async () => {
    const key = secretKey('dir', 32);
    const verifier = verifierFor([key.privateJwk]);
    const token = await encryptTo(key, signToken(signer));
    const subtle = vi.spyOn(crypto.subtle, 'decrypt');
    try {
      // Admitted on its second verification, served from the cache on the third.
      for (let i = 0; i < 3; i++) await verifier.verifyAccessToken(token);
      expect(subtle).toHaveBeenCalledTimes(2);
    } finally {
      subtle.mockRestore();
    }
  });

  it('leaves plain signed tokens as they were', async () => {
    const verifier = verifierFor([rsaKey().privateJwk]);
    await expect(verifier.verifyAccessToken(signToken(signer))).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('is refused token_malformed, as before, by a verifier without decryption', async () => {
    const key = rsaKey();
    const { verifier } = forgeVerifier([signer.jwk]);
    const error = await expectRefusal(verifier, await encryptTo(key, signToken(signer)), 'token_malformed');
    expect(error.message).toBe('encrypted tokens (JWE) are not accepted');
  });
});

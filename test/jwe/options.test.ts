// The `decryption` option, checked once at construction: refused algorithms name the option and
// say why, keys must be private and fit their algorithm, and symmetric algorithms are only ever
// used with keys given for them.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index.js';
import { ecKey, rsaKey, secretKey } from './support.js';

const base = { issuer: 'https://auth.example.com', audience: 'orders-api' };
const rsa = rsaKey('RSA-OAEP-256', 'r1');
const create = (decryption: unknown) => () => createVerifier({ ...base, decryption: decryption as never });

describe('option decryption', () => {
  it('is accepted with private keys of every kind', () => {
    const keys = [rsa.privateJwk, ecKey('ECDH-ES+A256KW', 'P-384').privateJwk, secretKey('A256KW', 32).privateJwk, secretKey('dir', 64).privateJwk];
    expect(create({ keys })).not.toThrow();
    expect(create({ keys, algorithms: ['RSA-OAEP-256'], encryptions: ['A256GCM'] })).not.toThrow();
  });

  it.each(['RSA1_5', 'PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW'])('refuses %s even when listed, naming the option', (alg) => {
    expect(create({ keys: [rsa.privateJwk], algorithms: [alg] })).toThrow(/option "decryption\.algorithms" is ".*", which is never accepted/);
    expect(create({ keys: [{ ...rsa.privateJwk, alg }] })).toThrow(/option "decryption\.keys\[0\]\.alg" is ".*", which is never accepted/);
  });

  it('says why RSA1_5 is refused', () => {
    expect(create({ keys: [rsa.privateJwk], algorithms: ['RSA1_5'] })).toThrow(/Bleichenbacher/);
  });

  it.each(['A192GCM', 'A192CBC-HS384', 'A128CBC', 'none'])('refuses the content encryption %s', (enc) => {
    expect(create({ keys: [rsa.privateJwk], encryptions: [enc] })).toThrow(TypeError);
  });

  it('refuses dir and key wrapping listed without a symmetric key given for them', () => {
    for (const alg of ['dir', 'A256KW', 'A128GCMKW']) {
      expect(create({ keys: [rsa.privateJwk], algorithms: [alg] })).toThrow(`option "decryption.algorithms" lists "${alg}", but no key in decryption.keys is for it`);
    }
  });

  it('refuses a key of the wrong kind, size or use for its alg', () => {
    expect(create({ keys: [{ ...rsa.privateJwk, alg: 'dir' }] })).toThrow(/"RSA" key; dir needs a "oct" key/);
    expect(create({ keys: [{ ...secretKey('A256KW', 16).privateJwk }] })).toThrow(/128 bits long, which A256KW cannot use/);
    expect(create({ keys: [{ ...secretKey('dir', 24).privateJwk }] })).toThrow(/192 bits long, which dir cannot use/);
    expect(create({ keys: [{ ...rsa.privateJwk, use: 'sig' }] })).toThrow(/"use" "sig"/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    expect(create({ keys: [{ ...small, alg: 'RSA-OAEP-256' }] })).toThrow(/shorter than 2048 bits/);
  });

  it('refuses public keys, keys without alg and EC keys off their curve', () => {
    const { d: _d, ...publicJwk } = rsa.privateJwk;
    expect(create({ keys: [publicJwk] })).toThrow(/has no "d": decrypting needs the private key/);
    expect(create({ keys: [{ ...rsa.privateJwk, alg: undefined }] })).toThrow(/"decryption\.keys\[0\]\.alg" must be one of/);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(create({ keys: [{ key: publicKey, alg: 'RSA-OAEP-256' }] })).toThrow(/is a public key/);
    const ec = ecKey().privateJwk;
    const y = Buffer.from(ec.y as string, 'base64url');
    y[0] = (y[0] as number) ^ 1;
    expect(create({ keys: [{ ...ec, y: y.toString('base64url') }] })).toThrow(/is not a valid P-256 key/);
    expect(create({ keys: [{ ...ec, crv: 'secp256k1' }] })).toThrow(/curve "secp256k1"/);
  });

  it('refuses an alg beside a JWK that names another, unknown members and an empty key list', () => {
    expect(create({ keys: [{ key: rsa.privateJwk, alg: 'RSA-OAEP' }] })).toThrow(/gives "alg" "RSA-OAEP" for a JWK whose "alg" is "RSA-OAEP-256"/);
    expect(create({ keys: [rsa.privateJwk], zip: true })).toThrow('unknown option "decryption.zip"');
    expect(create({ keys: [] })).toThrow(/"decryption\.keys" must be a non-empty array/);
    expect(create('secret')).toThrow(/"decryption" must be an object/);
  });

  it('never repeats key material in its errors', () => {
    const secret = secretKey('A256KW', 16).privateJwk;
    try {
      create({ keys: [secret] })();
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(secret.k as string);
    }
  });
});

// The JWK usability rules, checked directly on importKeySet/lookupKey (the loopback tests in
// this folder check the same rules through a running key source).
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assessKey, importKeySet, importVerificationKey, lookupKey } from '../../src/jwks/key-set.js';
import { SUPPORTED_ALGORITHMS, type Algorithm } from '../../src/token/algorithms.js';
import { nodeSignatures } from '../../src/token/signature-node.js';

const all = new Set<Algorithm>(SUPPORTED_ALGORITHMS);
const ec = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'ec-1' };
const rsa = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'rsa-1' };
const usable = (jwk: unknown): Promise<boolean> => importVerificationKey(jwk, all, nodeSignatures).then((key) => key !== undefined);

describe('importVerificationKey', () => {
  it('uses a well-formed signing key', async () => {
    expect(await usable(ec)).toBe(true);
    expect(await usable({ ...rsa, use: 'sig', key_ops: ['verify'] })).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a non-string kid', { ...ec, kid: 7 }],
    ['a non-string alg', { ...ec, alg: ['ES256'] }],
    ['an alg its curve does not fit', { ...ec, alg: 'ES384' }],
    ['use "enc"', { ...ec, use: 'enc' }],
    ['key_ops that is not an array', { ...ec, key_ops: 'verify' }],
    ['key_ops with a non-string', { ...ec, key_ops: ['verify', 1] }],
    ['key_ops naming an operation twice', { ...ec, key_ops: ['verify', 'verify'] }],
    ['key_ops without verify', { ...ec, key_ops: ['encrypt'] }],
    ['a missing coordinate', { ...ec, y: undefined }],
    ['an empty coordinate', { ...ec, x: '' }],
    ['an HMAC key', { kty: 'oct', k: 'c2VjcmV0', kid: 'hs' }],
    ['an unknown kty', { kty: 'XYZ', kid: 'x' }],
    ['a zero modulus', { ...rsa, n: 'AAAA' }],
    ['a modulus that is not base64url', { ...rsa, n: '%%%%' }],
    ['an even public exponent', { ...rsa, e: 'AQAA' }],
    ['public exponent 1', { ...rsa, e: 'AQ' }],
    ['an empty public exponent', { ...rsa, e: '' }],
    ['a public exponent that is not base64url', { ...rsa, e: '+/' }],
  ])('skips a key with %s', async (_name, jwk) => {
    expect(await usable(jwk)).toBe(false);
  });

  it('accepts a multi-byte odd exponent such as 65537 with leading zero bytes', async () => {
    expect(await usable({ ...rsa, e: 'AAEAAQ' })).toBe(true);
  });
});

describe('importKeySet and lookupKey', () => {
  it('counts a key published twice once', async () => {
    const set = await importKeySet({ keys: [ec, { ...ec }] }, all, nodeSignatures);
    expect(set.size).toBe(1);
    expect(set.skipped).toBe(0);
    expect(lookupKey(set, 'ES256', 'ec-1')).toMatchObject({ kind: 'found', keys: [expect.anything()] });
  });

  it('tells an unknown kid, a kid unfit for the alg and an ambiguous kid-less token apart', async () => {
    const other = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }), kid: 'ec-2' };
    const set = await importKeySet({ keys: [ec, other, rsa] }, all, nodeSignatures);
    expect(lookupKey(set, 'ES256', 'nope').kind).toBe('unknown');
    expect(lookupKey(set, 'ES256', 'rsa-1').kind).toBe('unusable');
    expect(lookupKey(set, 'ES256', undefined).kind).toBe('ambiguous');
    expect(lookupKey(set, 'RS256', undefined).kind).toBe('found');
    expect(lookupKey(set, 'EdDSA', undefined).kind).toBe('unknown');
  });

  it('refuses a document that is not a key set', async () => {
    await expect(importKeySet({ keys: {} }, all, nodeSignatures)).rejects.toThrow(/no "keys" array/);
    await expect(importKeySet(null, all, nodeSignatures)).rejects.toThrow(/no "keys" array/);
  });

  it('carries over an unchanged key from the previous set and imports a changed one', async () => {
    const first = await importKeySet({ keys: [ec, rsa] }, all, nodeSignatures);
    const second = await importKeySet({ keys: [ec, { ...rsa, kid: 'rsa-2' }] }, all, nodeSignatures, first);
    const [ecBefore] = (lookupKey(first, 'ES256', 'ec-1') as { keys: readonly unknown[] }).keys;
    const [ecAfter] = (lookupKey(second, 'ES256', 'ec-1') as { keys: readonly unknown[] }).keys;
    expect(ecAfter).toBe(ecBefore);
    const [rsaAfter] = (lookupKey(second, 'RS256', 'rsa-2') as { keys: readonly unknown[] }).keys;
    expect([...first.keys]).not.toContain(rsaAfter);
  });
});

describe('assessKey', () => {
  it('says why a key is not usable, and what a usable one may verify', () => {
    const all = new Set(SUPPORTED_ALGORITHMS);
    const reason = (jwk: unknown): string | undefined => {
      const assessed = assessKey(jwk, all);
      return assessed.usable ? undefined : assessed.reason;
    };

    expect(reason('nope')).toMatch(/not a JSON object/);
    expect(reason({ kid: 'a' })).toMatch(/no "kty"/);
    expect(reason({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 7 })).toMatch(/"kid" is not a string/);
    expect(reason({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', key_ops: ['sign'] })).toMatch(/"key_ops" do not allow "verify"/);
    expect(reason({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', alg: 5 })).toMatch(/"alg" is not a string/);
    expect(reason({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', alg: 'HS256' })).toMatch(/"alg" HS256 is not allowed/);
    expect(reason({ kty: 'RSA', n: '!!', e: 'AQAB' })).toMatch(/not canonical base64url/);
    expect(reason({ kty: 'RSA', n: 'AQAB'.repeat(100), e: 'Ag' })).toMatch(/public exponent/);
    const usable = assessKey({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'k' }, all);
    expect(usable.usable && [...usable.algorithms]).toEqual(['ES256']);
  });
});

// ROCA (CVE-2017-15361): RSA moduli from Infineon's RSALib are refused. RSALib's primes have the
// form k·M + (65537^a mod M), M the product of the first 126 primes for 2048-bit keys (Nemec et
// al., ACM CCS 2017), so their product has the same form: the tests build moduli that way.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importVerificationKey } from '../../src/jwks/key-set.js';
import { hasRocaFingerprint, rocaFalsePositiveRate } from '../../src/jwks/roca.js';
import { SUPPORTED_ALGORITHMS, type Algorithm } from '../../src/token/algorithms.js';
import { nodeSignatures } from '../../src/token/signature-node.js';

const all = new Set<Algorithm>(SUPPORTED_ALGORITHMS);

const primesUpTo = (limit: number): bigint[] => {
  const primes: bigint[] = [];
  for (let n = 2; n <= limit; n++) if (primes.every((p) => BigInt(n) % p !== 0n)) primes.push(BigInt(n));
  return primes;
};
const M = primesUpTo(701).reduce((product, p) => product * p);

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  for (let b = base % modulus, e = exponent; e > 0n; e >>= 1n, b = (b * b) % modulus) if (e & 1n) result = (result * b) % modulus;
  return result;
}

const randomBigInt = (bytes: number): bigint => BigInt(`0x${randomBytes(bytes).toString('hex')}`);
const toBytes = (n: bigint): Uint8Array => Buffer.from(n.toString(16).padStart(512, '0'), 'hex');
const toJwk = (n: bigint) => ({ kty: 'RSA', n: Buffer.from(toBytes(n)).toString('base64url'), e: 'AQAB', kid: 'rsa' });

/** A 2048-bit modulus of RSALib's form: k·M + (65537^c mod M), odd since M is even. */
function rsalibModulus(): bigint {
  const top = 1n << 2047n;
  const k = top / M + (randomBigInt(8) % (top / M)); // keeps k·M within 2048 bits
  return k * M + modPow(65537n, randomBigInt(16), M);
}

describe('the ROCA fingerprint', () => {
  it('is found on moduli of the form RSALib produces', () => {
    for (let i = 0; i < 20; i++) {
      const n = rsalibModulus();
      expect(n.toString(2)).toHaveLength(2048);
      expect(hasRocaFingerprint(toBytes(n))).toBe(true);
    }
  });

  it('is not found on keys from another generator (node:crypto here)', () => {
    for (const modulusLength of [2048, 2048, 2048, 3072]) {
      const jwk = generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'jwk' });
      expect(hasRocaFingerprint(Buffer.from(jwk.n as string, 'base64url'))).toBe(false);
    }
  });

  it('needs every prime: a modulus off by its residue modulo 701 alone is not flagged', () => {
    const n = rsalibModulus();
    const step = 2n * (M / 701n); // leaves the residue modulo every other prime (and the parity) alone
    let changed: bigint | undefined;
    for (let m = 1n; m < 701n && changed === undefined; m++) {
      if (!hasRocaFingerprint(toBytes(n + m * step))) changed = n + m * step;
    }
    expect(changed).toBeDefined();
    expect(hasRocaFingerprint(toBytes(n))).toBe(true);
  });

  it('leaves a key of another generator a chance of about 2^-167 of being taken for one', () => {
    expect(Math.log2(rocaFalsePositiveRate())).toBeLessThan(-160);
  });
});

describe('importVerificationKey and ROCA', () => {
  it('skips a key whose modulus carries the fingerprint, which node:crypto would import', async () => {
    const n = rsalibModulus();
    expect(await importVerificationKey(toJwk(n), all, nodeSignatures)).toBeUndefined();
    // The same key with one residue changed imports: the fingerprint is what refused it.
    const step = 2n * (M / 701n);
    let m = 1n;
    while (m < 701n && hasRocaFingerprint(toBytes(n + m * step))) m++;
    expect(await importVerificationKey(toJwk(n + m * step), all, nodeSignatures)).toBeDefined();
  });
});

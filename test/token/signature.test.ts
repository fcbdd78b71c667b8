import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importVerificationKey } from '../../src/jwks/key-set.js';
import type { Algorithm } from '../../src/token/algorithms.js';
import { hasExpectedShape, type SignatureRuntime, type VerificationKey } from '../../src/token/signature.js';
import { joseSignatures } from '../../src/token/signature-jose.js';
import { nodeSignatures } from '../../src/token/signature-node.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'ES256' };
const input = 'eyJhbGciOiJFUzI1NiJ9.e30';
const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });

describe.each<[string, SignatureRuntime]>([
  ['node:crypto', nodeSignatures],
  ['jose', joseSignatures],
])('the %s signature path', (_name, runtime) => {
  async function key(): Promise<VerificationKey> {
    return (await importVerificationKey(jwk, new Set<Algorithm>(['ES256']), runtime)) as VerificationKey;
  }

  it('accepts a good signature and refuses a flipped one', async () => {
    const k = await key();
    expect(await runtime.verify('ES256', k, input, signature)).toBe(true);
    const flipped = Buffer.from(signature);
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(await runtime.verify('ES256', k, input, flipped)).toBe(false);
  });

  it('refuses an algorithm the key was not imported for, without throwing', async () => {
    expect(await runtime.verify('ES384', await key(), input, signature)).toBe(false);
  });

  it('refuses a signature of the wrong length before any cryptography', async () => {
    const k = await key();
    expect(hasExpectedShape('ES256', k, signature)).toBe(true);
    expect(hasExpectedShape('ES256', k, signature.subarray(1))).toBe(false);
    expect(hasExpectedShape('ES384', k, signature)).toBe(false);
  });
});

describe('the thread-pool variant of the node:crypto path', () => {
  it('decides as the synchronous one does', async () => {
    const k = (await importVerificationKey(jwk, new Set<Algorithm>(['ES256']), nodeSignatures)) as VerificationKey;
    const background = nodeSignatures.verifyInBackground?.bind(nodeSignatures);
    expect(background).toBeDefined();
    expect(await background?.('ES256', k, input, signature)).toBe(true);
    expect(await background?.('ES256', k, `${input}x`, signature)).toBe(false);
    expect(await background?.('ES384', k, input, signature)).toBe(false);
    expect(await background?.('ES256', k, input, new Uint8Array(64))).toBe(false);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMemoryRevocationStore, createVerifier, type Verifier, type VerifierOptions } from '../src/index.js';
import { createTestIssuer, type TestIssuer } from '../src/testing/index.js';
import { nodeSignatures } from '../src/token/signature-node.js';
import { fingerprint } from '../src/verified-token-cache.js';
import { outcomeOf } from './helpers/refusal.js';

let issuer: TestIssuer;
let base: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
  base = { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri };
});
afterAll(async () => {
  await issuer.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Verifies `token` until the verifier remembers it (its second verification), checking that it does. */
async function remember(verifier: Verifier, token: string): Promise<void> {
  await verifier.verifyAccessToken(token);
  await verifier.verifyAccessToken(token);
  const verify = vi.spyOn(nodeSignatures, 'verify');
  await verifier.verifyAccessToken(token);
  expect(verify).not.toHaveBeenCalled();
  verify.mockRestore();
}

describe('the verified-token cache', () => {
  it('skips the signature check when the same token comes again, from its third presentation', async () => {
    const verifier = createVerifier(base);
    const token = await issuer.sign();
    const verify = vi.spyOn(nodeSignatures, 'verify');
    const first = await verifier.verifyAccessToken(token);
    const second = await verifier.verifyAccessToken(token);
    expect(verify).toHaveBeenCalledTimes(2);
    const third = await verifier.verifyAccessToken(token);
    const fourth = await verifier.verifyAccessToken(token);
    expect(verify).toHaveBeenCalledTimes(2);
    expect(third).toBe(second);
    expect(fourth).toBe(second);
    expect(first).toEqual(second);
  });

  it('remembers nothing of tokens seen once, so a stream of them cannot push out the repeated ones', async () => {
    const verifier = createVerifier({ ...base, cache: { maxEntries: 1 } });
    const repeated = await issuer.sign();
    await remember(verifier, repeated);
    for (let i = 0; i < 5; i++) await verifier.verifyAccessToken(await issuer.sign());
    const verify = vi.spyOn(nodeSignatures, 'verify');
    await verifier.verifyAccessToken(repeated);
    expect(verify).not.toHaveBeenCalled();
  });

  it('checks the signature every time when turned off', async () => {
    const verifier = createVerifier({ ...base, cache: false });
    const token = await issuer.sign();
    const verify = vi.spyOn(nodeSignatures, 'verify');
    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(token);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('never serves a token past its exp: time claims are checked on every hit', async () => {
    const verifier = createVerifier({ ...base, clockTolerance: 0 });
    const token = await issuer.sign({}, { expiresIn: 30 });
    await remember(verifier, token);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 31_000);
    expect(await outcomeOf(verifier.verifyAccessToken(token))).toBe('token_expired');
  });

  it('forgets a remembered token the moment it is seen expired: with the clock turned back, it is verified in full', async () => {
    const verifier = createVerifier({ ...base, clockTolerance: 0 });
    const token = await issuer.sign({}, { expiresIn: 30 });
    await remember(verifier, token);
    const now = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(now + 31_000);
    expect(await outcomeOf(verifier.verifyAccessToken(token))).toBe('token_expired');
    vi.setSystemTime(now);
    const verify = vi.spyOn(nodeSignatures, 'verify');
    await verifier.verifyAccessToken(token);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('asks the revocation checker on every hit', async () => {
    const revocation = createMemoryRevocationStore();
    const isRevoked = vi.spyOn(revocation, 'isRevoked');
    const verifier = createVerifier({ ...base, revocation });
    const token = await issuer.sign();
    const claims = await verifier.verifyAccessToken(token);
    await remember(verifier, token);
    expect(isRevoked).toHaveBeenCalledTimes(4);
    revocation.revoke(claims.jti as string, claims.exp);
    expect(await outcomeOf(verifier.verifyAccessToken(token))).toBe('token_revoked');
  });

  it('drops a token once its key leaves the key set, even when only cached tokens arrive', async () => {
    const own = await createTestIssuer({ audience: 'orders-api' });
    try {
      const verifier = createVerifier({ issuer: own.issuer, audience: 'orders-api', jwksUri: own.jwksUri, jwks: { maxAge: 60, cooldown: 1 } });
      const token = await own.sign({}, { expiresIn: 3600 });
      await remember(verifier, token);
      await own.rotate(); // the old key is withdrawn
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      // Stale: still served from the cache, while the hit starts a background refresh.
      await verifier.verifyAccessToken(token);
      await verifier.warmUp();
      expect(own.requests.jwks).toBe(2);
      expect(await outcomeOf(verifier.verifyAccessToken(token))).toBe('key_not_found');
    } finally {
      await own.close();
    }
  });

  it('is bounded by maxEntries, forgetting the least recently used token', async () => {
    const verifier = createVerifier({ ...base, cache: { maxEntries: 2 } });
    const [a, b, c] = [await issuer.sign(), await issuer.sign(), await issuer.sign()];
    for (const token of [a, b, c]) await remember(verifier, token);
    const verify = vi.spyOn(nodeSignatures, 'verify');
    for (const token of [c, b]) await verifier.verifyAccessToken(token);
    expect(verify).not.toHaveBeenCalled();
    await verifier.verifyAccessToken(a);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('is never shared between verifiers with different options', async () => {
    const token = await issuer.sign({ aud: 'orders-api' });
    const orders = createVerifier(base);
    const billing = createVerifier({ ...base, audience: 'billing-api' });
    await remember(orders, token);
    expect(await outcomeOf(billing.verifyAccessToken(token))).toBe('audience_invalid');
  });

  it('serves a hit only for the exact token text, never for another token with the same ending', async () => {
    const verifier = createVerifier(base);
    const token = await issuer.sign({ sub: 'alice' });
    await remember(verifier, token);
    // Same signature (so the same fingerprint), another payload: must be checked, and refused.
    const [header, , signature] = token.split('.') as [string, string, string];
    const swapped = `${header}.${Buffer.from(JSON.stringify({ iss: issuer.issuer, aud: 'orders-api', sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.${signature}`;
    expect(fingerprint(swapped)).toBe(fingerprint(token));
    expect(await outcomeOf(verifier.verifyAccessToken(swapped))).toBe('signature_invalid');
    expect(await verifier.verifyAccessToken(token)).toMatchObject({ sub: 'alice' });
  });

  it('does not cache refusals', async () => {
    const verifier = createVerifier(base);
    const token = await issuer.sign();
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(342)}`;
    const verify = vi.spyOn(nodeSignatures, 'verify');
    for (let i = 0; i < 3; i++) expect(await outcomeOf(verifier.verifyAccessToken(forged))).toBe('signature_invalid');
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('validates its options', () => {
    expect(() => createVerifier({ ...base, cache: { maxEntries: 0 } })).toThrow(RangeError);
    expect(() => createVerifier({ ...base, cache: true as never })).toThrow(/"cache"/);
    expect(() => createVerifier({ ...base, cache: { size: 5 } as never })).toThrow(/unknown option "cache.size"/);
  });
});

describe('returned claims', () => {
  it('are frozen, nested members included, since cached claims are shared between requests', async () => {
    const verifier = createVerifier(base);
    const claims = await verifier.verifyAccessToken(await issuer.sign({ realm_access: { roles: ['admin'] } }));
    expect(Object.isFrozen(claims)).toBe(true);
    expect(() => {
      (claims as Record<string, unknown>).sub = 'mallory';
    }).toThrow(TypeError);
    expect(() => (claims.realm_access as { roles: string[] }).roles.push('root')).toThrow(TypeError);
  });
});

describe('signature checks under concurrency', () => {
  it('verify on the calling thread one at a time, and on the thread pool when others are in flight', async () => {
    const verifier = createVerifier({ ...base, cache: false });
    const tokens = await Promise.all(Array.from({ length: 8 }, () => issuer.sign()));
    await verifier.verifyAccessToken(tokens[0] as string);
    const onThread = vi.spyOn(nodeSignatures, 'verify');
    const inPool = vi.spyOn(nodeSignatures, 'verifyInBackground' as never) as unknown as ReturnType<typeof vi.fn>;

    for (const token of tokens) await verifier.verifyAccessToken(token);
    expect(onThread).toHaveBeenCalledTimes(8);
    expect(inPool).not.toHaveBeenCalled();

    await Promise.all(tokens.map((token) => verifier.verifyAccessToken(token)));
    expect(inPool.mock.calls.length).toBeGreaterThanOrEqual(7);
  });
});

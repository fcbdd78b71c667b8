import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { undiciGet } from '../../src/jwks/http-undici.js';
import { createRemoteKeySource } from '../../src/jwks/remote-key-source.js';
import { SUPPORTED_ALGORITHMS } from '../../src/token/algorithms.js';
import { nodeSignatures } from '../../src/token/signature-node.js';
import type { VerificationKey } from '../../src/token/signature.js';
import type { SignatureRuntime } from '../../src/token/signature.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import type { JwksOptions } from '../../src/jwks/options.js';
import type { Verifier } from '../../src/verifier.js';
import { closeServers, sendJson } from '../helpers/jwks-server.js';
import { AUDIENCE, at, causeOf, keySet, makeKey, serveKeySet, settle, useFakeClock, verifierFor } from './support.js';
import { outcomeOf, refusal } from '../helpers/refusal.js';

const issuers: TestIssuer[] = [];
async function testIssuer(): Promise<TestIssuer> {
  const issuer = await createTestIssuer({ algorithm: 'ES256', audience: AUDIENCE });
  issuers.push(issuer);
  return issuer;
}

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
  await closeServers();
});

describe('single flight', () => {
  it('makes one key-set request for 50 concurrent verifications on a cold verifier', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys);
    const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => key.sign(keys.issuer, { sub: `user-${i}` })));

    const claims = await Promise.all(tokens.map((token) => verifier.verifyAccessToken(token)));

    expect(claims.map((claim) => claim.sub)).toEqual(tokens.map((_, i) => `user-${i}`));
    expect(keys.fetches()).toBe(1);
  });

  it('makes one metadata and one key-set request for 50 concurrent verifications through discovery', async () => {
    const issuer = await testIssuer();
    const verifier = createVerifierForDiscovery(issuer);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => issuer.sign()));

    await Promise.all(tokens.map((token) => verifier.verifyAccessToken(token)));

    expect(issuer.requests).toEqual({ metadata: 1, jwks: 1 });
  });

  it('shares one failed request among concurrent verifications', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 500, { error: 'down' });
    const verifier = verifierFor(keys);
    const token = await key.sign(keys.issuer);

    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => verifier.verifyAccessToken(token)));

    expect(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as { code: string }).code)).toEqual(
      Array.from({ length: 20 }, () => 'jwks_unavailable'),
    );
    expect(keys.fetches()).toBe(1);
  });

  it('shares one request between warmUp and concurrent verifications', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys);
    const token = await key.sign(keys.issuer);

    await Promise.all([verifier.warmUp(), verifier.verifyAccessToken(token), verifier.warmUp()]);

    expect(keys.fetches()).toBe(1);
  });
});

describe('unknown kid', () => {
  it('refetches once for an unknown kid, then answers key_not_found', async () => {
    const published = await makeKey();
    const stranger = await makeKey();
    const keys = await serveKeySet(keySet(published));
    const verifier = verifierFor(keys);
    await verifier.verifyAccessToken(await published.sign(keys.issuer));
    at(31);

    const error = await refusal(verifier.verifyAccessToken(await stranger.sign(keys.issuer)), 'key_not_found');

    expect(error.status).toBe(401);
    expect(keys.fetches()).toBe(2);
  });

  it('costs one fetch per cooldown under a flood of 200 random kids', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    const flood = async (): Promise<void> => {
      const bogus = await Promise.all(Array.from({ length: 200 }, () => key.sign(keys.issuer, {}, { kid: randomUUID() })));
      const outcomes = await Promise.allSettled(bogus.map((token) => verifier.verifyAccessToken(token)));
      for (const outcome of outcomes) {
        // Refused either way: unknown to a fetch that started after the kid was seen, or not yet decided.
        expect(['key_not_found', 'jwks_unavailable']).toContain(outcome.status === 'rejected' && (outcome.reason as { code: string }).code);
      }
    };

    at(31);
    await flood();
    expect(keys.fetches()).toBe(2);
    at(45);
    await flood();
    expect(keys.fetches()).toBe(2);
    at(61.5);
    await flood();
    expect(keys.fetches()).toBe(3);
  });

  it('answers 503 with Retry-After, never 401, without a request for a rotated key within the cooldown', async () => {
    const issuer = await testIssuer();
    const verifier = createVerifierWithJwksUri(issuer);
    await verifier.verifyAccessToken(await issuer.sign());
    await issuer.rotate();
    at(20);

    const error = await refusal(verifier.verifyAccessToken(await issuer.sign()), 'jwks_unavailable');

    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe(10);
    expect(error.message).toMatch(/not been fetched since the key was first seen/);
    expect(issuer.requests.jwks).toBe(1);
  });

  it('picks up a genuine rotation with the first token after the cooldown', async () => {
    const issuer = await testIssuer();
    const verifier = createVerifierWithJwksUri(issuer, { cooldown: 30 });
    await verifier.verifyAccessToken(await issuer.sign());
    await issuer.rotate();
    at(20);
    await refusal(verifier.verifyAccessToken(await issuer.sign()), 'jwks_unavailable');
    at(30.5);

    const claims = await verifier.verifyAccessToken(await issuer.sign({ sub: 'after-rotation' }));

    expect(claims.sub).toBe('after-rotation');
    expect(issuer.requests.jwks).toBe(2);
  });

  it('declares a kid unknown only once a fetch that started after it was first seen has run', async () => {
    const published = await makeKey();
    const stranger = await makeKey();
    const keys = await serveKeySet(keySet(published));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await published.sign(keys.issuer));
    const token = await stranger.sign(keys.issuer);
    at(10);

    const undecided = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    expect(undecided.retryAfter).toBe(20);
    at(31);
    const unknown = await refusal(verifier.verifyAccessToken(token), 'key_not_found');
    at(40);
    // Decided by the fetch at 31: within the next cooldown it stays unknown, without a request.
    const again = await refusal(verifier.verifyAccessToken(token), 'key_not_found');

    expect(unknown.status).toBe(401);
    expect(again.message).toMatch(/refetched recently/);
    expect(keys.fetches()).toBe(2);
  });

  it('lets a fetch already in flight when a kid is first seen not decide it', async () => {
    const published = await makeKey();
    const first = await makeKey();
    const second = await makeKey();
    const keys = await serveKeySet(keySet(published));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await published.sign(keys.issuer));
    at(31);
    const [a, b] = [await first.sign(keys.issuer), await second.sign(keys.issuer)];

    // `a` starts the fetch; `b` is first seen while it is in flight and joins it.
    const [outcomeA, outcomeB] = await Promise.all([outcomeOf(verifier.verifyAccessToken(a)), outcomeOf(verifier.verifyAccessToken(b))]);

    expect([outcomeA, outcomeB]).toEqual(['key_not_found', 'jwks_unavailable']);
    expect(keys.fetches()).toBe(2);
  });

  it('applies the same rule to a token without kid whose algorithm no key fits', async () => {
    const published = await makeKey({ alg: 'ES256' });
    const rsa = await makeKey({ alg: 'RS256' });
    const keys = await serveKeySet(keySet(published));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await published.sign(keys.issuer));
    const token = await rsa.sign(keys.issuer, {}, { kid: undefined });
    at(5);

    await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    at(31);
    await refusal(verifier.verifyAccessToken(token), 'key_not_found');
    expect(keys.fetches()).toBe(2);
  });

  it('answers jwks_unavailable, not key_not_found, for an unknown kid while the last refresh failed', async () => {
    const published = await makeKey();
    const rotated = await makeKey();
    const keys = await serveKeySet(keySet(published));
    const verifier = verifierFor(keys);
    await verifier.verifyAccessToken(await published.sign(keys.issuer));
    keys.respond = (_req, res) => sendJson(res, 503, { error: 'down' });
    at(31);
    const unknown = await rotated.sign(keys.issuer);

    const first = await refusal(verifier.verifyAccessToken(unknown), 'jwks_unavailable');
    at(40);
    const again = await refusal(verifier.verifyAccessToken(unknown), 'jwks_unavailable');

    expect(first.status).toBe(503);
    expect(causeOf(again)).toMatch(/503/);
    expect(keys.fetches()).toBe(2);
    // The cached keys still serve the tokens they know.
    await expect(verifier.verifyAccessToken(await published.sign(keys.issuer))).resolves.toBeDefined();
  });

  it('does not refetch for a kid that is known but cannot verify the algorithm', async () => {
    const key = await makeKey();
    const other = await makeKey();
    const keys = await serveKeySet(keySet({ ...key.jwk, alg: 'ES384' }, other));
    const verifier = verifierFor(keys);
    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'key_not_found');
    at(31);

    const error = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'key_not_found');

    expect(error.message).toMatch(/cannot verify its algorithm/);
    expect(keys.fetches()).toBe(1);
  });
});

describe('key set contents', () => {
  it('skips a malformed key and keeps verifying with the rest of the set', async () => {
    const good = await makeKey();
    const keys = await serveKeySet(
      keySet(
        { kty: 'RSA', kid: 'broken-modulus', n: '%%%', e: 'AQAB' },
        { kty: 'EC', kid: 'off-curve', crv: 'P-256', x: 'AAAA', y: 'AAAA' },
        { kty: 'EC', kid: 'no-y', crv: 'P-256', x: (good.jwk.x as string) },
        { kid: 'no-kty' },
        'not a key',
        null,
        good,
      ),
    );
    const verifier = verifierFor(keys);

    const claims = await verifier.verifyAccessToken(await good.sign(keys.issuer, { sub: 'still-works' }));
    const error = await refusal(verifier.verifyAccessToken(await good.sign(keys.issuer, {}, { kid: 'off-curve' })), 'key_not_found');

    expect(claims.sub).toBe('still-works');
    expect(error.message).toMatch(/cannot verify/);
    expect(keys.fetches()).toBe(1);
  });

  it('imports each key once per fetch, not once per verification', async () => {
    const first = await makeKey();
    const second = await makeKey({ alg: 'RS256' });
    const keys = await serveKeySet(keySet(first, second));
    let imports = 0;
    const counting: SignatureRuntime = {
      importKey: (jwk, algorithms) => {
        imports++;
        return nodeSignatures.importKey(jwk, algorithms);
      },
      verify: nodeSignatures.verify,
    };
    const source = createRemoteKeySource({
      issuer: keys.issuer,
      jwksUri: new URL(keys.jwksUri),
      algorithms: new Set(SUPPORTED_ALGORITHMS),
      cooldown: 30,
      maxAge: 600,
      timeout: 5,
      maxStale: 86_400,
      maxBytes: 524_288,
      get: undiciGet,
      signatures: counting,
    });

    await source.load();
    for (let i = 0; i < 100; i++) {
      const found = source.getKeys(i % 2 === 0 ? 'ES256' : 'RS256', i % 2 === 0 ? first.kid : second.kid);
      expect(Array.isArray(found) ? found : await found).toHaveLength(1);
    }
    expect(imports).toBe(2);
    expect(keys.fetches()).toBe(1);

    // A refresh that finds the same keys carries them over: nothing is imported again, and
    // the keys stay the same objects (so what they verified stays trusted).
    const before = source.getKeys('ES256', first.kid);
    const secondKey = (source.getKeys('RS256', second.kid) as readonly VerificationKey[])[0] as VerificationKey;
    at(601);
    source.getKeys('ES256', first.kid);
    await source.load();
    expect(keys.fetches()).toBe(2);
    expect(imports).toBe(2);
    const after = source.getKeys('ES256', first.kid);
    expect((after as readonly unknown[])[0]).toBe((before as readonly unknown[])[0]);

    // A new key is imported; a key that left the set is no longer held.
    const third = await makeKey();
    keys.document = keySet(first, third);
    at(1300);
    source.getKeys('ES256', first.kid);
    await source.load();
    expect(keys.fetches()).toBe(3);
    expect(imports).toBe(3);
    expect(source.holds((before as readonly VerificationKey[])[0] as VerificationKey)).toBe(true);
    expect(source.holds(secondKey)).toBe(false);
  });

  it('makes one request for 100 verifications against a cached set', async () => {
    const issuer = await testIssuer();
    const verifier = createVerifierWithJwksUri(issuer);
    const token = await issuer.sign();

    for (let i = 0; i < 100; i++) await verifier.verifyAccessToken(token);

    expect(issuer.requests.jwks).toBe(1);
  });

  it('answers key_not_found for a token without kid when several keys fit its algorithm', async () => {
    const first = await makeKey();
    const second = await makeKey();
    const keys = await serveKeySet(keySet(first, second));
    const verifier = verifierFor(keys);

    const error = await refusal(verifier.verifyAccessToken(await first.sign(keys.issuer, {}, { kid: undefined })), 'key_not_found');

    expect(error.message).toMatch(/more than one key/);
    expect(keys.fetches()).toBe(1);
  });

  it('verifies a token without kid when exactly one key fits its algorithm', async () => {
    const only = await makeKey();
    const keys = await serveKeySet(keySet(only));
    const verifier = verifierFor(keys);

    const claims = await verifier.verifyAccessToken(await only.sign(keys.issuer, { sub: 'no-kid' }, { kid: undefined }));

    expect(claims.sub).toBe('no-kid');
    expect(keys.fetches()).toBe(1);
  });
});

function createVerifierWithJwksUri(issuer: TestIssuer, jwks: JwksOptions = {}): Verifier {
  return verifierFor({ issuer: issuer.issuer, jwksUri: issuer.jwksUri }, jwks);
}

function createVerifierForDiscovery(issuer: TestIssuer): Verifier {
  return verifierFor({ issuer: issuer.issuer });
}

// Keys given as data: static key sets (`jwks.keys`, never fetched) and preloaded ones
// (`jwks.initial`, used until the first fetch), through the same key rules as fetched sets, with
// health and events telling the truth about them.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, createVerifier, type JwksFetchEvent, type VerifierOptions } from '../../src/index.js';
import { nodeSignatures } from '../../src/token/signature-node.js';
import { recordEvents } from '../events/support.js';
import { closeServers } from '../helpers/jwks-server.js';
import { refusal } from '../helpers/refusal.js';
import { AUDIENCE, T0, at, keySet, makeKey, serveKeySet, settle, useFakeClock } from './support.js';

const ISSUER = 'https://auth.example.com';

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await closeServers();
});

/** A fetch that records being called and never answers usefully: static keys must never call it. */
function countingFetch() {
  const calls: string[] = [];
  const fetch = async (url: string | URL) => {
    calls.push(String(url));
    return new Response('{}', { status: 500 });
  };
  return { fetch, calls };
}

describe('static keys (jwks.keys)', () => {
  it('verifies with the given keys and never fetches, not even for an unknown kid, which is key_not_found at once', async () => {
    const [a, stranger] = [await makeKey(), await makeKey()];
    const { fetch, calls } = countingFetch();
    const events = recordEvents([CHANNELS.jwksFetch, CHANNELS.jwksSkipped, CHANNELS.jwksStale]);
    try {
      const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [a.jwk], fetch, cooldown: 0 } });
      await expect(verifier.verifyAccessToken(await a.sign(ISSUER))).resolves.toMatchObject({ iss: ISSUER });
      await refusal(verifier.verifyAccessToken(await stranger.sign(ISSUER)), 'key_not_found');
      at(86400 * 30);
      await expect(verifier.verifyAccessToken(await a.sign(ISSUER))).resolves.toBeDefined();
      await verifier.warmUp();
      expect(calls).toEqual([]);
      expect(events.published).toEqual([]);
    } finally {
      events.stop();
    }
  });

  it('answers a token it verified before from the verified-token cache while its key is in the set', async () => {
    const a = await makeKey();
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [a.jwk] } });
    const token = await a.sign(ISSUER);
    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(token);
    const verify = vi.spyOn(nodeSignatures, 'verify');
    await verifier.verifyAccessToken(token);
    expect(verify).not.toHaveBeenCalled();
  });

  it('accepts the JWKS document itself as the jwks option', async () => {
    const a = await makeKey();
    const document = keySet(a);
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: document as { keys: object[] } });
    await expect(verifier.verifyAccessToken(await a.sign(ISSUER))).resolves.toBeDefined();
  });

  it('skips keys the usability rules refuse, as in a fetched set', async () => {
    const [good, encryption] = [await makeKey(), await makeKey()];
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { keys: [good.jwk, { ...encryption.jwk, use: 'enc' }, { kty: 'RSA', kid: 'broken' }] },
    });
    await verifier.verifyAccessToken(await good.sign(ISSUER));
    await refusal(verifier.verifyAccessToken(await encryption.sign(ISSUER)), 'key_not_found');
    expect(verifier.health().issuers[0]?.kids).toEqual([good.kid]);
  });

  it('reports itself in health(): usable, its kids, no URL, never fetched, never stale', async () => {
    const a = await makeKey();
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [a.jwk] } });
    await verifier.warmUp();
    expect(verifier.health()).toEqual({
      ready: true,
      issuers: [
        {
          issuer: ISSUER,
          jwksUri: undefined,
          kids: [a.kid],
          fetchedAt: undefined,
          freshUntil: undefined,
          nextAttemptAt: undefined,
          stale: false,
          usable: true,
          lastError: undefined,
        },
      ],
    });
  });

  it('makes warmUp reject and health not ready when no given key is usable', async () => {
    const a = await makeKey();
    const verifier = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [{ ...a.jwk, use: 'enc' }] } });
    const error = await refusal(verifier.warmUp(), 'jwks_unavailable');
    expect(error.message).toMatch(/no usable key \(1 skipped\)/);
    expect(verifier.health()).toMatchObject({ ready: false, issuers: [{ usable: false, lastError: expect.stringMatching(/no usable key/) }] });
    await refusal(verifier.verifyAccessToken(await a.sign(ISSUER)), 'key_not_found');
  });

  it('gives static keys to the issuers a map names and fetches the others', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const served = await serveKeySet(keySet(b));
    const verifier = createVerifier({
      issuer: [ISSUER, served.issuer],
      audience: AUDIENCE,
      jwksUri: { [served.issuer]: served.jwksUri },
      jwks: { keys: { [ISSUER]: keySet(a) as { keys: object[] } } },
    });
    await verifier.verifyAccessToken(await a.sign(ISSUER));
    await verifier.verifyAccessToken(await b.sign(served.issuer));
    expect(served.fetches()).toBe(1);
    // The static set is the only one that issuer trusts.
    await refusal(verifier.verifyAccessToken(await b.sign(ISSUER)), 'key_not_found');
  });

  it('imports one static set given to two issuers once', async () => {
    const a = await makeKey();
    const imports = vi.spyOn(nodeSignatures, 'importKey');
    const set = keySet(a) as { keys: object[] };
    const verifier = createVerifier({ issuer: [ISSUER, 'auth.example.com'], audience: AUDIENCE, jwks: { keys: { [ISSUER]: set, 'auth.example.com': set } } });
    await verifier.verifyAccessToken(await a.sign('auth.example.com'));
    await verifier.verifyAccessToken(await a.sign(ISSUER));
    expect(imports).toHaveBeenCalledTimes(1);
    expect(verifier.health().issuers.map(({ issuer, usable }) => [issuer, usable])).toEqual([[ISSUER, true], ['auth.example.com', true]]);
  });
});

describe('preloaded keys (jwks.initial)', () => {
  it('verifies with the preloaded set without a request, then refreshes it once it is maxAge old', async () => {
    const a = await makeKey();
    const served = await serveKeySet(keySet(a));
    const events = recordEvents([CHANNELS.jwksFetch]);
    try {
      const verifier = createVerifier({ issuer: served.issuer, audience: AUDIENCE, jwksUri: served.jwksUri, jwks: { initial: keySet(a) as { keys: object[] }, maxAge: 600 } });
      await verifier.verifyAccessToken(await a.sign(served.issuer));
      expect(served.fetches()).toBe(0);
      expect(events.published).toEqual([]);
      expect(verifier.health().issuers[0]).toMatchObject({ usable: true, kids: [a.kid], fetchedAt: undefined, freshUntil: T0 / 1000 + 600, stale: false, jwksUri: served.jwksUri });
      at(601);
      await verifier.verifyAccessToken(await a.sign(served.issuer));
      await settle(verifier);
      expect(served.fetches()).toBe(1);
      expect(events.of<JwksFetchEvent>(CHANNELS.jwksFetch).map((event) => event.reason)).toEqual(['stale']);
      expect(verifier.health().issuers[0]).toMatchObject({ fetchedAt: T0 / 1000 + 601 });
    } finally {
      events.stop();
    }
  });

  it('fetches at once for a kid the preloaded set lacks: a key rotated since it was saved', async () => {
    const [old, rotated] = [await makeKey(), await makeKey()];
    const served = await serveKeySet(keySet(old, rotated));
    const verifier = createVerifier({ issuer: served.issuer, audience: AUDIENCE, jwksUri: served.jwksUri, jwks: { initial: keySet(old) as { keys: object[] } } });
    await verifier.verifyAccessToken(await rotated.sign(served.issuer));
    expect(served.fetches()).toBe(1);
  });

  it('is not used when none of its keys is usable: the first verification fetches', async () => {
    const a = await makeKey();
    const served = await serveKeySet(keySet(a));
    const verifier = createVerifier({ issuer: served.issuer, audience: AUDIENCE, jwksUri: served.jwksUri, jwks: { initial: { keys: [{ ...a.jwk, use: 'enc' }] } } });
    expect(verifier.health().ready).toBe(false);
    await verifier.verifyAccessToken(await a.sign(served.issuer));
    expect(served.fetches()).toBe(1);
  });

  it('keeps serving the preloaded set while the issuer is unreachable, within maxStale', async () => {
    const a = await makeKey();
    const served = await serveKeySet(keySet(a));
    served.respond = (_req, res) => void res.writeHead(503).end();
    const verifier = createVerifier({ issuer: served.issuer, audience: AUDIENCE, jwksUri: served.jwksUri, jwks: { initial: keySet(a) as { keys: object[] }, maxAge: 600, maxStale: 3600, cooldown: 0 } });
    at(1200);
    await verifier.verifyAccessToken(await a.sign(served.issuer));
    await settle(verifier);
    await verifier.verifyAccessToken(await a.sign(served.issuer));
    at(600 + 3600);
    await settle(verifier);
    await refusal(verifier.verifyAccessToken(await a.sign(served.issuer)), 'jwks_unavailable');
  });
});

describe('given key options', () => {
  const two = { issuer: [ISSUER, 'https://other.example.com'], audience: AUDIENCE };
  it.each<[string, Partial<VerifierOptions>, RegExp]>([
    ['a jwksUri for an issuer with static keys', { issuer: ISSUER, jwksUri: 'https://auth.example.com/keys', jwks: { keys: [{ kty: 'RSA' }] } }, /"jwksUri" is set for .* whose keys are given in jwks.keys/],
    ['a keys array with several issuers', { ...two, jwks: { keys: [{ kty: 'RSA' }] } }, /"jwks.keys" must be a map from issuer/],
    ['a keys map naming an unknown issuer', { issuer: ISSUER, jwks: { keys: { 'https://x.example.com': { keys: [] } } } }, /"jwks.keys" must be keyed by configured issuers/],
    ['a keys map whose value is not a JWK Set', { issuer: ISSUER, jwks: { keys: { [ISSUER]: [] as unknown as { keys: object[] } } } }, /"jwks.keys" must be a map whose values are JWK Sets/],
    ['an empty static set', { issuer: ISSUER, jwks: { keys: [] } }, /"jwks.keys" has no keys/],
    ['static and preloaded keys for one issuer', { issuer: ISSUER, jwks: { keys: [{ kty: 'RSA' }], initial: { keys: [] } } }, /"jwks.initial" is set for .* whose keys are static/],
    ['an initial that is not a JWK Set', { issuer: ISSUER, jwks: { initial: [] as unknown as { keys: object[] } } }, /"jwks.initial"/],
    ['keys as a string', { issuer: ISSUER, jwks: { keys: 'x' as unknown as object[] } }, /"jwks.keys"/],
  ])('throws TypeError at construction for %s', (_name, options, message) => {
    const all = { issuer: ISSUER, audience: AUDIENCE, ...options } as VerifierOptions;
    expect(() => createVerifier(all)).toThrow(TypeError);
    expect(() => createVerifier(all)).toThrow(message);
  });

  it('needs no jwksUri or discoverable issuer for an issuer with static keys', () => {
    expect(() => createVerifier({ issuer: 'accounts.example.com', audience: AUDIENCE, jwks: { keys: [{ kty: 'RSA' }] } })).not.toThrow();
  });
});

// One key source per key set, not per issuer: issuers whose configured jwksUri is the same URL
// (Google's `https://accounts.google.com` and `accounts.google.com`) share one source, so the set
// is fetched and imported once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, createVerifier, type JwksFetchEvent } from '../../src/index.js';
import { recordEvents } from '../events/support.js';
import { closeServers } from '../helpers/jwks-server.js';
import { refusal } from '../helpers/refusal.js';
import { AUDIENCE, keySet, makeKey, serveKeySet, useFakeClock } from './support.js';

const GOOGLE = ['https://accounts.google.com', 'accounts.google.com'];

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await closeServers();
});

describe('issuers with one jwksUri', () => {
  it('fetch their key set once, named after the first of them, and each reports it in health()', async () => {
    const a = await makeKey();
    const served = await serveKeySet(keySet(a));
    const events = recordEvents([CHANNELS.jwksFetch]);
    try {
      const verifier = createVerifier({
        issuer: GOOGLE,
        audience: AUDIENCE,
        jwksUri: { [GOOGLE[0] as string]: served.jwksUri, [GOOGLE[1] as string]: served.jwksUri },
      });
      await Promise.all(GOOGLE.map(async (issuer) => verifier.verifyAccessToken(await a.sign(issuer))));
      await verifier.verifyAccessToken(await a.sign(GOOGLE[1] as string));
      expect(served.fetches()).toBe(1);
      expect(events.of<JwksFetchEvent>(CHANNELS.jwksFetch).map((event) => event.issuer)).toEqual([GOOGLE[0]]);
      const { ready, issuers } = verifier.health();
      expect(ready).toBe(true);
      expect(issuers.map(({ issuer, jwksUri, kids }) => ({ issuer, jwksUri, kids }))).toEqual(
        GOOGLE.map((issuer) => ({ issuer, jwksUri: served.jwksUri, kids: [a.kid] })),
      );
    } finally {
      events.stop();
    }
  });

  it('warm up with one fetch', async () => {
    const served = await serveKeySet(keySet(await makeKey()));
    const verifier = createVerifier({ issuer: GOOGLE, audience: AUDIENCE, jwksUri: { [GOOGLE[0] as string]: served.jwksUri, [GOOGLE[1] as string]: served.jwksUri } });
    await verifier.warmUp();
    expect(served.fetches()).toBe(1);
  });

  it('still keep issuers with different URLs apart', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const [first, second] = [await serveKeySet(keySet(a)), await serveKeySet(keySet(b))];
    const verifier = createVerifier({ issuer: GOOGLE, audience: AUDIENCE, jwksUri: { [GOOGLE[0] as string]: first.jwksUri, [GOOGLE[1] as string]: second.jwksUri }, jwks: { cooldown: 0 } });
    await verifier.verifyAccessToken(await a.sign(GOOGLE[0] as string));
    await refusal(verifier.verifyAccessToken(await a.sign(GOOGLE[1] as string)), 'key_not_found');
    expect([first.fetches(), second.fetches()]).toEqual([1, 1]);
  });

  it('refuses different preloaded sets for issuers sharing a URL', () => {
    const jwksUri = 'https://www.googleapis.com/oauth2/v3/certs';
    expect(() =>
      createVerifier({
        issuer: GOOGLE,
        audience: AUDIENCE,
        jwksUri: { [GOOGLE[0] as string]: jwksUri, [GOOGLE[1] as string]: jwksUri },
        jwks: { initial: { [GOOGLE[0] as string]: { keys: [] }, [GOOGLE[1] as string]: { keys: [{ kty: 'RSA' }] } } },
      }),
    ).toThrow(/"jwks.initial" gives different key sets for issuers sharing the jwksUri/);
  });
});

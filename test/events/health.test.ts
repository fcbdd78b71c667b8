// verifier.health(): what each issuer's key source reports, at every stage of its life, and that
// reading it never fetches anything.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVerifier } from '../../src/index.js';
import { closeServers, sendJson } from '../helpers/jwks-server.js';
import { refusal } from '../helpers/refusal.js';
import { AUDIENCE, T0, at, keySet, makeKey, movingIssuer, serveKeySet, settle, useFakeClock, verifierFor } from '../jwks/support.js';

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await closeServers();
});

const seconds = (offset: number): number => T0 / 1000 + offset;

describe('verifier.health()', () => {
  it('reports an issuer never fetched: its configured URL and nothing else, not ready, without fetching', async () => {
    const keys = await serveKeySet(keySet(await makeKey()));
    const verifier = verifierFor(keys);

    for (let i = 0; i < 3; i++) verifier.health();

    expect(verifier.health()).toEqual({
      ready: false,
      issuers: [
        {
          issuer: keys.issuer,
          jwksUri: keys.jwksUri,
          kids: [],
          fetchedAt: undefined,
          freshUntil: undefined,
          nextAttemptAt: undefined,
          stale: false,
          usable: false,
          lastError: undefined,
        },
      ],
    });
    expect(keys.fetches()).toBe(0);
  });

  it('reports a fetched set: its kids, when it was fetched, until when it is fresh, when the next fetch may run', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const keys = await serveKeySet(keySet(a, b, a));
    const verifier = verifierFor(keys, { maxAge: 600, cooldown: 30 });

    await verifier.warmUp();

    expect(verifier.health()).toEqual({
      ready: true,
      issuers: [
        {
          issuer: keys.issuer,
          jwksUri: keys.jwksUri,
          kids: [a.kid, b.kid],
          fetchedAt: seconds(0),
          freshUntil: seconds(600),
          nextAttemptAt: seconds(30),
          stale: false,
          usable: true,
          lastError: undefined,
        },
      ],
    });
    at(31);
    expect(verifier.health().issuers[0]?.nextAttemptAt).toBeUndefined();
  });

  it('reports a stale set whose refresh fails: stale, still usable (ready), the error; unusable past maxStale', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxAge: 60, cooldown: 30, maxStale: 600 });
    await verifier.warmUp();
    keys.respond = (_req, res) => sendJson(res, 500, { error: 'down' });

    at(100);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);

    expect(verifier.health()).toMatchObject({
      ready: true,
      issuers: [{ kids: [key.kid], fetchedAt: seconds(0), freshUntil: seconds(60), nextAttemptAt: seconds(130), stale: true, usable: true, lastError: 'answered HTTP 500' }],
    });
    at(661);
    expect(verifier.health()).toMatchObject({ ready: false, issuers: [{ kids: [], stale: true, usable: false, lastError: 'answered HTTP 500' }] });
  });

  it("reports the issuer's Retry-After as the next attempt, and a first fetch that failed", async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 503, { error: 'busy' }, { 'retry-after': '120' });
    const verifier = verifierFor(keys, { cooldown: 30 });

    await refusal(verifier.warmUp(), 'jwks_unavailable');

    expect(verifier.health().issuers[0]).toMatchObject({ nextAttemptAt: seconds(120), fetchedAt: undefined, usable: false, lastError: 'answered HTTP 503' });
  });

  it('calls a set whose keys were all withdrawn not usable', async () => {
    const keys = await serveKeySet(keySet());
    const verifier = verifierFor(keys);

    await verifier.warmUp();

    expect(verifier.health()).toMatchObject({ ready: false, issuers: [{ kids: [], usable: false, fetchedAt: seconds(0), lastError: undefined }] });
  });

  it('names the discovered URL once discovery has found it, and follows a move', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const { server, issuer, state } = await movingIssuer(a, b);
    const verifier = verifierFor({ issuer }, { maxAge: 600, cooldown: 30 });
    expect(verifier.health().issuers[0]?.jwksUri).toBeUndefined();

    await verifier.warmUp();
    expect(verifier.health().issuers[0]).toMatchObject({ jwksUri: server.url('/keys-a'), kids: [a.kid] });

    state.location = '/keys-b';
    at(601);
    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier);
    expect(verifier.health().issuers[0]).toMatchObject({ jwksUri: server.url('/keys-b'), kids: [b.kid] });
  });

  it('is ready only when every issuer is, and lists the issuers in the configured order', async () => {
    const [up, down] = [await serveKeySet(keySet(await makeKey())), await serveKeySet(keySet(await makeKey()))];
    down.respond = (_req, res) => sendJson(res, 500, {});
    const verifier = createVerifier({
      issuer: [down.issuer, up.issuer],
      audience: AUDIENCE,
      jwksUri: { [up.issuer]: up.jwksUri, [down.issuer]: down.jwksUri },
    });

    await refusal(verifier.warmUp(), 'jwks_unavailable');

    const health = verifier.health();
    expect(health.ready).toBe(false);
    expect(health.issuers.map(({ issuer, usable }) => [issuer, usable])).toEqual([
      [down.issuer, false],
      [up.issuer, true],
    ]);
    down.respond = undefined;
    at(31);
    await verifier.warmUp();
    expect(verifier.health().ready).toBe(true);
  });
});

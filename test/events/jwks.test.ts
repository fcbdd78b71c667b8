// The key source's events against real loopback servers: tokenwarden:jwks:fetch for every fetch
// attempt, tokenwarden:jwks:skipped for a refetch the cooldown refused, tokenwarden:jwks:stale
// for cached keys served while the issuer cannot be reached.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS, type JwksFetchEvent, type JwksSkippedEvent, type JwksStaleEvent } from '../../src/index.js';
import { closeServers, sendJson } from '../helpers/jwks-server.js';
import { refusal } from '../helpers/refusal.js';
import { at, keySet, makeKey, movingIssuer, OIDC, serveKeySet, settle, useFakeClock, verifierFor } from '../jwks/support.js';
import { recordEvents, type Recorder } from './support.js';

let recorder: Recorder;
beforeEach(() => {
  useFakeClock();
  recorder = recordEvents([CHANNELS.jwksFetch, CHANNELS.jwksSkipped, CHANNELS.jwksStale]);
});
afterEach(async () => {
  recorder.stop();
  vi.useRealTimers();
  await closeServers();
});

const fetches = (issuer: string): JwksFetchEvent[] => recorder.of<JwksFetchEvent>(CHANNELS.jwksFetch).filter((event) => event.issuer === issuer);

describe('tokenwarden:jwks:fetch', () => {
  it('reports the first fetch: initial, the URL, the status, the usable keys, their kids as added, and the keys skipped', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key, { kty: 'oct', kid: 'symmetric', k: 'c2VjcmV0' }));
    const verifier = verifierFor(keys);

    await verifier.verifyAccessToken(await key.sign(keys.issuer));

    expect(fetches(keys.issuer)).toEqual([
      {
        issuer: keys.issuer,
        url: keys.jwksUri,
        reason: 'initial',
        status: 200,
        durationMs: expect.any(Number),
        keys: 1,
        added: [key.kid],
        removed: [],
        skipped: 1,
        metadata: 'none',
        moved: undefined,
        error: undefined,
      },
    ]);
    expect(fetches(keys.issuer)[0]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('counts a key without a kid in keys, and names only the kids', async () => {
    const [named, anonymous] = [await makeKey(), await makeKey()];
    const keys = await serveKeySet(keySet(named, { ...anonymous.jwk, kid: undefined }));
    const verifier = verifierFor(keys);

    await verifier.warmUp();

    expect(fetches(keys.issuer)[0]).toMatchObject({ keys: 2, added: [named.kid], removed: [], skipped: 0 });
    expect(verifier.health().issuers[0]).toMatchObject({ kids: [named.kid], usable: true });
  });

  it('reports a failure that is not even an Error (a fetch of your own rejecting with null) as an Error saying so', async () => {
    const verifier = verifierFor(
      { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks' },
      { fetch: () => Promise.reject(null) },
    );

    await refusal(verifier.warmUp(), 'jwks_unavailable');

    const [event] = fetches('https://auth.example.com');
    expect(event).toMatchObject({ status: undefined, error: expect.any(Error) });
    expect(event?.error?.message).toBe('null');
  });

  it('reports a rotation found by an unknown kid: the kid added and the kid removed', async () => {
    const [old, next] = [await makeKey(), await makeKey()];
    const keys = await serveKeySet(keySet(old));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await old.sign(keys.issuer));
    keys.document = keySet(next);
    at(31);

    await verifier.verifyAccessToken(await next.sign(keys.issuer));

    expect(fetches(keys.issuer)[1]).toMatchObject({ reason: 'unknown-kid', status: 200, keys: 1, added: [next.kid], removed: [old.kid], error: undefined });
  });

  it('lists a kid whose key material changed as both added and removed', async () => {
    const [first, replacement] = [await makeKey({ kid: 'main' }), await makeKey({ kid: 'main' })];
    const keys = await serveKeySet(keySet(first));
    const verifier = verifierFor(keys, { maxAge: 60, cooldown: 30 });
    await verifier.verifyAccessToken(await first.sign(keys.issuer));
    keys.document = keySet(replacement);
    at(61);

    await verifier.verifyAccessToken(await first.sign(keys.issuer)); // stale: refreshed in the background
    await settle(verifier);

    expect(fetches(keys.issuer)[1]).toMatchObject({ reason: 'stale', keys: 1, added: ['main'], removed: ['main'] });
    await expect(verifier.verifyAccessToken(await replacement.sign(keys.issuer))).resolves.toBeDefined();
  });

  it('reports a failed fetch with the status and the error, and the next attempt as a retry', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 500, { error: 'down' });
    const verifier = verifierFor(keys, { cooldown: 30 });
    const token = await key.sign(keys.issuer);

    await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    keys.respond = undefined;
    at(31);
    await verifier.verifyAccessToken(token);

    const [failed, retried] = fetches(keys.issuer);
    expect(failed).toMatchObject({ reason: 'initial', url: keys.jwksUri, status: 500, keys: undefined, added: undefined, removed: undefined, skipped: undefined });
    expect(failed?.error).toBeInstanceOf(Error);
    expect(failed?.error?.message).toMatch(/HTTP 500/);
    expect(retried).toMatchObject({ reason: 'retry', status: 200, keys: 1, added: [key.kid], error: undefined });
  });

  it('reports a body that is no key set with its 200 status, and a set of unusable keys with how many were skipped', async () => {
    const key = await makeKey();
    const keys = await serveKeySet('<!doctype html>');
    const verifier = verifierFor(keys, { cooldown: 0 });
    const token = await key.sign(keys.issuer);

    await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    keys.document = keySet({ kty: 'RSA', kid: 'tiny', n: 'AQAB', e: 'AQAB' });
    at(1);
    await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    const [html, unusable] = fetches(keys.issuer);
    expect(html).toMatchObject({ status: 200, skipped: undefined, error: expect.objectContaining({ message: expect.stringMatching(/not valid JSON/) }) });
    expect(unusable).toMatchObject({ reason: 'retry', status: 200, skipped: 1, keys: undefined, error: expect.any(Error) });
  });

  it('reports a fetch with no answer at all: no status, and the timeout as the error', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = () => undefined;
    const verifier = verifierFor(keys, { timeout: 0.2 });

    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');

    expect(fetches(keys.issuer)).toEqual([expect.objectContaining({ status: undefined, error: expect.objectContaining({ message: 'no complete answer within 0.2 s' }) })]);
    expect(fetches(keys.issuer)[0]?.durationMs).toBeGreaterThanOrEqual(190);
  });

  it('reports a refresh of a stale set as stale, whether a lookup or a cached token finds it stale', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxAge: 60, cooldown: 30 });
    const token = await key.sign(keys.issuer, { exp: Math.floor(Date.now() / 1000) + 3600 });
    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(token); // now remembered by the verified-token cache

    at(61);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    at(122);
    await verifier.verifyAccessToken(token); // a cache hit: holds() starts the refresh
    await settle(verifier);

    expect(fetches(keys.issuer).map((event) => event.reason)).toEqual(['initial', 'stale', 'stale']);
    expect(fetches(keys.issuer)[1]).toMatchObject({ added: [], removed: [], keys: 1 });
  });

  it('says whether the metadata was read, still fresh, or failed, and reports a move with where from and where to', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const { server, issuer, state } = await movingIssuer(a, b);
    const verifier = verifierFor({ issuer }, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await a.sign(issuer));
    at(31);
    await verifier.verifyAccessToken(await b.sign(issuer)).catch(() => undefined); // unknown kid, metadata fresh
    state.metadataStatus = 500;
    at(640); // the set fetched at 31 is stale
    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier); // stale refresh; the metadata cannot be read
    state.metadataStatus = 200;
    state.location = '/keys-b';
    at(1250);
    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier); // stale refresh; the metadata moved the key set

    expect(server.count(OIDC)).toBe(3);
    expect(fetches(issuer).map(({ reason, metadata, moved, url }) => ({ reason, metadata, moved, url }))).toEqual([
      { reason: 'initial', metadata: 'read', moved: undefined, url: server.url('/keys-a') },
      { reason: 'unknown-kid', metadata: 'fresh', moved: undefined, url: server.url('/keys-a') },
      { reason: 'stale', metadata: 'failed', moved: undefined, url: server.url('/keys-a') },
      { reason: 'stale', metadata: 'read', moved: { from: server.url('/keys-a'), to: server.url('/keys-b') }, url: server.url('/keys-b') },
    ]);
    expect(fetches(issuer)[3]).toMatchObject({ added: [b.kid], removed: [a.kid] });
  });

  it('reports a discovery that found nothing: no URL, metadata failed', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor({ issuer: keys.issuer });

    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');

    expect(fetches(keys.issuer)).toEqual([
      expect.objectContaining({ url: undefined, status: undefined, metadata: 'failed', error: expect.objectContaining({ message: expect.stringMatching(/^discovery failed/) }) }),
    ]);
  });
});

describe('tokenwarden:jwks:skipped', () => {
  it('reports each token whose kid the cooldown kept from a refetch: undecided (503) first, unknown (401) after a fetch', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    const stranger = await key.sign(keys.issuer, {}, { kid: 'made-up' });

    at(1);
    const undecided = await refusal(verifier.verifyAccessToken(stranger), 'jwks_unavailable');
    at(31);
    await refusal(verifier.verifyAccessToken(stranger), 'key_not_found'); // refetched: now decided
    at(32);
    await refusal(verifier.verifyAccessToken(stranger), 'key_not_found');

    expect(recorder.of<JwksSkippedEvent>(CHANNELS.jwksSkipped).filter((event) => event.issuer === keys.issuer)).toEqual([
      { issuer: keys.issuer, kid: 'made-up', alg: 'ES256', retryAfter: undecided.retryAfter, decided: false },
      { issuer: keys.issuer, kid: 'made-up', alg: 'ES256', retryAfter: 29, decided: true },
    ]);
    expect(keys.fetches()).toBe(2);
  });

  it('cuts the kid (untrusted input) to 128 characters, and leaves it unset for a token without one', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    const long = 'k'.repeat(5000);

    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer, {}, { kid: long })), 'jwks_unavailable');
    await verifier.verifyAccessToken(await key.sign(keys.issuer, {}, { kid: undefined })).catch(() => undefined);

    const skipped = recorder.of<JwksSkippedEvent>(CHANNELS.jwksSkipped);
    expect(skipped[0]?.kid).toBe(long.slice(0, 128));
    expect(JSON.stringify(skipped)).not.toContain(long.slice(0, 129));
  });

  it('is not published for a kid that triggers a refetch', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    at(31);

    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer, {}, { kid: 'made-up' })), 'key_not_found');

    expect(recorder.of(CHANNELS.jwksSkipped)).toEqual([]);
    expect(fetches(keys.issuer).map((event) => event.reason)).toEqual(['initial', 'unknown-kid']);
  });
});

describe('tokenwarden:jwks:stale', () => {
  it('reports cached keys served past their freshness while the refresh fails: how long stale, how long still usable, why', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxAge: 60, cooldown: 30, maxStale: 3600 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    keys.respond = (_req, res) => sendJson(res, 503, { error: 'maintenance' });

    at(160);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);

    expect(recorder.of<JwksStaleEvent>(CHANNELS.jwksStale)).toEqual([
      { issuer: keys.issuer, staleSeconds: 100, usableSeconds: 3500, error: expect.objectContaining({ message: expect.stringMatching(/HTTP 503/) }) },
    ]);
    expect(fetches(keys.issuer)[1]).toMatchObject({ reason: 'stale', status: 503 });
  });

  it('is not published when a refresh of a fresh set fails, nor once the keys are past maxStale', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxAge: 60, cooldown: 30, maxStale: 60 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    keys.respond = (_req, res) => sendJson(res, 500, { error: 'down' });

    at(31);
    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer, {}, { kid: 'new' })), 'jwks_unavailable');
    at(200);
    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');

    expect(recorder.of(CHANNELS.jwksStale)).toEqual([]);
    expect(fetches(keys.issuer).map((event) => event.reason)).toEqual(['initial', 'unknown-kid', 'retry']);
  });
});

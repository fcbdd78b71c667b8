import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JwksOptions } from '../../src/jwks/options.js';
import type { Verifier } from '../../src/verifier.js';
import { closeServers, sendJson, waitFor } from '../helpers/jwks-server.js';
import {
  T0,
  at,
  keySet,
  makeKey,
  serveKeySet,
  settle,
  since,
  useFakeClock,
  verifierFor,
  type KeySetServer,
  type TestKey,
} from './support.js';

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await closeServers();
});

interface Scenario {
  readonly key: TestKey;
  readonly keys: KeySetServer;
  readonly verifier: Verifier;
  /**
   * Moves the clock to `seconds` after the first fetch, verifies a token with a cached kid
   * (which must pass whatever the set's age), waits for any refresh that started, and
   * returns how many key-set requests the server has seen.
   */
  fetchesAfterVerifyingAt(seconds: number): Promise<number>;
}

async function scenario(headers: Record<string, string>, jwks: JwksOptions = {}): Promise<Scenario> {
  const key = await makeKey();
  const keys = await serveKeySet(keySet(key), headers);
  const verifier = verifierFor(keys, jwks);
  await verifier.verifyAccessToken(await key.sign(keys.issuer));
  expect(keys.fetches()).toBe(1);
  return {
    key,
    keys,
    verifier,
    async fetchesAfterVerifyingAt(seconds) {
      at(seconds);
      const claims = await verifier.verifyAccessToken(await key.sign(keys.issuer, { sub: `at-${seconds}` }));
      expect(claims.sub).toBe(`at-${seconds}`);
      await settle(verifier);
      return keys.fetches();
    },
  };
}

describe('freshness', () => {
  it('keeps a set without caching headers fresh for maxAge (default 600 s)', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({});

    expect(await fetchesAfterVerifyingAt(599)).toBe(1);
    expect(await fetchesAfterVerifyingAt(601)).toBe(2);
  });

  it('honours a configured maxAge', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({}, { maxAge: 90 });

    expect(await fetchesAfterVerifyingAt(89)).toBe(1);
    expect(await fetchesAfterVerifyingAt(91)).toBe(2);
  });

  it('uses Cache-Control max-age instead of maxAge', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({ 'cache-control': 'public, max-age=120' });

    expect(await fetchesAfterVerifyingAt(119)).toBe(1);
    expect(await fetchesAfterVerifyingAt(121)).toBe(2);
  });

  it.each(['no-cache', 'no-store', 'max-age=0', 'max-age=600, no-cache'])(
    'keeps a set served with Cache-Control "%s" fresh for the cooldown only',
    async (cacheControl) => {
      const { fetchesAfterVerifyingAt } = await scenario({ 'cache-control': cacheControl }, { cooldown: 45 });

      expect(await fetchesAfterVerifyingAt(44)).toBe(1);
      expect(await fetchesAfterVerifyingAt(46)).toBe(2);
    },
  );

  it('never counts a set fresh for less than the cooldown', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({ 'cache-control': 'max-age=5' }, { cooldown: 60 });

    expect(await fetchesAfterVerifyingAt(30)).toBe(1);
    expect(await fetchesAfterVerifyingAt(59)).toBe(1);
    expect(await fetchesAfterVerifyingAt(61)).toBe(2);
  });

  it('subtracts Age from max-age', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({ 'cache-control': 'max-age=300', age: '200' }, { cooldown: 5 });

    expect(await fetchesAfterVerifyingAt(99)).toBe(1);
    expect(await fetchesAfterVerifyingAt(101)).toBe(2);
  });

  it('measures Expires against the response Date, not the local clock', async () => {
    // The server's clock is 1000 s behind ours; the set is fresh for 200 s of its time.
    const date = T0 - 1_000_000;
    const { fetchesAfterVerifyingAt } = await scenario({
      date: new Date(date).toUTCString(),
      expires: new Date(date + 200_000).toUTCString(),
    });

    expect(await fetchesAfterVerifyingAt(199)).toBe(1);
    expect(await fetchesAfterVerifyingAt(201)).toBe(2);
  });

  it('measures Expires against the local clock when the response has no Date', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req: IncomingMessage, res: ServerResponse) => {
      res.sendDate = false;
      sendJson(res, 200, keys.document, { expires: new Date(T0 + 200_000).toUTCString() });
    };
    const verifier = verifierFor(keys);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));

    at(199);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(1);
    at(201);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(2);
    expect(keys.server.requests.every((req) => req.path === '/jwks.json')).toBe(true);
  });

  it('treats an invalid Expires as already expired (fresh for the cooldown only)', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({ expires: '0' }, { cooldown: 30 });

    expect(await fetchesAfterVerifyingAt(29)).toBe(1);
    expect(await fetchesAfterVerifyingAt(31)).toBe(2);
  });

  it('prefers Cache-Control max-age over Expires', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({
      'cache-control': 'max-age=100',
      expires: new Date(T0 + 5_000_000).toUTCString(),
    });

    expect(await fetchesAfterVerifyingAt(99)).toBe(1);
    expect(await fetchesAfterVerifyingAt(101)).toBe(2);
  });

  it('caps the freshness a header can ask for at one day', async () => {
    const { fetchesAfterVerifyingAt } = await scenario({ 'cache-control': 'max-age=31536000' });

    expect(await fetchesAfterVerifyingAt(86_399)).toBe(1);
    expect(await fetchesAfterVerifyingAt(86_401)).toBe(2);
  });
});

describe('stale set', () => {
  it('verifies at once with a stale set while exactly one background refresh runs', async () => {
    const { key, keys, verifier } = await scenario({});
    let release: (() => void) | undefined;
    keys.respond = (_req, res) => {
      // Hold the refresh open until the test has seen the verifications finish.
      release = () => sendJson(res, 200, keys.document);
    };
    at(700);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => key.sign(keys.issuer)));

    const start = performance.now();
    const claims = await Promise.all(tokens.map((token) => verifier.verifyAccessToken(token)));
    const elapsed = since(start);
    await waitFor(() => release !== undefined, 'the background refresh to reach the server');

    expect(claims).toHaveLength(20);
    expect(elapsed).toBeLessThan(1000);
    expect(keys.fetches()).toBe(2);
    release?.();
    await settle(verifier);
    expect(keys.fetches()).toBe(2);
  });

  it('uses the keys of the background refresh once it lands', async () => {
    const { key, keys, verifier } = await scenario({});
    const next = await makeKey();
    keys.document = keySet(key, next);
    at(601);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);

    // Within the cooldown of that refresh: the new kid must already be known, with no fetch.
    at(610);
    const claims = await verifier.verifyAccessToken(await next.sign(keys.issuer, { sub: 'new-key' }));

    expect(claims.sub).toBe('new-key');
    expect(keys.fetches()).toBe(2);
  });

  it('starts no second background refresh while one is in flight', async () => {
    const { key, keys, verifier } = await scenario({}, { timeout: 2 });
    let release: (() => void) | undefined;
    keys.respond = (_req, res) => {
      release = () => sendJson(res, 200, keys.document);
    };
    at(601);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await waitFor(() => release !== undefined, 'the background refresh to reach the server');

    // Past the cooldown of the first attempt while it still runs: it is joined, not repeated.
    at(640);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    release?.();
    await settle(verifier);

    expect(keys.fetches()).toBe(2);
  });
});

import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeServers, sendJson, startServer, waitFor } from '../helpers/jwks-server.js';
import { T0, at, causeOf, keySet, makeKey, serveKeySet, settle, since, useFakeClock, verifierFor, type KeySetServer } from './support.js';
import { refusal } from '../helpers/refusal.js';

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await closeServers();
});

const hang = (): void => undefined;

interface Failure {
  readonly name: string;
  /** Makes the key-set server fail that way. */
  readonly apply: (keys: KeySetServer) => Promise<void>;
  /** False when the failure stops requests from reaching the server at all. */
  readonly reachesServer: boolean;
  readonly cause: RegExp;
}

const failures: Failure[] = [
  {
    name: 'a refused connection',
    apply: (keys) => keys.server.close(),
    reachesServer: false,
    cause: /ECONNREFUSED/,
  },
  {
    name: 'a reset connection',
    apply: async (keys) => {
      keys.respond = (req: IncomingMessage) => void req.socket.destroy();
    },
    reachesServer: true,
    cause: /closed|reset|socket/i,
  },
  {
    name: 'a timeout',
    apply: async (keys) => {
      keys.respond = hang;
    },
    reachesServer: true,
    cause: /no complete answer within 0\.3 s/,
  },
  ...[500, 404, 403].map<Failure>((status) => ({
    name: `HTTP ${status}`,
    apply: async (keys) => {
      keys.respond = (_req, res) => sendJson(res, status, { error: 'nope' });
    },
    reachesServer: true,
    cause: new RegExp(`HTTP ${status}`),
  })),
  ...(
    [
      ['invalid JSON', '{"keys": [', /not valid JSON/],
      ['an HTML page', '<!doctype html><title>Maintenance</title>', /not valid JSON/],
      ['a body without a keys array', '{"issuer": "x"}', /no "keys" array/],
      ['{"keys": {}}', '{"keys": {}}', /no "keys" array/],
    ] as const
  ).map<Failure>(([name, body, cause]) => ({
    name,
    apply: async (keys) => {
      keys.respond = (_req, res) => sendJson(res, 200, body);
    },
    reachesServer: true,
    cause,
  })),
];

describe('stale-if-error', () => {
  it.each(failures)(
    'keeps using cached keys until maxStale past staleness when refreshes meet $name, then answers jwks_unavailable',
    async ({ apply, reachesServer, cause }) => {
      const key = await makeKey();
      const keys = await serveKeySet(keySet(key));
      const verifier = verifierFor(keys, { maxAge: 600, maxStale: 3600, cooldown: 30, timeout: 0.3 });
      await verifier.verifyAccessToken(await key.sign(keys.issuer));
      await apply(keys);

      // Stale: verified from the cache at once; the refresh that fails runs in the background.
      at(601);
      const stale = await key.sign(keys.issuer);
      const start = performance.now();
      await verifier.verifyAccessToken(stale);
      expect(since(start)).toBeLessThan(250);
      await settle(verifier);
      expect(keys.fetches()).toBe(reachesServer ? 2 : 1);

      // Just inside maxStale past staleness: still served, with one more background attempt.
      at(600 + 3599);
      await verifier.verifyAccessToken(await key.sign(keys.issuer));
      await settle(verifier);
      expect(keys.fetches()).toBe(reachesServer ? 3 : 1);

      // Past it the cached keys are dropped. Within the cooldown of the last attempt there
      // is no new request, and nothing usable: jwks_unavailable, saying why.
      at(600 + 3601);
      const error = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
      expect(error.status).toBe(503);
      expect(causeOf(error)).toMatch(cause);
      expect(keys.fetches()).toBe(reachesServer ? 3 : 1);

      // After the cooldown the next token tries again, and fails the same way.
      at(600 + 3630);
      const again = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
      expect(causeOf(again)).toMatch(cause);
      expect(keys.fetches()).toBe(reachesServer ? 4 : 1);
    },
  );

  it('recovers with the next successful refresh after a failed one', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxStale: 3600 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    keys.respond = (_req, res) => sendJson(res, 502, {});
    at(601);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    keys.respond = undefined;

    at(632);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    // Fresh again for maxAge from the successful refresh, so far past the old maxStale.
    at(632 + 599 + 3600);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);

    expect(keys.fetches()).toBe(4);
  });
});

describe('a refresh with no usable key', () => {
  it('keeps the cached keys when every published key is unusable, saying why', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));

    // The issuer now publishes only a key we cannot use (an encryption key).
    keys.document = keySet({ ...key.jwk, kid: 'enc-only', use: 'enc' });
    at(601);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(2);

    at(640);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    const unknown = await key.sign(keys.issuer, {}, { kid: 'rotated-away' });
    const error = await refusal(verifier.verifyAccessToken(unknown), 'jwks_unavailable');
    expect(causeOf(error)).toMatch(/no usable key \(1 skipped\)/);
  });

  it('accepts an empty key set as the issuer withdrawing every key', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));

    keys.document = { keys: [] };
    at(601);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);

    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'key_not_found');
    expect(keys.fetches()).toBe(2);
  });
});

describe('a key set never fetched', () => {
  it('answers jwks_unavailable within the timeout when the server hangs', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = hang;
    const verifier = verifierFor(keys, { timeout: 0.3 });
    const token = await key.sign(keys.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    const elapsed = since(start);

    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(300 + 1200);
    expect(causeOf(error)).toMatch(/within 0\.3 s/);
    expect(keys.fetches()).toBe(1);
    // The abandoned request's connection is closed, not left to pile up.
    await waitFor(() => keys.server.openSockets === 0, 'the client to close the aborted connection');
  });

  it('bounds discovery and the key-set fetch together by one timeout', async () => {
    const key = await makeKey();
    const slow = (send: (res: ServerResponse) => void) => (_req: IncomingMessage, res: ServerResponse) => {
      setTimeout(() => send(res), 200);
    };
    const server = await startServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        return slow((r) => sendJson(r, 200, { issuer: server.origin, jwks_uri: server.url('/jwks.json') }))(req, res);
      }
      return slow((r) => sendJson(r, 200, keySet(key)))(req, res);
    });
    const verifier = verifierFor({ issuer: server.origin }, { timeout: 0.3 });
    const token = await key.sign(server.origin);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    const elapsed = since(start);

    // Each answer alone fits in the timeout; both together do not.
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(300 + 1200);
    expect(causeOf(error)).toMatch(/within 0\.3 s/);
    expect(server.count('/.well-known/openid-configuration')).toBe(1);
    expect(server.count('/jwks.json')).toBe(1);
  });

  it('does not ask again within the cooldown after a failed first fetch, then does', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 500, {});
    const verifier = verifierFor(keys, { cooldown: 30 });
    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');

    for (let second = 1; second < 30; second += 4) {
      at(second);
      await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
      await refusal(verifier.warmUp(), 'jwks_unavailable');
    }
    expect(keys.fetches()).toBe(1);

    keys.respond = undefined;
    at(31);
    const claims = await verifier.verifyAccessToken(await key.sign(keys.issuer, { sub: 'recovered' }));
    expect(claims.sub).toBe('recovered');
    expect(keys.fetches()).toBe(2);
  });
});

describe('Retry-After', () => {
  it.each([
    ['429', 429, () => '120'],
    ['503', 503, () => '120'],
    ['503 with an HTTP date', 503, () => new Date(T0 + 120_000).toUTCString()],
  ])('waits for Retry-After on a %s before the next attempt', async (_name, status, retryAfter) => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, status, {}, { 'retry-after': retryAfter() });
    const verifier = verifierFor(keys, { cooldown: 30 });

    const first = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    expect(causeOf(first)).toMatch(new RegExp(`HTTP ${status}`));
    expect(first.retryAfter).toBe(120);
    keys.respond = undefined;

    // Past the cooldown but not past Retry-After: no request, and the refusal says how long.
    at(119);
    const later = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    expect(later.retryAfter).toBe(1);
    expect(keys.fetches()).toBe(1);
    at(121);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    expect(keys.fetches()).toBe(2);
  });

  it('says to come back in at least a second when no cooldown is configured', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 503, {});
    const verifier = verifierFor(keys, { cooldown: 0 });
    const refused = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    expect(refused.retryAfter).toBe(1);
  });

  it('caps Retry-After at 300 s', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 429, {}, { 'retry-after': '100000' });
    const verifier = verifierFor(keys);
    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    keys.respond = undefined;

    at(299);
    await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    expect(keys.fetches()).toBe(1);
    at(301);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    expect(keys.fetches()).toBe(2);
  });

  it('never retries sooner than the cooldown when Retry-After is shorter', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => sendJson(res, 503, {}, { 'retry-after': '1' });
    const verifier = verifierFor(keys, { cooldown: 30 });
    const first = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    expect(first.retryAfter).toBe(30);
    keys.respond = undefined;

    at(2);
    const later = await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    expect(later.retryAfter).toBe(28);
    expect(keys.fetches()).toBe(1);
    at(31);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    expect(keys.fetches()).toBe(2);
  });

  it('delays the background refresh of a stale set by Retry-After while the cached keys keep serving', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const verifier = verifierFor(keys, { cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    keys.respond = (_req, res) => sendJson(res, 429, {}, { 'retry-after': '200' });
    at(601);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(2);
    keys.respond = undefined;

    at(601 + 100);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(2);
    at(601 + 201);
    await verifier.verifyAccessToken(await key.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(3);
  });
});

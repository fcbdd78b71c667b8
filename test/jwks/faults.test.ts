// Fault injection against real loopback servers (the default undici transport): each test
// asserts the error code, how many requests the server saw, and how long the answer took.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import {
  closeServers,
  refusedPort,
  sendJson,
  startServer,
  streamBody,
  waitFor,
  type StreamRecord,
} from '../helpers/jwks-server.js';
import { AUDIENCE, at, causeOf, keySet, makeKey, serveKeySet, settle, since, useFakeClock, verifierFor } from './support.js';
import { refusal } from '../helpers/refusal.js';

const issuers: TestIssuer[] = [];

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
  await closeServers();
});

function newRecord(): StreamRecord {
  return { bytesWritten: 0, clientClosedEarly: false, done: false };
}

describe('transport faults on a cold verifier', () => {
  it('bounds a slow drip (one byte per 100 ms) by the timeout', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const record = newRecord();
    keys.respond = async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      await streamBody(req, res, record, { total: 2000, chunk: 1, delayMs: 100, fill: ' ' });
    };
    const verifier = verifierFor(keys, { timeout: 0.5 });
    const token = await key.sign(keys.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    const elapsed = since(start);

    expect(elapsed).toBeGreaterThanOrEqual(480);
    expect(elapsed).toBeLessThan(500 + 1500);
    expect(causeOf(error)).toMatch(/within 0\.5 s/);
    expect(keys.fetches()).toBe(1);
    await waitFor(() => record.clientClosedEarly, 'the server to see the client give up');
    expect(record.bytesWritten).toBeLessThan(2000);
  });

  it('answers jwks_unavailable at once for a reset connection', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (req) => void req.socket.destroy();
    const verifier = verifierFor(keys, { timeout: 5 });
    const token = await key.sign(keys.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    expect(since(start)).toBeLessThan(2000);
    expect(causeOf(error)).not.toMatch(/within/);
    expect(keys.fetches()).toBe(1);
  });

  it('answers jwks_unavailable at once for a refused connection', async () => {
    const key = await makeKey();
    const port = await refusedPort();
    const issuer = `http://127.0.0.1:${port}`;
    const verifier = verifierFor({ issuer, jwksUri: `${issuer}/jwks.json` }, { timeout: 5 });
    const token = await key.sign(issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    expect(since(start)).toBeLessThan(2000);
    expect(causeOf(error)).toMatch(/ECONNREFUSED/);
  });

  it('does not follow a 301 to another host', async () => {
    const key = await makeKey();
    const target = await serveKeySet(keySet(key));
    const redirecting = await startServer((_req, res) => {
      res.writeHead(301, { location: target.jwksUri });
      res.end();
    });
    const verifier = verifierFor({ issuer: target.issuer, jwksUri: redirecting.url('/jwks.json') }, { timeout: 5 });
    const token = await key.sign(target.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    expect(since(start)).toBeLessThan(2000);
    expect(causeOf(error)).toMatch(/301 \(redirects are not followed\)/);
    expect(redirecting.count()).toBe(1);
    expect(target.server.count()).toBe(0);
  });

  it.each([
    ['an HTML page', 'text/html', '<!doctype html><html><body>Sign in</body></html>', /not valid JSON/],
    ['an empty body', 'application/json', '', /not valid JSON/],
    ['{"keys": {}}', 'application/json', '{"keys": {}}', /no "keys" array/],
    ['{"keys": null}', 'application/json', '{"keys": null}', /no "keys" array/],
    ['a JSON array of keys', 'application/json', '[]', /not a JSON object/],
    ['invalid UTF-8', 'application/json', Buffer.from([0x7b, 0xff, 0x7d]), /not valid JSON/],
  ])('answers jwks_unavailable for %s', async (_name, contentType, body, cause) => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    };
    const verifier = verifierFor(keys, { timeout: 5 });
    const token = await key.sign(keys.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    expect(since(start)).toBeLessThan(2000);
    expect(causeOf(error)).toMatch(cause);
    expect(keys.fetches()).toBe(1);
  });

  it('raises no uncaught error when it drops the unread body of a non-2xx answer', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    // A short body arrives whole with the headers; dropping it unread is what used to throw.
    keys.respond = (_req, res) => sendJson(res, 503, { error: 'down' });
    const uncaught: unknown[] = [];
    const listener = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', listener);
    try {
      const verifier = verifierFor(keys);
      await refusal(verifier.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
      // undici reports a destroyed body on a later turn of the event loop.
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', listener);
    }

    expect(uncaught).toEqual([]);
    expect(keys.fetches()).toBe(1);
  });
});

describe('maxBytes', () => {
  it('aborts a 20 MB body early instead of reading it whole', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    const record = newRecord();
    const total = 20 * 1024 * 1024;
    keys.respond = async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      await streamBody(req, res, record, { total, chunk: 64 * 1024 });
    };
    const verifier = verifierFor(keys, { timeout: 10 });
    const token = await key.sign(keys.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    expect(since(start)).toBeLessThan(3000);
    expect(causeOf(error)).toMatch(/larger than 524288 bytes/);
    expect(keys.fetches()).toBe(1);
    await waitFor(() => record.clientClosedEarly, 'the server to see the client close the connection');
    expect(record.done).toBe(false);
    expect(record.bytesWritten).toBeLessThan(total);
  });

  it('refuses a declared Content-Length over maxBytes without reading the body', async () => {
    const key = await makeKey();
    const keys = await serveKeySet(keySet(key));
    keys.respond = (_req, res) => {
      // Headers only: a client that waited for the body would sit until the timeout.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) });
      res.flushHeaders();
    };
    const verifier = verifierFor(keys, { timeout: 5 });
    const token = await key.sign(keys.issuer);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

    expect(since(start)).toBeLessThan(2000);
    expect(causeOf(error)).toMatch(/larger than 524288 bytes/);
    expect(keys.fetches()).toBe(1);
    await waitFor(() => keys.server.openSockets === 0, 'the client to close the connection');
  });

  it('applies a configured maxBytes to a valid key set', async () => {
    const key = await makeKey();
    // Padding keeps the JSON valid while growing it past 1 KiB.
    const document = { ...keySet(key), padding: 'p'.repeat(1500) };
    const keys = await serveKeySet(document);

    const small = verifierFor(keys, { maxBytes: 1024 });
    const error = await refusal(small.verifyAccessToken(await key.sign(keys.issuer)), 'jwks_unavailable');
    const large = verifierFor(keys, { maxBytes: 4096 });
    const claims = await large.verifyAccessToken(await key.sign(keys.issuer, { sub: 'fits' }));

    expect(causeOf(error)).toMatch(/larger than 1024 bytes/);
    expect(claims.sub).toBe('fits');
    expect(keys.fetches()).toBe(2);
  });
});

describe('key set contents over time', () => {
  it('tries every key that shares a kid, and refuses a signature none of them made', async () => {
    const kid = 'shared-kid';
    const decoy = await makeKey({ kid });
    const real = await makeKey({ kid });
    const forger = await makeKey({ kid });
    const keys = await serveKeySet(keySet(decoy, real));
    const verifier = verifierFor(keys);

    const claims = await verifier.verifyAccessToken(await real.sign(keys.issuer, { sub: 'second-of-two' }));
    const error = await refusal(verifier.verifyAccessToken(await forger.sign(keys.issuer)), 'signature_invalid');

    expect(claims.sub).toBe('second-of-two');
    expect(error.status).toBe(401);
    expect(keys.fetches()).toBe(1);
  });

  it('follows a key set that loses a key and later regains it', async () => {
    const stays = await makeKey();
    const comesAndGoes = await makeKey();
    const keys = await serveKeySet(keySet(stays, comesAndGoes));
    const verifier = verifierFor(keys, { cooldown: 30, maxAge: 60 });
    await verifier.verifyAccessToken(await comesAndGoes.sign(keys.issuer));

    // The key is withdrawn; the next (stale-triggered) refresh sees it gone.
    keys.document = keySet(stays);
    at(61);
    await verifier.verifyAccessToken(await stays.sign(keys.issuer));
    await settle(verifier);
    expect(keys.fetches()).toBe(2);
    at(70);
    await refusal(verifier.verifyAccessToken(await comesAndGoes.sign(keys.issuer)), 'key_not_found');
    expect(keys.fetches()).toBe(2);
    at(92);
    await refusal(verifier.verifyAccessToken(await comesAndGoes.sign(keys.issuer)), 'key_not_found');
    expect(keys.fetches()).toBe(3);

    // It comes back: picked up by the first token after the cooldown.
    keys.document = keySet(stays, comesAndGoes);
    at(100);
    await refusal(verifier.verifyAccessToken(await comesAndGoes.sign(keys.issuer)), 'key_not_found');
    expect(keys.fetches()).toBe(3);
    at(123);
    const claims = await verifier.verifyAccessToken(await comesAndGoes.sign(keys.issuer, { sub: 'back' }));
    expect(claims.sub).toBe('back');
    expect(keys.fetches()).toBe(4);
    await verifier.verifyAccessToken(await stays.sign(keys.issuer));
  });

  it('picks up a real rotation within one cooldown under a flood of unknown kids, never telling the valid token it is invalid', async () => {
    const issuer = await createTestIssuer({ algorithm: 'ES256', audience: AUDIENCE });
    issuers.push(issuer);
    const verifier = verifierFor({ issuer: issuer.issuer, jwksUri: issuer.jwksUri }, { cooldown: 30 });
    await verifier.verifyAccessToken(await issuer.sign());
    const bogus = (count: number): Promise<string[]> =>
      Promise.all(Array.from({ length: count }, () => issuer.sign({}, { header: { kid: randomUUID() } })));
    const codes = async (tokens: string[]): Promise<string[]> =>
      (await Promise.allSettled(tokens.map((token) => verifier.verifyAccessToken(token)))).map((outcome) =>
        outcome.status === 'fulfilled' ? 'ok' : (outcome.reason as { code: string }).code,
      );

    at(40);
    expect(new Set(await codes(await bogus(200)))).toEqual(new Set(['key_not_found', 'jwks_unavailable']));
    expect(issuer.requests.jwks).toBe(2);

    at(45);
    await issuer.rotate();
    at(50);
    const during = await codes([...(await bogus(100)), await issuer.sign()]);
    // Not fetched since the new kid was first seen: "cannot tell yet", for it and the garbage alike.
    expect(new Set(during)).toEqual(new Set(['jwks_unavailable']));
    expect(issuer.requests.jwks).toBe(2);

    // One cooldown after the last fetch (and less than one after the rotation).
    at(70.5);
    const mixed = [...(await bogus(100)), await issuer.sign(), ...(await bogus(100))];
    const start = performance.now();
    const after = await codes(mixed);
    expect(since(start)).toBeLessThan(3000);
    expect(after.filter((code) => code === 'ok')).toHaveLength(1);
    expect(after[100]).toBe('ok');
    expect(after.filter((code) => code === 'key_not_found' || code === 'jwks_unavailable')).toHaveLength(200);
    expect(issuer.requests.jwks).toBe(3);

    at(80);
    await codes(await bogus(100));
    expect(issuer.requests.jwks).toBe(3);
  });
});

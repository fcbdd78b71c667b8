// Fault injection against a real loopback endpoint (the default undici transport), as for the key
// source: each test asserts the code, how many requests the endpoint saw, and how long it took.
import { channel } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../src/events/channels.js';
import type { IntrospectionLimitedEvent, IntrospectionRequestEvent } from '../../src/events/introspection.js';
import { closeServers, refusedPort, sendJson, startServer, streamBody, waitFor, type StreamRecord } from '../helpers/jwks-server.js';
import { refusal } from '../helpers/refusal.js';
import { CLIENT_SECRET, activeClaims, causeOf, opaqueToken, serveIntrospection, since, useFakeClock, verifierFor } from './support.js';

afterEach(async () => {
  vi.useRealTimers();
  await closeServers();
});

const newRecord = (): StreamRecord => ({ bytesWritten: 0, clientClosedEarly: false, done: false });

/** Collects what is published on `name` while `run` runs. */
async function listen<T>(name: string, run: () => Promise<void>): Promise<T[]> {
  const events: T[] = [];
  const onMessage = (message: unknown): void => void events.push(message as T);
  channel(name).subscribe(onMessage);
  try {
    await run();
  } finally {
    channel(name).unsubscribe(onMessage);
  }
  return events;
}

describe('an endpoint that fails', () => {
  it('bounds a hanging endpoint by the timeout, with introspection_unavailable and Retry-After', async () => {
    const target = await serveIntrospection();
    target.respond = () => undefined;
    const verifier = verifierFor(target, { timeout: 0.3 });

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');

    expect(since(start)).toBeGreaterThanOrEqual(280);
    expect(since(start)).toBeLessThan(300 + 1500);
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe(1);
    expect(causeOf(error)).toMatch(/within 0\.3 s/);
    expect(target.requests()).toBe(1);
  });

  it('bounds a slow drip (one byte per 100 ms) by the timeout and drops the connection', async () => {
    const target = await serveIntrospection();
    const record = newRecord();
    target.respond = async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      await streamBody(req, res, record, { total: 2000, chunk: 1, delayMs: 100 });
    };
    const verifier = verifierFor(target, { timeout: 0.5 });

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');

    expect(since(start)).toBeGreaterThanOrEqual(480);
    expect(since(start)).toBeLessThan(500 + 1500);
    expect(causeOf(error)).toMatch(/within 0\.5 s/);
    await waitFor(() => record.clientClosedEarly, 'the server to see the client give up');
    expect(record.bytesWritten).toBeLessThan(2000);
  });

  it('answers a 500 with introspection_unavailable, passing on the issuer\'s Retry-After', async () => {
    const target = await serveIntrospection();
    target.respond = (_req, res) => sendJson(res, 500, { error: 'server_error' }, { 'retry-after': '7' });
    const verifier = verifierFor(target);

    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');

    expect(error.retryAfter).toBe(7);
    expect(causeOf(error)).toMatch(/HTTP 500/);
  });

  it('says a 401 is our client credentials being refused, a configuration error, without the secret', async () => {
    const target = await serveIntrospection();
    target.respond = (_req, res) => sendJson(res, 401, { error: 'invalid_client' });
    const verifier = verifierFor(target);

    const events = await listen<IntrospectionRequestEvent>(CHANNELS.introspectionRequest, async () => {
      const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');
      expect(error.message).toMatch(/refused this verifier's client credentials \(HTTP 401\).*introspection\.clientId/);
      expect(`${error.message} ${causeOf(error)} ${error.stack}`).not.toContain(CLIENT_SECRET);
    });

    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ issuer: target.issuer, endpoint: target.endpoint, status: 401, active: undefined });
    expect(events[0]?.error?.message).toMatch(/client credentials/);
  });

  it.each([
    ['an HTML page', 'text/html', '<!doctype html><html><body>Sign in</body></html>', /not valid JSON/],
    ['an empty body', 'application/json', '', /not valid JSON/],
    ['a JSON array', 'application/json', '[]', /not a JSON object/],
    ['an object without active', 'application/json', '{"sub":"x"}', /no boolean "active"/],
    ['active as a string', 'application/json', '{"active":"true"}', /no boolean "active"/],
  ])('answers introspection_unavailable for %s', async (_name, type, body, cause) => {
    const target = await serveIntrospection();
    target.respond = (_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    const verifier = verifierFor(target);

    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');
    expect(causeOf(error)).toMatch(cause);
  });

  it('cuts a 20 MB body off at maxBytes instead of reading it whole', async () => {
    const target = await serveIntrospection();
    const record = newRecord();
    const total = 20 * 1024 * 1024;
    target.respond = async (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      await streamBody(req, res, record, { total, chunk: 64 * 1024 });
    };
    const verifier = verifierFor(target, { timeout: 10 });

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');

    expect(since(start)).toBeLessThan(3000);
    expect(causeOf(error)).toMatch(/larger than 65536 bytes/);
    await waitFor(() => record.clientClosedEarly, 'the server to see the client close the connection');
    expect(record.bytesWritten).toBeLessThan(total);
  });

  it('does not follow a redirect, and does not send the token on', async () => {
    const target = await serveIntrospection();
    const elsewhere = await startServer((_req, res) => sendJson(res, 200, { active: true }));
    target.respond = (_req, res) => {
      res.writeHead(307, { location: elsewhere.url('/introspect') });
      res.end();
    };
    const verifier = verifierFor(target);

    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');
    expect(causeOf(error)).toMatch(/307 \(redirects are not followed\)/);
    expect(elsewhere.count()).toBe(0);
  });

  it('answers at once for a refused connection', async () => {
    const port = await refusedPort();
    const issuer = `http://127.0.0.1:${port}`;
    const verifier = verifierFor({ issuer, endpoint: `${issuer}/introspect` } as never);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(opaqueToken()), 'introspection_unavailable');
    expect(since(start)).toBeLessThan(2000);
    expect(causeOf(error)).toMatch(/ECONNREFUSED/);
  });

  it('does not cache a failure: the next presentation asks again', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    target.respond = (_req, res) => sendJson(res, 503, { error: 'down' });
    const verifier = verifierFor(target);

    await refusal(verifier.verifyAccessToken(token), 'introspection_unavailable');
    target.respond = undefined;
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
    expect(target.requests()).toBe(2);
  });
});

describe('a flood of distinct made-up tokens', () => {
  it('costs the issuer at most maxRequestsPerSecond requests; the rest get 503 at once, and cached tokens still pass', async () => {
    useFakeClock();
    const target = await serveIntrospection();
    const good = opaqueToken();
    target.active.set(good, activeClaims(target.issuer));
    const verifier = verifierFor(target, { maxRequestsPerSecond: 20 });
    await verifier.verifyAccessToken(good);

    const outcomes: string[] = [];
    const limited = await listen<IntrospectionLimitedEvent>(CHANNELS.introspectionLimited, async () => {
      for (let i = 0; i < 200; i++) {
        outcomes.push(await verifier.verifyAccessToken(opaqueToken()).then(() => 'accepted', (error: { code: string }) => error.code));
      }
    });

    // One request of the bucket went on the good token.
    expect(target.requests()).toBe(20);
    expect(outcomes.filter((code) => code === 'token_inactive')).toHaveLength(19);
    expect(outcomes.filter((code) => code === 'introspection_unavailable')).toHaveLength(181);
    expect(limited).toHaveLength(181);
    expect(limited[0]).toEqual({ issuer: target.issuer, retryAfter: 1 });
    await expect(verifier.verifyAccessToken(good)).resolves.toMatchObject({ sub: 'user-1' });

    // The bucket refills with time: a second later, a second's worth.
    vi.setSystemTime(Date.now() + 1000);
    await refusal(verifier.verifyAccessToken(opaqueToken()), 'token_inactive');
    expect(target.requests()).toBe(21);
  });
});

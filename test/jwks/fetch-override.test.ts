// The `jwks.fetch` override path, with msw intercepting the global fetch it delegates to
// (msw cannot see the default undici transport; that one is tested against loopback servers).
import { randomUUID } from 'node:crypto';
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from '../../src/jwks/http.js';
import { at, causeOf, keySet, makeKey, settle, since, useFakeClock, verifierFor, type TestKey } from './support.js';
import { refusal } from '../helpers/refusal.js';

const ISSUER = 'https://auth.tokenwarden.test';
const JWKS_URI = `${ISSUER}/jwks.json`;

const mock = setupServer();
beforeAll(() => mock.listen({ onUnhandledRequest: 'error' }));
afterAll(() => mock.close());
beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
  mock.resetHandlers();
});

/** The override under test: the global fetch (patched by msw), wrapped in a spy. */
function spyFetch(): ReturnType<typeof vi.fn<FetchLike>> {
  return vi.fn<FetchLike>((input, init) => fetch(input, init));
}

/** Serves `key`'s set at JWKS_URI and counts the requests. */
function serveKeys(key: TestKey): { count: () => number } {
  let count = 0;
  mock.use(
    http.get(JWKS_URI, () => {
      count++;
      return HttpResponse.json(keySet(key));
    }),
  );
  return { count: () => count };
}

describe('the jwks.fetch override', () => {
  it('is called with redirect "manual", GET and an abort signal', async () => {
    const key = await makeKey();
    const served = serveKeys(key);
    const fetchSpy = spyFetch();
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: fetchSpy });

    const claims = await verifier.verifyAccessToken(await key.sign(ISSUER, { sub: 'via-fetch' }));

    expect(claims.sub).toBe('via-fetch');
    expect(served.count()).toBe(1);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const [input, init] = fetchSpy.mock.calls[0] ?? [];
    expect(input).toBe(JWKS_URI);
    expect(init).toMatchObject({ method: 'GET', redirect: 'manual' });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('makes one request for 50 concurrent verifications on a cold verifier', async () => {
    const key = await makeKey();
    const served = serveKeys(key);
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch() });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => key.sign(ISSUER)));

    await Promise.all(tokens.map((token) => verifier.verifyAccessToken(token)));

    expect(served.count()).toBe(1);
  });

  it('discovers through the override with one metadata and one key-set request for 50 verifications', async () => {
    const key = await makeKey();
    const served = serveKeys(key);
    let metadata = 0;
    mock.use(
      http.get(`${ISSUER}/.well-known/openid-configuration`, () => {
        metadata++;
        return HttpResponse.json({ issuer: ISSUER, jwks_uri: JWKS_URI });
      }),
    );
    const verifier = verifierFor({ issuer: ISSUER }, { fetch: spyFetch() });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => key.sign(ISSUER)));

    await Promise.all(tokens.map((token) => verifier.verifyAccessToken(token)));

    expect(metadata).toBe(1);
    expect(served.count()).toBe(1);
  });

  it('answers jwks_unavailable for a non-2xx answer and honours its Retry-After', async () => {
    const key = await makeKey();
    let count = 0;
    let status = 503;
    mock.use(
      http.get(JWKS_URI, () => {
        count++;
        return status === 200
          ? HttpResponse.json(keySet(key))
          : HttpResponse.json({ error: 'unavailable' }, { status, headers: { 'retry-after': '90' } });
      }),
    );
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch(), cooldown: 30 });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(ISSUER)), 'jwks_unavailable');
    expect(causeOf(error)).toMatch(/HTTP 503/);
    status = 200;
    at(60);
    await refusal(verifier.verifyAccessToken(await key.sign(ISSUER)), 'jwks_unavailable');
    expect(count).toBe(1);
    at(91);
    await verifier.verifyAccessToken(await key.sign(ISSUER));
    expect(count).toBe(2);
  });

  it('keeps serving cached keys when a refresh through the override fails', async () => {
    const key = await makeKey();
    let count = 0;
    let failing = false;
    mock.use(
      http.get(JWKS_URI, () => {
        count++;
        return failing ? new HttpResponse('<h1>Bad gateway</h1>', { status: 502 }) : HttpResponse.json(keySet(key));
      }),
    );
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch(), maxStale: 600 });
    await verifier.verifyAccessToken(await key.sign(ISSUER));
    failing = true;

    at(601);
    await verifier.verifyAccessToken(await key.sign(ISSUER));
    await settle(verifier);
    expect(count).toBe(2);
    at(1201);
    await refusal(verifier.verifyAccessToken(await key.sign(ISSUER)), 'jwks_unavailable');
    expect(count).toBe(3);
  });

  it('refetches for unknown kids at most once per cooldown', async () => {
    const key = await makeKey();
    const served = serveKeys(key);
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch(), cooldown: 30 });
    await verifier.verifyAccessToken(await key.sign(ISSUER));
    at(31);
    const bogus = await Promise.all(Array.from({ length: 100 }, () => key.sign(ISSUER, {}, { kid: randomUUID() })));

    const outcomes = await Promise.allSettled(bogus.map((token) => verifier.verifyAccessToken(token)));

    const codes = outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as { code: string }).code);
    // The kid that started the fetch is unknown to it; the rest were first seen after it started.
    expect(codes.filter((code) => code === 'key_not_found')).toHaveLength(1);
    expect(codes.filter((code) => code === 'jwks_unavailable')).toHaveLength(99);
    expect(served.count()).toBe(2);
  });

  it(
    'cancels a 20 MB streamed body early instead of reading it whole',
    async () => {
      const key = await makeKey();
      const chunk = 64 * 1024;
      const chunks = (20 * 1024 * 1024) / chunk;
      let pulls = 0;
      mock.use(
        http.get(
          JWKS_URI,
          () =>
            new HttpResponse(
              new ReadableStream<Uint8Array>({
                pull(controller) {
                  pulls++;
                  controller.enqueue(new Uint8Array(chunk).fill(0x20));
                  if (pulls === chunks) controller.close();
                },
              }),
              { headers: { 'content-type': 'application/json' } },
            ),
        ),
      );
      const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch(), timeout: 10 });
      const token = await key.sign(ISSUER);

      const start = performance.now();
      const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

      expect(since(start)).toBeLessThan(3000);
      expect(causeOf(error)).toMatch(/larger than 524288 bytes/);
      // 512 KiB is 8 chunks; allow for what the stream machinery reads ahead.
      expect(pulls).toBeLessThan(chunks / 8);
    },
    8000,
  );

  it(
    'refuses a declared Content-Length over maxBytes without reading the body',
    async () => {
      const key = await makeKey();
      let pulls = 0;
      mock.use(
        http.get(
          JWKS_URI,
          () =>
            new HttpResponse(
              new ReadableStream<Uint8Array>({
                // Never delivers: a client that waited for the body would sit until the timeout.
                pull: () => {
                  pulls++;
                  return new Promise<void>(() => undefined);
                },
              }),
              { headers: { 'content-type': 'application/json', 'content-length': String(20 * 1024 * 1024) } },
            ),
        ),
      );
      const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch(), timeout: 5 });
      const token = await key.sign(ISSUER);

      const start = performance.now();
      const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');

      expect(since(start)).toBeLessThan(2000);
      expect(causeOf(error)).toMatch(/larger than 524288 bytes/);
      expect(pulls).toBeLessThanOrEqual(1);
    },
    8000,
  );

  it('does not follow a 301 to another host', async () => {
    const key = await makeKey();
    let redirects = 0;
    let target = 0;
    mock.use(
      http.get(JWKS_URI, () => {
        redirects++;
        return new HttpResponse(null, { status: 301, headers: { location: 'https://keys.elsewhere.test/jwks.json' } });
      }),
      http.get('https://keys.elsewhere.test/jwks.json', () => {
        target++;
        return HttpResponse.json(keySet(key));
      }),
    );
    const fetchSpy = spyFetch();
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: fetchSpy });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(ISSUER)), 'jwks_unavailable');

    expect(causeOf(error)).toMatch(/301 \(redirects are not followed\)/);
    expect(redirects).toBe(1);
    expect(target).toBe(0);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    expect(fetchSpy.mock.calls[0]?.[1]).toMatchObject({ redirect: 'manual' });
  });

  it('answers jwks_unavailable within the timeout when the answer never comes', async () => {
    const key = await makeKey();
    let count = 0;
    mock.use(
      http.get(JWKS_URI, async () => {
        count++;
        await delay('infinite');
        return HttpResponse.json(keySet(key));
      }),
    );
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: spyFetch(), timeout: 0.3 });
    const token = await key.sign(ISSUER);

    const start = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token), 'jwks_unavailable');
    const elapsed = since(start);

    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(300 + 1200);
    expect(causeOf(error)).toMatch(/within 0\.3 s/);
    expect(count).toBe(1);
  });

  it('answers jwks_unavailable when the override itself throws', async () => {
    const key = await makeKey();
    const failing = vi.fn<FetchLike>(() => Promise.reject(new TypeError('fetch failed')));
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: failing });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(ISSUER)), 'jwks_unavailable');

    expect(causeOf(error)).toBe('fetch failed');
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('stays bounded by the timeout when the override ignores the abort signal', async () => {
    const key = await makeKey();
    const deaf = vi.fn<FetchLike>(() => new Promise<Response>(() => undefined));
    const verifier = verifierFor({ issuer: ISSUER, jwksUri: JWKS_URI }, { fetch: deaf, timeout: 0.2 });

    const started = performance.now();
    const error = await refusal(verifier.verifyAccessToken(await key.sign(ISSUER)), 'jwks_unavailable');

    expect(since(started)).toBeLessThan(2000);
    expect(causeOf(error)).toMatch(/no complete answer within 0.2 s/);
  });
});

// The token cache on a fake clock: when a token stops being handed out, when the background
// refresh starts, and that callers share one request.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenCache, schedule, type IssuedToken } from '../../src/client/cache.js';

const timing = { refreshMargin: 30, refreshAhead: 60 };
let issued: number;
let pending: ((token: IssuedToken) => void)[];

function issuer(lifetime: number | 'none' = 300, immediate = true) {
  const expiresIn = lifetime === 'none' ? undefined : lifetime;
  return () => {
    issued++;
    const token: IssuedToken = { accessToken: `token-${issued}`, tokenType: 'bearer', expiresIn };
    if (immediate) return Promise.resolve(token);
    return new Promise<IssuedToken>((resolve) => pending.push(() => resolve(token)));
  };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(0);
  issued = 0;
  pending = [];
});
afterEach(() => vi.useRealTimers());

describe('token cache', () => {
  it('places expiry at lifetime minus the margin, and the refresh that much earlier', () => {
    expect(schedule({ accessToken: 't', tokenType: 'bearer', expiresIn: 300 }, 0, timing)).toMatchObject({ expiresAt: 270_000, refreshAt: 210_000 });
  });

  it('caps the margin at half a short lifetime, and the refresh-ahead at half what is left', () => {
    expect(schedule({ accessToken: 't', tokenType: 'bearer', expiresIn: 40 }, 0, timing)).toMatchObject({ expiresAt: 20_000, refreshAt: 10_000 });
  });

  it('hands out the same token until refresh time, then refreshes in the background while still handing it out', async () => {
    const cache = createTokenCache(issuer(), timing);
    expect((await cache.get()).accessToken).toBe('token-1');
    vi.setSystemTime(209_000);
    expect((await cache.get()).accessToken).toBe('token-1');
    expect(issued).toBe(1);
    vi.setSystemTime(211_000);
    expect((await cache.get()).accessToken).toBe('token-1');
    expect(issued).toBe(2);
    await Promise.resolve();
    expect((await cache.get()).accessToken).toBe('token-2');
  });

  it('starts one background refresh however many callers arrive during it', async () => {
    const cache = createTokenCache(issuer(300, false), timing);
    const first = cache.get();
    pending.shift()?.({} as IssuedToken);
    await first;
    vi.setSystemTime(220_000);
    await Promise.all(Array.from({ length: 50 }, () => cache.get()));
    expect(issued).toBe(2);
  });

  it('makes callers wait for a new token once the margin is reached', async () => {
    const cache = createTokenCache(issuer(), timing);
    await cache.get();
    vi.setSystemTime(270_000);
    expect((await cache.get()).accessToken).toBe('token-2');
  });

  it('keeps handing out the token when a background refresh fails, and tries again later, not on every call', async () => {
    let fail = false;
    const base = issuer();
    const cache = createTokenCache(() => (fail ? (issued++, Promise.reject(new Error('down'))) : base()), timing);
    await cache.get();
    fail = true;
    vi.setSystemTime(220_000);
    expect((await cache.get()).accessToken).toBe('token-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect((await cache.get()).accessToken).toBe('token-1');
    expect(issued).toBe(2);
    vi.setSystemTime(246_000);
    await cache.get();
    expect(issued).toBe(3);
  });

  it('does not keep a token without expires_in', async () => {
    const cache = createTokenCache(issuer('none'), timing);
    await cache.get();
    await cache.get();
    expect(issued).toBe(2);
  });

  it('forgets the token a resource server refused, and only that one', async () => {
    const cache = createTokenCache(issuer(), timing);
    await cache.get();
    cache.invalidate('token-other');
    expect((await cache.get()).accessToken).toBe('token-1');
    cache.invalidate('token-1');
    expect((await cache.get()).accessToken).toBe('token-2');
  });
});

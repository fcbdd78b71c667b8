import { describe, expect, it } from 'vitest';
import { createVerifiedTokenCache, fingerprint } from '../src/verified-token-cache.js';

interface Entry {
  readonly token: string;
  readonly n: number;
}

/** Two different token texts with one fingerprint: the same last 8 characters, another start. */
function sameFingerprint(): [string, string] {
  const tail = 'Zz0_9-aB';
  return [`header.payload-one.${tail}`, `header.payload-two.${tail}`];
}

/**
 * `count` token-like texts whose last 16 characters are pseudo-random base64url, as a
 * signature's are; the same `seed` gives the same texts.
 */
function randomTokens(count: number, seed: number): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let state = (seed * 2654435761) >>> 0 || 1;
  const next = (): number => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) & 63;
  };
  return Array.from({ length: count }, (_, i) => {
    let tail = '';
    for (let c = 0; c < 16; c++) tail += alphabet[next()];
    return `h.p${i}.${tail}`;
  });
}

describe('createVerifiedTokenCache', () => {
  it('remembers a token from its second admission on, never after the first', () => {
    const cache = createVerifiedTokenCache<Entry>(10);
    cache.admit({ token: 'a.b.first', n: 1 });
    expect(cache.get('a.b.first')).toBeUndefined();
    cache.admit({ token: 'a.b.first', n: 2 });
    expect(cache.get('a.b.first')).toEqual({ token: 'a.b.first', n: 2 });
  });

  it('answers only for the exact token text, even when another shares its fingerprint', () => {
    const [one, two] = sameFingerprint();
    expect(fingerprint(one)).toBe(fingerprint(two));
    const cache = createVerifiedTokenCache<Entry>(10);
    cache.admit({ token: one, n: 1 });
    cache.admit({ token: one, n: 1 });
    expect(cache.get(two)).toBeUndefined();
    cache.delete(two);
    expect(cache.get(one)?.n).toBe(1);
    cache.delete(one);
    expect(cache.get(one)).toBeUndefined();
  });

  it('keeps finding a remembered token whatever one-off tokens come between, while it has room', () => {
    // One-off tokens do not take entries (bar the doorkeeper's rare false "seen"), so they never
    // hide an entry; the design before let one that shared its slot turn the remembered token away.
    const cache = createVerifiedTokenCache<Entry>(10_000);
    const remembered = 'h.p.AAAAAAAA';
    cache.admit({ token: remembered, n: 1 });
    cache.admit({ token: remembered, n: 1 });
    const oneOffs = randomTokens(20_000, 7);
    for (const token of oneOffs) cache.admit({ token, n: 2 });
    expect(cache.get(remembered)?.n).toBe(1);
  });

  it.each([
    [1_000, 10_000],
    [10_000, 10_000],
    [5_000, 5_000],
  ])('admits at least 99%% of %i tokens in rotation presented twice, at maxEntries %i', (count, maxEntries) => {
    const cache = createVerifiedTokenCache<Entry>(maxEntries);
    const tokens = randomTokens(count, count);
    for (let pass = 0; pass < 2; pass++) for (const token of tokens) cache.admit({ token, n: pass });
    const found = tokens.filter((token) => cache.get(token) !== undefined).length;
    expect(found / count).toBeGreaterThanOrEqual(0.99);
  });

  it('admits a repeated token whatever else is in flight: one-off tokens between its two sightings', () => {
    const cache = createVerifiedTokenCache<Entry>(10_000);
    const repeated = randomTokens(1_000, 1);
    const oneOffs = randomTokens(8_000, 2);
    // Each repeated token is first seen, then 8 one-off tokens pass, then it comes again.
    for (let i = 0; i < repeated.length; i++) {
      cache.admit({ token: repeated[i]!, n: 0 });
      for (let j = 0; j < 8; j++) cache.admit({ token: oneOffs[i * 8 + j]!, n: 0 });
    }
    for (const token of repeated) cache.admit({ token, n: 1 });
    expect(repeated.filter((token) => cache.get(token) !== undefined).length).toBeGreaterThanOrEqual(990);
  });

  it('remembers a first sighting across at least maxEntries later first sightings', () => {
    const cache = createVerifiedTokenCache<Entry>(2_000);
    const first = 'h.p.firstSeen0';
    cache.admit({ token: first, n: 0 });
    for (const token of randomTokens(2_000, 3)) cache.admit({ token, n: 0 });
    cache.admit({ token: first, n: 1 });
    expect(cache.get(first)?.n).toBe(1);
  });

  it('forgets first sightings eventually: memory stays bounded', () => {
    const cache = createVerifiedTokenCache<Entry>(1_000);
    const first = 'h.p.firstSeen1';
    cache.admit({ token: first, n: 0 });
    // Far more first sightings than two generations hold.
    for (const token of randomTokens(20_000, 4)) cache.admit({ token, n: 0 });
    cache.admit({ token: first, n: 1 });
    expect(cache.get(first)).toBeUndefined();
  });

  it('keeps at most maxEntries, forgetting the least recently used', () => {
    const cache = createVerifiedTokenCache<Entry>(2);
    const tokens = ['t.1.aaaaaaaa', 't.2.bbbbbbbb', 't.3.cccccccc'];
    for (const token of tokens) {
      cache.admit({ token, n: 0 });
      cache.admit({ token, n: 0 });
    }
    expect(tokens.map((token) => cache.get(token) !== undefined)).toEqual([false, true, true]);
  });

  it('takes fingerprints from the last characters, as small integers', () => {
    expect(fingerprint('x.y.ABCDEFGH')).toBe(fingerprint('other.start.ABCDEFGH'));
    expect(fingerprint('x.y.ABCDEFGH')).not.toBe(fingerprint('x.y.ABCDEFGI'));
    for (const token of ['', 'a', 'x.y.ABCDEFGH', 'é'.repeat(40)]) {
      const print = fingerprint(token);
      expect(Number.isInteger(print) && print >= 0 && print < 2 ** 30).toBe(true);
    }
  });
});

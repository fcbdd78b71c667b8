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

  it('turns away a remembered token whose slot a one-off token took, until it verifies again', () => {
    // maxEntries 10 gives the smallest table, 1024 slots: find a token for the same slot.
    const remembered = 'h.p.AAAAAAAA';
    const slot = fingerprint(remembered) % 1024;
    let intruder: string | undefined;
    for (let i = 0; i < 100_000 && intruder === undefined; i++) {
      const candidate = `h.q.${i.toString(36).padStart(8, '0')}`;
      if (fingerprint(candidate) % 1024 === slot && fingerprint(candidate) !== fingerprint(remembered)) intruder = candidate;
    }
    expect(intruder).toBeDefined();
    const cache = createVerifiedTokenCache<Entry>(10);
    cache.admit({ token: remembered, n: 1 });
    cache.admit({ token: remembered, n: 1 });
    expect(cache.get(remembered)?.n).toBe(1);

    cache.admit({ token: intruder as string, n: 2 }); // verified once: only its fingerprint stays
    expect(cache.get(remembered)).toBeUndefined();
    cache.admit({ token: remembered, n: 1 }); // verified again after the miss
    expect(cache.get(remembered)?.n).toBe(1);
    expect(cache.get(intruder as string)).toBeUndefined();
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

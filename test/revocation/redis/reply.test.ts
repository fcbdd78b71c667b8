// Reading the reply to one MGET of a token's keys: the values scripts.ts writes, and what the
// store must do with anything else it finds there.
import { describe, expect, it } from 'vitest';
import { readMget, UNREADABLE } from '../../../src/revocation/redis/reply.js';

const KEYS = ['jti:*:j1', 'sub:*:alice'];

describe('readMget', () => {
  it('reads nothing, a token entry with its expiry, and a subject entry with its cut-off and expiry', () => {
    expect(readMget(KEYS, [null, null])).toEqual([
      { known: false, until: 0 },
      { known: false, until: 0 },
    ]);
    expect(readMget(KEYS, ['1800000060', '1799990000:1800086460'])).toEqual([
      { known: true, until: 1_800_000_060 },
      { known: { before: 1_799_990_000 }, until: 1_800_086_460 },
    ]);
  });

  it('takes a fractional cut-off as written, so that a token issued in the same second is judged exactly', () => {
    expect(readMget(['sub:*:alice'], ['1799990000.5:1800086461'])).toEqual([{ known: { before: 1_799_990_000.5 }, until: 1_800_086_461 }]);
  });

  it('reads any value under a token key as a revocation, even one whose expiry it cannot read', () => {
    const [reading] = readMget(['jti:*:j1'], ['garbage']);
    expect(reading).toMatchObject({ known: true });
    expect(reading !== UNREADABLE && Number.isNaN(reading?.until)).toBe(true);
  });

  it('reads a subject entry whose cut-off it cannot read as unreadable, which revokes the subject', () => {
    expect(readMget(['sub:*:alice'], ['garbage'])).toEqual([UNREADABLE]);
    expect(readMget(['sub:*:alice'], ['soon:1800086460'])).toEqual([UNREADABLE]);
  });

  it('refuses a reply that is not one value per key', () => {
    expect(() => readMget(KEYS, [null])).toThrow(/unexpected reply to MGET/);
    expect(() => readMget(KEYS, 'OK')).toThrow(/unexpected reply to MGET/);
  });
});

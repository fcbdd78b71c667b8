// Key naming shared by both stores: what a revocation is stored under, and which keys a token
// is looked up by.
import { describe, expect, it } from 'vitest';
import { lookupKeys, subjectKey, tokenKey } from '../../src/revocation/keys.js';

const ISS = 'https://issuer.test';
const base = { iss: ISS, aud: 'api', exp: 1_800_000_000 };

describe('revocation keys', () => {
  it('looks a token up by its jti and sub, each for its issuer and for any issuer', () => {
    expect(lookupKeys({ ...base, jti: 'j1', sub: 'alice' })).toEqual([
      tokenKey('j1', ISS),
      tokenKey('j1', undefined),
      subjectKey('alice', ISS),
      subjectKey('alice', undefined),
    ]);
  });

  it('finds every revocation written for the token, with or without its issuer', () => {
    const keys = lookupKeys({ ...base, jti: 'j1', sub: 'alice' });
    for (const written of [tokenKey('j1', ISS), tokenKey('j1', undefined), subjectKey('alice', ISS), subjectKey('alice', undefined)]) {
      expect(keys).toContain(written);
    }
    expect(keys).not.toContain(tokenKey('j1', 'https://other.test'));
  });

  it('looks a token without a usable iss up only by the keys for any issuer', () => {
    for (const iss of ['', 42]) {
      expect(lookupKeys({ ...base, iss: iss as string, jti: 'j1', sub: 'alice' })).toEqual([tokenKey('j1', undefined), subjectKey('alice', undefined)]);
    }
  });

  it('has nothing to look up for a token with neither a jti nor a sub', () => {
    expect(lookupKeys(base)).toEqual([]);
    expect(lookupKeys({ ...base, jti: '', sub: '' })).toEqual([]);
  });

  it('never gives two different issuer and id pairs one key, though issuers contain ":"', () => {
    expect(tokenKey('b:c', 'https://a')).not.toBe(tokenKey('c', 'https://a:b'));
    expect(subjectKey('b:c', 'https://a')).not.toBe(subjectKey('c', 'https://a:b'));
    expect(tokenKey('x', '*')).not.toBe(tokenKey('x', undefined));
    expect(tokenKey('x', ISS)).not.toBe(subjectKey('x', ISS));
  });
});

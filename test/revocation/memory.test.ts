import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRevocationStore } from '../../src/revocation/memory.js';

const NOW = 1_800_000_000;
const ISSUER = 'https://issuer.test';
const OTHER_ISSUER = 'https://other.test';
const claims = (extra: Record<string, unknown>) => ({ iss: ISSUER, aud: 'api', exp: NOW + 300, ...extra });

describe('createMemoryRevocationStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW * 1000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses a revoked jti and nothing else', () => {
    const store = createMemoryRevocationStore();
    store.revoke('j1', NOW + 300);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(true);
    expect(store.isRevoked(claims({ jti: 'j2' }))).toBe(false);
    expect(store.isRevoked(claims({}))).toBe(false);
  });

  it('keeps an entry until exp plus its clock tolerance, then forgets it', () => {
    const store = createMemoryRevocationStore({ clockTolerance: 10 });
    store.revoke('j1', NOW + 300);
    vi.setSystemTime((NOW + 309) * 1000);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(true);
    vi.setSystemTime((NOW + 311) * 1000);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(false);
    expect(store.size).toBe(0);
  });

  it('forgets an entry at exp plus its clock tolerance, however long storing it took', () => {
    const store = createMemoryRevocationStore({ clockTolerance: 10 });
    // Every reading of the clock while the store writes finds it 40 ms later: the pauses of a
    // loaded machine, or the cache allocating its ttl tracking for its first entry.
    let clock = Date.now();
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 40));
    try {
      store.revoke('j1', NOW + 300);
    } finally {
      now.mockRestore();
    }
    vi.setSystemTime((NOW + 310) * 1000);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(true);
    vi.setSystemTime((NOW + 310) * 1000 + 1);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(false);
  });

  it('does not store a token that has already expired past the tolerance', () => {
    const store = createMemoryRevocationStore({ clockTolerance: 10 });
    store.revoke('old', NOW - 11);
    expect(store.size).toBe(0);
  });

  it('never evicts a live entry to make room: revoke throws when full', () => {
    const store = createMemoryRevocationStore({ maxEntries: 3 });
    store.revoke('a', NOW + 300);
    store.revoke('b', NOW + 300);
    store.revoke('c', NOW + 300);
    expect(() => store.revoke('d', NOW + 300)).toThrow(RangeError);
    for (const jti of ['a', 'b', 'c']) expect(store.isRevoked(claims({ jti }))).toBe(true);
  });

  it('makes room from expired entries before refusing', () => {
    const store = createMemoryRevocationStore({ maxEntries: 2, clockTolerance: 0 });
    store.revoke('short', NOW + 10);
    store.revoke('long', NOW + 300);
    vi.setSystemTime((NOW + 11) * 1000);
    store.revoke('new', NOW + 300);
    expect(store.isRevoked(claims({ jti: 'new' }))).toBe(true);
    expect(store.isRevoked(claims({ jti: 'long' }))).toBe(true);
  });

  it('never shortens an existing revocation', () => {
    const store = createMemoryRevocationStore({ clockTolerance: 0 });
    store.revoke('j1', NOW + 300);
    store.revoke('j1', NOW + 10);
    vi.setSystemTime((NOW + 100) * 1000);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(true);
  });

  it('revokes every token of a subject issued before the cut-off', () => {
    const store = createMemoryRevocationStore();
    store.revokeSubject('alice', NOW);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 1 }))).toBe(true);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW }))).toBe(false);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW + 1 }))).toBe(false);
    expect(store.isRevoked(claims({ sub: 'bob', iat: NOW - 1 }))).toBe(false);
  });

  it('treats a token of a revoked subject without iat as revoked', () => {
    const store = createMemoryRevocationStore();
    store.revokeSubject('alice');
    expect(store.isRevoked(claims({ sub: 'alice' }))).toBe(true);
  });

  it('keeps a subject revocation for maxTokenLifetime, and never moves the cut-off back', () => {
    const store = createMemoryRevocationStore({ maxTokenLifetime: 3600, clockTolerance: 0 });
    store.revokeSubject('alice', NOW);
    store.revokeSubject('alice', NOW - 100);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 50 }))).toBe(true);
    vi.setSystemTime((NOW + 3599) * 1000);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 50 }))).toBe(true);
    vi.setSystemTime((NOW + 3601) * 1000);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 50 }))).toBe(false);
  });

  it("refuses a jti revoked for one issuer in that issuer's token only", () => {
    const store = createMemoryRevocationStore();
    store.revoke('j1', NOW + 300, ISSUER);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(true);
    expect(store.isRevoked(claims({ jti: 'j1', iss: OTHER_ISSUER }))).toBe(false);
  });

  it('refuses a jti revoked without an issuer whichever issuer signed the token', () => {
    const store = createMemoryRevocationStore();
    store.revoke('j1', NOW + 300);
    expect(store.isRevoked(claims({ jti: 'j1' }))).toBe(true);
    expect(store.isRevoked(claims({ jti: 'j1', iss: OTHER_ISSUER }))).toBe(true);
  });

  it("revokes a subject for one issuer in that issuer's tokens only, and without an issuer in every issuer's", () => {
    const store = createMemoryRevocationStore();
    store.revokeSubject('alice', NOW, ISSUER);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 1 }))).toBe(true);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 1, iss: OTHER_ISSUER }))).toBe(false);
    store.revokeSubject('bob', NOW);
    expect(store.isRevoked(claims({ sub: 'bob', iat: NOW - 1 }))).toBe(true);
    expect(store.isRevoked(claims({ sub: 'bob', iat: NOW - 1, iss: OTHER_ISSUER }))).toBe(true);
    expect(store.isRevoked(claims({ sub: 'bob', iat: NOW, iss: OTHER_ISSUER }))).toBe(false);
  });

  it('keeps the cut-offs of one subject for different issuers apart', () => {
    const store = createMemoryRevocationStore();
    store.revokeSubject('alice', NOW, ISSUER);
    store.revokeSubject('alice', NOW - 100, OTHER_ISSUER);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 50 }))).toBe(true);
    expect(store.isRevoked(claims({ sub: 'alice', iat: NOW - 50, iss: OTHER_ISSUER }))).toBe(false);
    expect(store.size).toBe(2);
  });

  it('never lets an issuer and a jti that read alike once joined share an entry', () => {
    // Joined with ':', ('https://a', 'b:c') and ('https://a:b', 'c') would be the same text.
    const store = createMemoryRevocationStore();
    store.revoke('b:c', NOW + 300, 'https://a');
    expect(store.isRevoked(claims({ iss: 'https://a:b', jti: 'c' }))).toBe(false);
    expect(store.isRevoked(claims({ iss: 'https://a', jti: 'b:c' }))).toBe(true);
  });

  it('counts a revocation for an issuer and one for any issuer as two live entries', () => {
    const store = createMemoryRevocationStore({ clockTolerance: 0 });
    store.revoke('j1', NOW + 300, ISSUER);
    store.revoke('j1', NOW + 300);
    store.revokeSubject('alice', NOW, ISSUER);
    expect(store.size).toBe(3);
    vi.setSystemTime((NOW + 301) * 1000);
    expect(store.size).toBe(1); // the subject's revocation outlives the tokens
  });

  it('names the argument that is wrong', () => {
    const store = createMemoryRevocationStore();
    expect(() => store.revoke(42 as never, NOW)).toThrow(/revoke\(jti\) needs a non-empty string/);
    expect(() => store.revoke('j', '1800000000' as never)).toThrow(/needs expiresAt in seconds since the epoch/);
    expect(() => store.revoke('j', NOW, '')).toThrow(/revoke\(…, issuer\) needs a non-empty string or nothing/);
    expect(() => store.revoke('j', NOW, 7 as never)).toThrow(/issuer/);
    expect(() => store.revokeSubject(undefined as never)).toThrow(/revokeSubject\(sub\) needs a non-empty string/);
    expect(() => store.revokeSubject('alice', Number.POSITIVE_INFINITY)).toThrow(/needs before in seconds since the epoch/);
    expect(() => store.revokeSubject('alice', NOW, '')).toThrow(/revokeSubject\(…, issuer\) needs a non-empty string or nothing/);
    expect(store.size).toBe(0);
  });

  it('validates its options and arguments', () => {
    expect(() => createMemoryRevocationStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createMemoryRevocationStore({ clockTolerance: -1 })).toThrow(RangeError);
    expect(() => createMemoryRevocationStore({ maxEntreis: 5 } as never)).toThrow(/unknown option "maxEntreis"/);
    const store = createMemoryRevocationStore();
    expect(() => store.revoke('', NOW)).toThrow(TypeError);
    expect(() => store.revoke('j', Number.NaN)).toThrow(TypeError);
    expect(() => store.revokeSubject('')).toThrow(TypeError);
    expect(() => store.revokeSubject('alice', Number.NaN)).toThrow(TypeError);
    expect(() => createMemoryRevocationStore(null as never)).toThrow(TypeError);
  });
});

import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from '../claims/types.js';
import { integer, knownKeys, optionsObject, seconds } from '../lib/options.js';
import type { RevocationChecker } from './checker.js';
import { lookupKeys, subjectKey, tokenKey } from './keys.js';
import { checkRevokeArguments, checkRevokeSubjectArguments, refuses, type Revocation } from './rules.js';

export interface MemoryRevocationStoreOptions {
  /**
   * Most revocations held at once (token ids and subjects together). The store never drops a
   * live revocation to make room: when full of unexpired entries, `revoke` throws instead.
   * @default 100000
   */
  maxEntries?: number;
  /**
   * Seconds an entry is kept past the token's `exp`. Must be at least the verifier's
   * `clockTolerance`, which accepts a token that long after `exp`.
   * @default 60
   */
  clockTolerance?: number;
  /**
   * Longest lifetime, in seconds, of a token your issuer hands out: how long a subject-wide
   * revocation must be kept for every token issued before it to have expired.
   * @default 86400
   */
  maxTokenLifetime?: number;
}

/**
 * An in-process deny list: revoke by `jti`, or every token of a subject issued before a time,
 * each for one issuer or for any issuer. Keyed as the Redis store keys its entries.
 */
export interface MemoryRevocationStore extends RevocationChecker {
  /**
   * Refuses the token with this `jti` until `expiresAt` (its `exp`, seconds since the epoch) plus
   * `clockTolerance`. With `issuer`, only that issuer's token; without, a token with this `jti`
   * from any issuer. Repeating it is harmless, and never shortens a revocation. Throws a
   * TypeError naming a wrong argument, and a RangeError when the store is full.
   */
  revoke(jti: string, expiresAt: number, issuer?: string): void;
  /**
   * Refuses every token of `sub` whose `iat` is before `before` (seconds; default now), and every
   * token of `sub` without `iat`: "log out everywhere". Kept `maxTokenLifetime` plus
   * `clockTolerance` past `before`; a later cut-off is never moved back. With `issuer`, only
   * that issuer's subject; without, the subject of any issuer.
   */
  revokeSubject(sub: string, before?: number, issuer?: string): void;
  isRevoked(claims: AccessTokenClaims): boolean;
  /** Live entries (token and subject revocations, one per issuer given, or for any issuer). */
  readonly size: number;
  readonly clockTolerance: number;
}

/**
 * Creates an in-memory revocation store for a single process (use the Redis store for a
 * fleet). Each entry lives exactly as long as the token it revokes could still be accepted,
 * so the list stays as small as the set of live revoked tokens.
 *
 * @example
 * ```ts
 * const revocation = createMemoryRevocationStore();
 * const verifier = createVerifier({ issuer, audience, revocation });
 *
 * const claims = await verifier.verifyAccessToken(token);
 * if (claims.jti) revocation.revoke(claims.jti, claims.exp, claims.iss); // on logout: this token
 * if (claims.sub) revocation.revokeSubject(claims.sub);                   // every token of the user so far
 * ```
 */
export function createMemoryRevocationStore(options: MemoryRevocationStoreOptions = {}): MemoryRevocationStore {
  knownKeys('', optionsObject('createMemoryRevocationStore', options), ['maxEntries', 'clockTolerance', 'maxTokenLifetime']);
  const maxEntries = integer('maxEntries', options.maxEntries, 100_000, 1, 100_000_000);
  const clockTolerance = seconds('clockTolerance', options.clockTolerance, 60, 0, 86400);
  const maxTokenLifetime = seconds('maxTokenLifetime', options.maxTokenLifetime, 86400, 1);

  // TTLs follow the wall clock, as `exp` does, rather than lru-cache's monotonic default, and
  // every check reads it afresh (ttlResolution 0): a cached reading could keep an entry
  // alive a little late, never expire it early, but exactness costs next to nothing here.
  const cache = new LRUCache<string, Revocation>({ max: maxEntries, perf: { now: () => Date.now() }, ttlResolution: 0 });

  function add(key: string, entry: Revocation, until: number): void {
    // The entry's life starts at the reading its ttl is measured from (`start` below), not at
    // the cache's own later reading inside set(), so it ends exactly at exp plus the tolerance.
    const now = Date.now();
    const ttl = Math.ceil((until + clockTolerance) * 1000 - now);
    if (ttl <= 0) return; // the token could no longer be accepted anyway
    if (!cache.has(key) && cache.size >= maxEntries) {
      cache.purgeStale();
      // Evicting a live entry would silently un-revoke a token: refuse loudly instead.
      if (cache.size >= maxEntries) throw new RangeError(`tokenwarden: revocation store is full (${maxEntries} live entries)`);
    }
    // A longer revocation already in place is never shortened.
    const remaining = cache.getRemainingTTL(key);
    if (remaining >= ttl) return;
    cache.set(key, entry, { ttl, start: now });
  }

  return {
    clockTolerance,
    get size() {
      cache.purgeStale();
      return cache.size;
    },
    revoke(jti, expiresAt, issuer) {
      checkRevokeArguments(jti, expiresAt, issuer);
      add(tokenKey(jti, issuer), true, expiresAt);
    },
    revokeSubject(sub, before = Date.now() / 1000, issuer) {
      checkRevokeSubjectArguments(sub, before, issuer);
      const key = subjectKey(sub, issuer);
      const existing = cache.get(key);
      const cutoff = existing !== undefined && existing !== true ? Math.max(existing.before, before) : before;
      cache.delete(key);
      add(key, { before: cutoff }, cutoff + maxTokenLifetime);
    },
    isRevoked(claims) {
      for (const key of lookupKeys(claims)) {
        const entry = cache.get(key);
        if (entry !== undefined && refuses(entry, claims)) return true;
      }
      return false;
    },
  };
}

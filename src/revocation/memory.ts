import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from '../claims/types.js';
import { integer, isPlainObject, knownKeys, seconds } from '../lib/options.js';
import type { RevocationChecker } from './checker.js';

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

/** An in-process deny list: revoke by `jti`, or every token of a subject issued before a time. */
export interface MemoryRevocationStore extends RevocationChecker {
  /** Refuses the token with this `jti` until `expiresAt` (its `exp`, seconds since the epoch). */
  revoke(jti: string, expiresAt: number): void;
  /** Refuses every token of `sub` issued before `before` (seconds; default now): "log out everywhere". */
  revokeSubject(sub: string, before?: number): void;
  isRevoked(claims: AccessTokenClaims): boolean;
  /** Live entries (token ids and subjects). */
  readonly size: number;
  readonly clockTolerance: number;
}

type Entry = { readonly kind: 'jti' } | { readonly kind: 'sub'; readonly before: number };
const JTI_ENTRY: Entry = Object.freeze({ kind: 'jti' });

/**
 * Creates an in-memory revocation store for a single process (use the Redis store for a
 * fleet). Each entry lives exactly as long as the token it revokes could still be accepted,
 * so the list stays as small as the set of live revoked tokens.
 *
 * @example
 * ```ts
 * const revocation = createMemoryRevocationStore();
 * const verifier = createVerifier({ issuer, audience, revocation });
 * revocation.revoke(claims.jti, claims.exp); // e.g. on logout
 * ```
 */
export function createMemoryRevocationStore(options: MemoryRevocationStoreOptions = {}): MemoryRevocationStore {
  if (!isPlainObject(options)) throw new TypeError('tokenwarden: createMemoryRevocationStore options must be an object');
  knownKeys('', options, ['maxEntries', 'clockTolerance', 'maxTokenLifetime']);
  const maxEntries = integer('maxEntries', options.maxEntries, 100_000, 1, 100_000_000);
  const clockTolerance = seconds('clockTolerance', options.clockTolerance, 60, 0, 86400);
  const maxTokenLifetime = seconds('maxTokenLifetime', options.maxTokenLifetime, 86400, 1);

  // TTLs follow the wall clock, as `exp` does, rather than lru-cache's monotonic default, and
  // every check reads it afresh (ttlResolution 0): a cached reading could keep an entry
  // alive a little late, never expire it early, but exactness costs next to nothing here.
  const cache = new LRUCache<string, Entry>({ max: maxEntries, perf: { now: () => Date.now() }, ttlResolution: 0 });

  function add(key: string, entry: Entry, until: number): void {
    const ttl = Math.ceil((until + clockTolerance) * 1000 - Date.now());
    if (ttl <= 0) return; // the token could no longer be accepted anyway
    if (!cache.has(key) && cache.size >= maxEntries) {
      cache.purgeStale();
      // Evicting a live entry would silently un-revoke a token: refuse loudly instead.
      if (cache.size >= maxEntries) throw new RangeError(`tokenwarden: revocation store is full (${maxEntries} live entries)`);
    }
    // A longer revocation already in place is never shortened.
    const remaining = cache.getRemainingTTL(key);
    if (remaining >= ttl) return;
    cache.set(key, entry, { ttl });
  }

  return {
    clockTolerance,
    get size() {
      cache.purgeStale();
      return cache.size;
    },
    revoke(jti, expiresAt) {
      if (typeof jti !== 'string' || jti.length === 0) throw new TypeError('tokenwarden: revoke(jti) needs a non-empty string');
      if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
        throw new TypeError('tokenwarden: revoke(jti, expiresAt) needs expiresAt in seconds since the epoch');
      }
      add(`jti:${jti}`, JTI_ENTRY, expiresAt);
    },
    revokeSubject(sub, before = Date.now() / 1000) {
      if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('tokenwarden: revokeSubject(sub) needs a non-empty string');
      if (typeof before !== 'number' || !Number.isFinite(before)) {
        throw new TypeError('tokenwarden: revokeSubject(sub, before) needs before in seconds since the epoch');
      }
      const existing = cache.get(`sub:${sub}`);
      const cutoff = existing?.kind === 'sub' ? Math.max(existing.before, before) : before;
      cache.delete(`sub:${sub}`);
      add(`sub:${sub}`, { kind: 'sub', before: cutoff }, cutoff + maxTokenLifetime);
    },
    isRevoked(claims) {
      if (typeof claims.jti === 'string' && cache.has(`jti:${claims.jti}`)) return true;
      if (typeof claims.sub === 'string') {
        const entry = cache.get(`sub:${claims.sub}`);
        // A token without `iat` cannot prove it came after the cut-off, so it is refused.
        if (entry?.kind === 'sub' && (typeof claims.iat !== 'number' || claims.iat < entry.before)) return true;
      }
      return false;
    },
  };
}

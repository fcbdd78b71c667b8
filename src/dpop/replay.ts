// Replay protection for DPoP proofs (RFC 9449 §11.1): a proof's `jti` may be used once within
// the window its `iat` is accepted in. The store remembers each claimed key until that window
// has closed, after which the proof is refused for its age anyway and the key may be forgotten.
import { AccessTokenError } from '../errors.js';
import { integer, isPlainObject, knownKeys } from '../lib/options.js';

/**
 * Where the `jti`s of DPoP proofs are claimed. Share one between the instances of a fleet
 * (`createRedisReplayStore` in `tokenwarden/redis`), or a proof replayed to another instance
 * is accepted there.
 */
export interface ReplayStore {
  /**
   * Claims `key` until `expiresAt` (seconds since the epoch): true the first time it is claimed
   * within that time, false when it already was. Throws (or rejects) when the store cannot
   * tell; the verifier then refuses the request with a 503, never accepts it.
   */
  claim(key: string, expiresAt: number): boolean | Promise<boolean>;
}

/** Options of {@link createMemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /**
   * Most keys held at once, from 1 to 10000000. When full, a claim first forgets the keys
   * whose window has closed; if none has, the claim is refused (a 503) rather than forgetting
   * a key still inside its window, which would let that proof be replayed.
   * @default 100000
   */
  maxEntries?: number;
}

/** The refusal when a replay store cannot tell whether a proof was seen. */
export function replayUnavailable(message: string, cause?: unknown): AccessTokenError {
  return new AccessTokenError('revocation_unavailable', `DPoP replay store: ${message}`, {
    cause,
    description: 'Replay protection is temporarily unavailable',
  });
}

/**
 * A replay store in this process's memory: right for one instance, wrong for a fleet (each
 * instance would accept a proof once). Bounded by `maxEntries`; never forgets a key inside its
 * window.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ issuer, audience, dpop: { replay: createMemoryReplayStore({ maxEntries: 50_000 }) } });
 * ```
 */
export function createMemoryReplayStore(options: MemoryReplayStoreOptions = {}): ReplayStore {
  if (!isPlainObject(options)) throw new TypeError('tokenwarden: createMemoryReplayStore needs an options object');
  knownKeys('', options, ['maxEntries']);
  const maxEntries = integer('maxEntries', options.maxEntries, 100_000, 1, 10_000_000);
  const expiries = new Map<string, number>();
  // The earliest expiry among the keys held when the store was last found full: before then,
  // sweeping would free nothing, so a full store refuses at once instead of scanning.
  let nothingExpiresBefore = 0;

  function sweep(now: number): void {
    if (now < nothingExpiresBefore) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, expiresAt] of expiries) {
      if (expiresAt <= now) expiries.delete(key);
      else if (expiresAt < earliest) earliest = expiresAt;
    }
    nothingExpiresBefore = earliest;
  }

  /** Forgets up to two closed windows at the front, so that memory follows the traffic down. */
  function forgetOldest(now: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = expiries.entries().next().value;
      if (oldest === undefined || oldest[1] > now) return;
      expiries.delete(oldest[0]);
    }
  }

  return {
    claim(key, expiresAt) {
      const now = Date.now() / 1000;
      const known = expiries.get(key);
      if (known !== undefined && known > now) return false;
      forgetOldest(now);
      if (known === undefined && expiries.size >= maxEntries) {
        sweep(now);
        if (expiries.size >= maxEntries) throw replayUnavailable(`memory store is full (${maxEntries} proofs inside their window)`);
      }
      // Re-inserted at the end: insertion order stays roughly the order of expiry.
      expiries.delete(key);
      expiries.set(key, expiresAt);
      return true;
    },
  };
}

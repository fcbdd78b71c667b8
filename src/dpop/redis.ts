// The DPoP replay store shared by a fleet through Redis: one `SET key 1 NX PX ttl` per proof
// (RFC 9449 §11.1), which only the first instance to see a `jti` wins. Node only, exported
// from `tokenwarden/redis` beside the revocation store, whose client plumbing it shares.
import { fail, knownKeys, optionsObject, seconds } from '../lib/options.js';
import { describeClientProblem, withCommandTimeout, wrapConnection, type RedisClientLike } from '../revocation/redis/client.js';
import { replayUnavailable, type ReplayStore } from './replay.js';

/** Options of {@link createRedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** A connected ioredis or node-redis client (of one server or a cluster); shared, never closed by the store. */
  client: RedisClientLike;
  /** Prefix of every key the store writes; give each API its own. @default 'tokenwarden:dpop:' */
  prefix?: string;
  /**
   * Seconds to wait for Redis before refusing the request (503), from 0.001 to 60: a proof
   * whose `jti` cannot be recorded is never accepted.
   * @default 1
   */
  timeout?: number;
}

// EVAL rather than a bare SET: a cluster client routes it by its one key (KEYS[1]).
const CLAIM_SCRIPT = "return redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1])";
// A key is kept at least this long, so that a proof at the very end of its window is still
// refused when replayed a moment later.
const MIN_TTL_MS = 1000;

/**
 * Creates a replay store in Redis, so that a DPoP proof accepted by one instance is refused by
 * every other. Fails closed: when Redis errors or does not answer within `timeout`, the
 * request is refused with `revocation_unavailable` (503, "Replay protection is temporarily
 * unavailable") and `Retry-After`, never accepted.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createRedisReplayStore } from 'tokenwarden/redis';
 *
 * const replay = createRedisReplayStore({ client: new Redis(process.env.REDIS_URL), prefix: 'orders:dpop:' });
 * const verifier = createVerifier({ issuer, audience, dpop: { replay } });
 * ```
 */
export function createRedisReplayStore(options: RedisReplayStoreOptions): ReplayStore {
  knownKeys('', optionsObject('createRedisReplayStore', options), ['client', 'prefix', 'timeout']);
  const problem = describeClientProblem(options.client);
  if (problem !== undefined) fail('client', problem);
  const prefix = options.prefix ?? 'tokenwarden:dpop:';
  if (typeof prefix !== 'string') fail('prefix', 'a string');
  const timeout = seconds('timeout', options.timeout, 1, 0.001, 60);
  const connection = withCommandTimeout(wrapConnection(options.client), timeout * 1000);

  return {
    async claim(key, expiresAt) {
      const ttl = Math.max(MIN_TTL_MS, Math.ceil(expiresAt * 1000 - Date.now()));
      let reply: unknown;
      try {
        reply = await connection.send(['EVAL', CLAIM_SCRIPT, '1', `${prefix}${key}`, String(ttl)]);
      } catch (error) {
        throw replayUnavailable('Redis could not record the proof', error);
      }
      if (reply === 'OK') return true;
      if (reply === null || reply === undefined) return false;
      throw replayUnavailable(`Redis answered ${typeof reply} to SET NX`);
    },
  };
}

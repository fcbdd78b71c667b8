// The `tokenwarden/redis` subpath: the Redis revocation store and every type of its options,
// and the DPoP replay store (src/dpop/redis.ts), which shares its client plumbing.
// Node only (no web build), so it hands the store Node's fail-open channel itself.
import { nodeChannels } from '../../events/node.js';
import type { RedisRevocationStoreOptions } from './options.js';
import { createRedisStore, type RedisRevocationStore } from './store.js';

export { createRedisReplayStore } from '../../dpop/redis.js';
export type { RedisReplayStoreOptions } from '../../dpop/redis.js';
export type { ReplayStore } from '../../dpop/replay.js';
export type { RedisRevocationStore } from './store.js';
export type { RedisFailOpenEvent, RedisLocalTierOptions, RedisRevocationStoreOptions } from './options.js';
export type { RedisLocalTierState } from './local-tier.js';
export type { IoRedisClientLike, IoRedisClusterLike, NodeRedisClientLike, NodeRedisClusterLike, RedisClientLike } from './client.js';

/**
 * Creates a revocation store shared by every instance of a fleet through Redis, with ioredis or
 * node-redis. Entries are keyed by issuer and `jti` (or `sub`), never by the token, and expire
 * with the tokens they revoke. A local tier answers most lookups from memory and is kept
 * coherent through pub/sub: a revocation reaches every instance as soon as its message does,
 * and after a disconnect the tier answers nothing until it has resubscribed and resynchronised.
 *
 * Fails closed: when Redis cannot answer within `timeout`, `isRevoked` throws and the verifier
 * answers `revocation_unavailable` (503), unless `failOpen` is set. Each token `failOpen` lets
 * through is published on `tokenwarden:revocation:fail-open` (see docs/events.md).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createVerifier } from 'tokenwarden';
 * import { createRedisRevocationStore } from 'tokenwarden/redis';
 *
 * const revocation = createRedisRevocationStore({ client: new Redis(process.env.REDIS_URL), prefix: 'orders:' });
 * const verifier = createVerifier({ issuer, audience, revocation });
 *
 * await revocation.revoke(claims.jti, claims.exp, claims.iss); // one token
 * await revocation.revokeSubject(claims.sub);                   // every token of the user so far
 * ```
 */
export function createRedisRevocationStore(options: RedisRevocationStoreOptions): RedisRevocationStore {
  return createRedisStore(options, nodeChannels.revocationFailOpen);
}

// The `tokenwarden/redis` subpath: the Redis revocation store and every type of its options.
export { createRedisRevocationStore, type RedisRevocationStore } from './store.js';
export type { RedisFailOpenEvent, RedisLocalTierOptions, RedisRevocationStoreOptions } from './options.js';
export type { RedisLocalTierState } from './local-tier.js';
export type { IoRedisClientLike, IoRedisClusterLike, NodeRedisClientLike, NodeRedisClusterLike, RedisClientLike } from './client.js';

// The options of createRedisRevocationStore, checked once and resolved into the settings the
// parts of the store work from.
import type { AccessTokenError } from '../../errors.js';
import { boolean, fail, integer, isPlainObject, knownKeys, optionsObject, seconds } from '../../lib/options.js';
import { describeClientProblem, isClusterClient, type RedisClientLike } from './client.js';

/** The in-process tier in front of Redis. */
export interface RedisLocalTierOptions {
  /**
   * Most Redis keys remembered in process (a token needs up to four: its `jti` and `sub`, each
   * for its issuer and for any issuer). Evicting one only costs a round trip.
   * @default 100000
   */
  maxEntries?: number;
  /**
   * Seconds between two probes proving that the subscription still delivers messages. A
   * subscription lost without its connection noticing is detected within this plus `timeout`;
   * until then, and until resynchronised, the local tier answers nothing.
   * @default 1
   */
  heartbeatInterval?: number;
}

/** Identifies a token let through because Redis could not answer (never the token itself). */
export interface RedisFailOpenEvent {
  /** Why the lookup failed: a `revocation_unavailable` error, with the Redis error as `cause`. */
  readonly error: AccessTokenError;
  /** The token's `iss` claim. */
  readonly iss: string | undefined;
  /** The token's `sub` claim, when it has one. */
  readonly sub: string | undefined;
  /** The token's `jti` claim, when it has one. */
  readonly jti: string | undefined;
}

export interface RedisRevocationStoreOptions {
  /**
   * A connected ioredis (v5) or node-redis (v4, v5) client. The store sends commands on it and
   * opens one more connection with `client.duplicate()` for the local tier's subscription; it
   * never closes your client. Prefer a client that fails fast while disconnected
   * (`enableOfflineQueue: false` for ioredis, `disableOfflineQueue: true` for node-redis).
   *
   * A Redis Cluster client (ioredis `Cluster`, node-redis `createCluster`) works with
   * `localTier: false` and a `prefix` holding a hash tag, which keeps a token's keys in one slot.
   */
  client: RedisClientLike;
  /**
   * Prefix of every key and channel. Every instance of a fleet must use the same one. With a
   * Redis Cluster client it must contain a hash tag (`{…}`), so that one MGET finds all of a
   * token's keys in one hash slot.
   * @default 'tokenwarden:revocation:' ('{tokenwarden:revocation}:' with a Redis Cluster client)
   */
  prefix?: string;
  /**
   * Seconds an entry is kept past the token's `exp`. Must be at least the verifier's
   * `clockTolerance`, which accepts a token that long after `exp`.
   * @default 60
   */
  clockTolerance?: number;
  /**
   * Longest lifetime, in seconds, of a token your issuers hand out: how long a subject-wide
   * revocation is kept so that every token issued before it has expired.
   * @default 86400
   */
  maxTokenLifetime?: number;
  /**
   * Seconds to wait for each Redis call. Keep it below the verifier's `revocationTimeout`
   * (default 1 s), which otherwise answers first.
   * @default 0.25
   */
  timeout?: number;
  /**
   * The in-process tier kept coherent through Redis pub/sub, so that most lookups need no
   * round trip. `false` sends every lookup to Redis; it must be `false` with a Redis Cluster
   * client, on which the local tier could not tell when a message was lost.
   * @default true
   */
  localTier?: boolean | RedisLocalTierOptions;
  /**
   * Answer "not revoked" when Redis fails or times out, instead of throwing (which the verifier
   * turns into `revocation_unavailable`, 503). Trades the guarantee that a revoked token is
   * refused for availability; each time it happens `onFailOpen` is called and the
   * `tokenwarden:revocation:fail-open` diagnostics channel publishes the token's claims.
   * @default false
   */
  failOpen?: boolean;
  /**
   * Called, synchronously, each time `failOpen` lets a token through; exceptions it throws are
   * ignored. Only allowed together with `failOpen: true`.
   * @default unset
   */
  onFailOpen?: (event: RedisFailOpenEvent) => void;
}

/** The options, checked and with their defaults, in the units the store works in. */
export interface RedisStoreSettings {
  readonly client: RedisClientLike;
  readonly prefix: string;
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds. */
  readonly maxTokenLifetime: number;
  /** Milliseconds, for each Redis call. */
  readonly timeoutMs: number;
  readonly failOpen: boolean;
  readonly onFailOpen: ((event: RedisFailOpenEvent) => void) | undefined;
  /** Undefined when the local tier is off. */
  readonly localTier: LocalTierSettings | undefined;
}

export interface LocalTierSettings {
  readonly maxEntries: number;
  readonly heartbeatMs: number;
}

const OPTION_NAMES = [
  'client',
  'prefix',
  'clockTolerance',
  'maxTokenLifetime',
  'timeout',
  'localTier',
  'failOpen',
  'onFailOpen',
] as const;

/** Checks `options` once; misuse throws a TypeError or RangeError naming the option. */
export function resolveOptions(options: RedisRevocationStoreOptions): RedisStoreSettings {
  knownKeys('', optionsObject('createRedisRevocationStore', options), OPTION_NAMES);
  const clientProblem = describeClientProblem(options.client);
  if (clientProblem !== undefined) fail('client', clientProblem);
  const client = options.client;
  const cluster = isClusterClient(client);
  const prefix = options.prefix ?? (cluster ? '{tokenwarden:revocation}:' : 'tokenwarden:revocation:');
  if (typeof prefix !== 'string' || prefix.length === 0) fail('prefix', 'a non-empty string');
  if (cluster && !hasHashTag(prefix)) {
    fail('prefix', "a prefix with a hash tag, such as '{tokenwarden:revocation}:', with a Redis Cluster client (a token's keys are read in one MGET, which needs them in one hash slot)");
  }
  const clockTolerance = seconds('clockTolerance', options.clockTolerance, 60, 0, 86400);
  const maxTokenLifetime = seconds('maxTokenLifetime', options.maxTokenLifetime, 86400, 1);
  const timeoutMs = seconds('timeout', options.timeout, 0.25, 0.001, 60) * 1000;
  const failOpen = boolean('failOpen', options.failOpen, false);
  const onFailOpen = options.onFailOpen;
  if (onFailOpen !== undefined && typeof onFailOpen !== 'function') fail('onFailOpen', 'a function');
  if (onFailOpen !== undefined && !failOpen) fail('onFailOpen', 'set only together with failOpen: true');
  const localTier = options.localTier ?? true;
  if (typeof localTier !== 'boolean' && !isPlainObject(localTier)) fail('localTier', 'a boolean or an object');
  // The tier clears its memory whenever its subscription may have missed a message. On a cluster
  // it cannot tell: the clients resubscribe on another node by themselves after a failover, with
  // no event to clear memory on, and messages cross between nodes over the cluster bus, whose
  // links can drop and reconnect unseen by either client. A revocation could be missed for good.
  if (cluster && localTier !== false) {
    fail('localTier', 'false with a Redis Cluster client: the local tier cannot tell when a cluster has lost one of its messages');
  }
  const tier = typeof localTier === 'object' ? localTier : {};
  knownKeys('localTier', tier, ['maxEntries', 'heartbeatInterval']);
  const maxEntries = integer('localTier.maxEntries', tier.maxEntries, 100_000, 1, 10_000_000);
  const heartbeatMs = seconds('localTier.heartbeatInterval', tier.heartbeatInterval, 1, 0.01, 3600) * 1000;
  return {
    client,
    prefix,
    clockTolerance,
    maxTokenLifetime,
    timeoutMs,
    failOpen,
    onFailOpen,
    localTier: localTier === false ? undefined : { maxEntries, heartbeatMs },
  };
}

/**
 * Whether Redis Cluster hashes every key under `prefix` by the same part of it: the text between
 * the first `{` and the first `}` after it, when that is not empty (the Redis Cluster spec, key
 * hash tags). The tag must close within the prefix, or a `}` in a token's jti would move it.
 */
function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  return open !== -1 && prefix.indexOf('}', open + 1) > open + 1;
}

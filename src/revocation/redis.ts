import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from '../claims/types.js';
import { AccessTokenError } from '../errors.js';
import { boolean, fail, integer, isPlainObject, knownKeys, seconds } from '../lib/options.js';
import type { RevocationChecker } from './checker.js';
import {
  describeClientProblem,
  isClusterClient,
  openSubscriber,
  wrapConnection,
  type RedisClientLike,
  type Subscriber,
} from './redis-client.js';

export type { IoRedisClientLike, IoRedisClusterLike, NodeRedisClientLike, NodeRedisClusterLike, RedisClientLike } from './redis-client.js';

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
   * refused for availability; each time it happens `onFailOpen` is called.
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

/** Where the local tier stands: only `live` answers from memory. */
export type RedisLocalTierState = 'off' | 'syncing' | 'live' | 'closed';

/** A deny list shared by a fleet through Redis; see {@link createRedisRevocationStore}. */
export interface RedisRevocationStore extends RevocationChecker {
  /**
   * Refuses the token with this `jti` until `expiresAt` (its `exp`, seconds since the epoch) plus
   * `clockTolerance`. With `issuer`, only that issuer's token; without, a token with this `jti`
   * from any issuer. Resolves once written to Redis; rejects (`revocation_unavailable`) when
   * not known to be written. Repeating it is harmless, and never shortens a revocation.
   */
  revoke(jti: string, expiresAt: number, issuer?: string): Promise<void>;
  /**
   * Refuses every token of `sub` whose `iat` is before `before` (seconds; default now), and
   * every token of `sub` without `iat`: "log out everywhere". Kept `maxTokenLifetime` plus
   * `clockTolerance` past `before`. With `issuer`, only that issuer's subject.
   */
  revokeSubject(sub: string, before?: number, issuer?: string): Promise<void>;
  /**
   * `true` when revoked. Answers synchronously from the local tier when it can, otherwise asks
   * Redis; throws `revocation_unavailable` when Redis cannot answer (unless `failOpen`).
   */
  isRevoked(claims: AccessTokenClaims): boolean | Promise<boolean>;
  /** Seconds an entry is kept past `exp`; createVerifier checks its own `clockTolerance` against it. */
  readonly clockTolerance: number;
  /** `live` while the local tier answers from memory; `syncing` while it sends lookups to Redis. */
  readonly localTierState: RedisLocalTierState;
  /** Stops the local tier and closes its subscriber connection. Your client stays open. */
  close(): Promise<void>;
}

type Known = boolean | { readonly before: number };

interface PinnedAnswer {
  readonly generation: number;
  readonly iss: unknown;
  readonly sub: unknown;
  readonly iat: unknown;
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

// Each script writes and announces in one atomic step, so no instance can see the entry
// without the message following it, nor the message without the entry.
// The value of a jti entry is its expiry; that of a subject entry is "before:expiry". The local
// tier needs the expiry to forget an entry when Redis does, without asking for its TTL.
const REVOKE_TOKEN = `
local current = tonumber(redis.call('GET', KEYS[1]))
if not current or current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EXAT', ARGV[1])
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1`;

const REVOKE_SUBJECT = `
local text = ARGV[1]
local before = tonumber(text)
local expiry = math.ceil(before + tonumber(ARGV[2]))
local current = redis.call('GET', KEYS[1])
if current then
  local previousText, previousExpiry = string.match(current, '^([^:]+):([^:]+)$')
  local previous = tonumber(previousText)
  if previous and previous > before then text, before = previousText, previous end
  previousExpiry = tonumber(previousExpiry)
  if previousExpiry and previousExpiry > expiry then expiry = previousExpiry end
end
redis.call('SET', KEYS[1], text .. ':' .. string.format('%d', expiry), 'EXAT', string.format('%d', expiry))
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

/**
 * Creates a revocation store shared by every instance of a fleet through Redis, with ioredis or
 * node-redis. Entries are keyed by issuer and `jti` (or `sub`), never by the token, and expire
 * with the tokens they revoke. A local tier answers most lookups from memory and is kept
 * coherent through pub/sub: a revocation reaches every instance within milliseconds, and after
 * a disconnect the tier answers nothing until it has resubscribed and resynchronised.
 *
 * Fails closed: when Redis cannot answer within `timeout`, `isRevoked` throws and the verifier
 * answers `revocation_unavailable` (503), unless `failOpen` is set.
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
  if (!isPlainObject(options)) throw new TypeError('tokenwarden: createRedisRevocationStore needs an options object');
  knownKeys('', options, OPTION_NAMES);
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

  const connection = wrapConnection(client);
  const instanceId = randomUUID();
  const eventsChannel = `${prefix}events`;
  const probeChannel = `${prefix}probe:${instanceId}`;

  function command(args: readonly string[]): Promise<unknown> {
    let sent: Promise<unknown>;
    try {
      sent = connection.send(args);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return withTimeout(sent, timeoutMs, `Redis did not answer within ${timeoutMs} ms`);
  }

  // --- local tier -------------------------------------------------------------------------
  // Keys are relative to the prefix; values say what Redis holds: `false` nothing, `true` a
  // token entry, `{ before }` a subject entry. Only filled and read while `live`.
  const cache = new LRUCache<string, Known>({ max: maxEntries, perf: { now: () => Date.now() } });
  // The hot path: "not revoked" answers by jti, each valid for one generation and for the very
  // claims it was computed from (iss, sub, iat: everything the answer depends on). Only a message
  // or a change of state can turn such an answer, and both move the generation. Cleared when full.
  const notRevoked = new Map<string, PinnedAnswer>();

  function pin(claims: AccessTokenClaims, at: number): void {
    if (typeof claims.jti !== 'string') return;
    if (notRevoked.size >= maxEntries) notRevoked.clear();
    notRevoked.set(claims.jti, { generation: at, iss: claims.iss, sub: claims.sub, iat: claims.iat });
  }

  let state: RedisLocalTierState = localTier === false ? 'off' : 'syncing';
  // Bumped by every message and every change of state. A lookup caches its answer only if the
  // generation did not move while it was in flight, so a revocation announced meanwhile (whose
  // invalidation found nothing to delete) cannot be overwritten by the stale answer.
  let generation = 0;
  // Bumped each time the subscription may have missed a message; a probe sent before that
  // proves nothing about the subscription after it.
  let downs = 0;
  let probeSeq = 0;
  let pendingProbe: { readonly nonce: string; readonly received: () => void; readonly abandon: () => void } | undefined;
  let attempting = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let subscriber: Subscriber | undefined;

  function invalidateAll(): void {
    cache.clear();
    notRevoked.clear();
    generation++;
  }

  function markDown(): void {
    if (state !== 'live' && state !== 'syncing') return;
    downs++;
    pendingProbe?.abandon();
    pendingProbe = undefined;
    state = 'syncing';
    invalidateAll();
    schedule(0);
  }

  function schedule(delayMs: number): void {
    if (state === 'closed' || state === 'off') return;
    clearTimeout(timer);
    timer = setTimeout(() => void attempt(), delayMs);
    timer.unref?.();
  }

  // While syncing: (re)subscribe, then prove the subscription delivers with a probe sent on the
  // main connection. While live: the same probe, as a heartbeat. Only one attempt at a time.
  async function attempt(): Promise<void> {
    if (attempting || subscriber === undefined || state === 'closed') return;
    attempting = true;
    const downsBefore = downs;
    try {
      if (!subscriber.isReady() || !connection.isReady()) {
        subscriber.reopen();
        if (state === 'live') throw new Error('not connected');
        return; // the subscriber's 'ready' event or the next retry brings us back
      }
      if (state === 'syncing') {
        await withTimeout(subscriber.subscribe([eventsChannel, probeChannel]), timeoutMs, 'subscribe timed out');
      }
      const nonce = `${++probeSeq}`;
      const received = new Promise<void>((resolve, reject) => {
        pendingProbe = { nonce, received: resolve, abandon: () => reject(new Error('subscription lost')) };
      });
      received.catch(() => undefined); // abandoned while the PUBLISH is still in flight
      await command(['PUBLISH', probeChannel, nonce]);
      await withTimeout(received, timeoutMs, 'probe not received');
      if (downs !== downsBefore) return;
      if (state === 'syncing') {
        // Everything cached before now may predate a message we missed.
        invalidateAll();
        state = 'live';
      }
    } catch {
      if (downs === downsBefore) markDown();
    } finally {
      attempting = false;
      schedule(state === 'live' ? heartbeatMs : Math.min(100, heartbeatMs));
    }
  }

  function onMessage(channel: string, message: string): void {
    if (channel === eventsChannel) {
      generation++;
      cache.delete(message);
    } else if (channel === probeChannel && pendingProbe?.nonce === message) {
      pendingProbe.received();
      pendingProbe = undefined;
    }
  }

  if (state === 'syncing') {
    subscriber = openSubscriber(client, {
      ready: () => schedule(0),
      down: markDown,
      message: onMessage,
    });
    schedule(0);
  }

  function remember(key: string, known: Known, until: number): void {
    if (known === false) {
      cache.set(key, known);
      return;
    }
    const ttl = until * 1000 - Date.now();
    if (ttl > 0) cache.set(key, known, { ttl });
  }

  // --- lookups ------------------------------------------------------------------------------
  async function lookup(keys: string[], claims: AccessTokenClaims): Promise<boolean> {
    const seen = generation;
    let reply: unknown;
    try {
      reply = await command(['MGET', ...keys.map((key) => prefix + key)]);
      if (!Array.isArray(reply) || reply.length !== keys.length) throw new Error('unexpected reply to MGET');
    } catch (error) {
      const refusal = unavailable('the revocation lookup in Redis failed', error);
      if (!failOpen) throw refusal;
      if (onFailOpen !== undefined) {
        try {
          onFailOpen({ error: refusal, iss: stringClaim(claims.iss), sub: stringClaim(claims.sub), jti: stringClaim(claims.jti) });
        } catch {
          // A failing listener must not turn fail-open into a 503.
        }
      }
      return false;
    }
    const cacheable = state === 'live' && seen === generation;
    let revoked = false;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const value: unknown = reply[i];
      if (value === null || value === undefined) {
        if (cacheable) remember(key, false, 0);
        continue;
      }
      const text = String(value);
      if (key.startsWith('jti:')) {
        revoked = true;
        if (cacheable) remember(key, true, Number(text));
        continue;
      }
      const [beforeText, untilText] = text.split(':');
      const before = Number(beforeText);
      if (!Number.isFinite(before)) {
        revoked = true; // an entry we cannot read revokes the whole subject rather than none of it
        continue;
      }
      if (cacheable) remember(key, { before }, Number(untilText));
      if (revokesSubject(before, claims)) revoked = true;
    }
    if (cacheable && !revoked) pin(claims, seen);
    return revoked;
  }

  async function write(script: string, key: string, args: readonly string[]): Promise<void> {
    try {
      await command(['EVAL', script, '1', prefix + key, ...args, eventsChannel, key]);
    } catch (error) {
      throw unavailable('the revocation could not be written to Redis', error);
    }
    // Our own message will do the same; this makes the write visible here at once.
    generation++;
    cache.delete(key);
  }

  return {
    clockTolerance,

    get localTierState() {
      return state;
    },

    isRevoked(claims) {
      if (state === 'live' && typeof claims.jti === 'string') {
        const pinned = notRevoked.get(claims.jti);
        if (
          pinned !== undefined &&
          pinned.generation === generation &&
          pinned.iss === claims.iss &&
          pinned.sub === claims.sub &&
          pinned.iat === claims.iat
        ) {
          return false;
        }
      }
      const keys = lookupKeys(claims);
      if (keys.length === 0) return false;
      if (state === 'live') {
        let complete = true;
        for (const key of keys) {
          const known = cache.get(key);
          if (known === undefined) complete = false;
          else if (known === true || (known !== false && revokesSubject(known.before, claims))) return true;
        }
        if (complete) {
          pin(claims, generation);
          return false;
        }
      }
      return lookup(keys, claims);
    },

    async revoke(jti, expiresAt, issuer) {
      if (typeof jti !== 'string' || jti.length === 0) throw new TypeError('tokenwarden: revoke(jti) needs a non-empty string');
      if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
        throw new TypeError('tokenwarden: revoke(jti, expiresAt) needs expiresAt in seconds since the epoch');
      }
      checkIssuer('revoke', issuer);
      const until = Math.ceil(expiresAt + clockTolerance);
      if (until * 1000 <= Date.now()) return; // the token could no longer be accepted anyway
      await write(REVOKE_TOKEN, `jti:${issuerTag(issuer)}:${jti}`, [String(until)]);
    },

    async revokeSubject(sub, before = Date.now() / 1000, issuer) {
      if (typeof sub !== 'string' || sub.length === 0) throw new TypeError('tokenwarden: revokeSubject(sub) needs a non-empty string');
      if (typeof before !== 'number' || !Number.isFinite(before)) {
        throw new TypeError('tokenwarden: revokeSubject(sub, before) needs before in seconds since the epoch');
      }
      checkIssuer('revokeSubject', issuer);
      const keep = maxTokenLifetime + clockTolerance;
      if (Math.ceil(before + keep) * 1000 <= Date.now()) return; // every such token has expired
      await write(REVOKE_SUBJECT, `sub:${issuerTag(issuer)}:${sub}`, [String(before), String(keep)]);
    },

    async close() {
      if (state === 'closed') return;
      const open = state !== 'off';
      state = 'closed';
      clearTimeout(timer);
      pendingProbe?.abandon();
      pendingProbe = undefined;
      invalidateAll();
      if (open) subscriber?.close();
    },
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

function unavailable(message: string, cause: unknown): AccessTokenError {
  const detail = cause instanceof Error && cause.message ? `: ${cause.message}` : '';
  return new AccessTokenError('revocation_unavailable', `${message}${detail}`, { cause });
}

const stringClaim = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function checkIssuer(method: string, issuer: unknown): void {
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0)) {
    throw new TypeError(`tokenwarden: ${method}(…, issuer) needs a non-empty string or nothing`);
  }
}

// `*` for "any issuer"; otherwise length-prefixed, so that an issuer containing ':' (every URL
// does) can never make two different (issuer, id) pairs share a key.
const issuerTag = (issuer: string | undefined): string => (issuer === undefined ? '*' : `${issuer.length}:${issuer}`);

/** The keys, relative to the prefix, that can revoke this token. */
function lookupKeys(claims: AccessTokenClaims): string[] {
  const keys: string[] = [];
  const iss = typeof claims.iss === 'string' && claims.iss !== '' ? issuerTag(claims.iss) : undefined;
  if (typeof claims.jti === 'string' && claims.jti !== '') {
    if (iss !== undefined) keys.push(`jti:${iss}:${claims.jti}`);
    keys.push(`jti:*:${claims.jti}`);
  }
  if (typeof claims.sub === 'string' && claims.sub !== '') {
    if (iss !== undefined) keys.push(`sub:${iss}:${claims.sub}`);
    keys.push(`sub:*:${claims.sub}`);
  }
  return keys;
}

// A token without `iat` cannot prove it came after the cut-off, so it is refused.
const revokesSubject = (before: number, claims: AccessTokenClaims): boolean =>
  typeof claims.iat !== 'number' || claims.iat < before;

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  promise.catch(() => undefined); // a late rejection after the timeout is expected, not unhandled
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

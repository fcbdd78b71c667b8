// The in-process tier in front of Redis. It answers from memory only while it can prove that it
// hears every revocation: subscribed to the events channel, and that subscription shown to
// deliver by a probe it publishes to itself. Whenever a message may have been missed it forgets
// everything and sends lookups to Redis until it has resubscribed and proved itself again.
import { LRUCache } from 'lru-cache';
import type { AccessTokenClaims } from '../../claims/types.js';
import { withTimeout } from '../../lib/timeout.js';
import { lookupKeys } from '../keys.js';
import { refuses } from '../rules.js';
import { openSubscriber, type Connection, type RedisClientLike, type Subscriber } from './client.js';
import type { LocalTierSettings } from './options.js';
import { UNREADABLE, type KeyReading, type Known } from './reply.js';

/** Where the local tier stands: only `live` answers from memory. */
export type RedisLocalTierState = 'off' | 'syncing' | 'live' | 'closed';

/** The local tier as the store sees it. */
export interface LocalTier {
  readonly state: RedisLocalTierState;
  /** `true` or `false` when memory can tell (only while `live`); `undefined` when Redis must be asked. */
  answer(claims: AccessTokenClaims): boolean | undefined;
  /** Taken just before a lookup is sent, and handed back to `learn` with its reply. */
  stamp(): number;
  /**
   * Remembers what a lookup read of `keys`, and pins its "not revoked" to `claims`, unless a
   * message or a change of state came while it was in flight (the stamp is then stale).
   */
  learn(stamp: number, claims: AccessTokenClaims, keys: readonly string[], readings: readonly KeyReading[], revoked: boolean): void;
  /** Forgets `key` at once, after this instance wrote it; its own message will do the same. */
  forget(key: string): void;
  /** Stops probing, forgets everything and closes the subscriber connection. */
  close(): void;
}

/** What the tier works with; the store owns every name in Redis, the tier's channels included. */
export interface LocalTierContext {
  /** The user's client; the tier subscribes on a duplicate of it. */
  readonly client: RedisClientLike;
  /** Commands on the user's client, each bounded by the store's timeout: the probes go there. */
  readonly connection: Connection;
  readonly eventsChannel: string;
  /** This instance's own channel, where it hears its probes. */
  readonly probeChannel: string;
  readonly timeoutMs: number;
  /** Undefined: the tier is off, answers nothing and opens no connection. */
  readonly settings: LocalTierSettings | undefined;
}

interface PinnedAnswer {
  readonly generation: number;
  readonly iss: unknown;
  readonly sub: unknown;
  readonly iat: unknown;
}

/**
 * Starts the local tier: `syncing` at once (subscribing and probing in the background), or `off`
 * without settings. Its timers are unref'd: they never keep a process alive; `close` stops it.
 */
export function createLocalTier(context: LocalTierContext): LocalTier {
  const { client, connection, eventsChannel, probeChannel, timeoutMs, settings } = context;
  // Never filled while off.
  const maxEntries = settings?.maxEntries ?? 1;
  const heartbeatMs = settings?.heartbeatMs ?? 0;

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

  let state: RedisLocalTierState = settings === undefined ? 'off' : 'syncing';
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
        await withTimeout(subscriber.subscribe([eventsChannel, probeChannel]), timeoutMs, () => new Error('subscribe timed out'));
      }
      const nonce = `${++probeSeq}`;
      const received = new Promise<void>((resolve, reject) => {
        pendingProbe = { nonce, received: resolve, abandon: () => reject(new Error('subscription lost')) };
      });
      received.catch(() => undefined); // abandoned while the PUBLISH is still in flight
      await connection.send(['PUBLISH', probeChannel, nonce]);
      await withTimeout(received, timeoutMs, () => new Error('probe not received'));
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
    // The entry's life starts at the same reading of the clock its ttl was measured from. Left
    // to itself, the cache reads the clock again inside set(), which can be tens of milliseconds
    // later (its first entry with a ttl allocates the ttl tracking for all maxEntries; a loaded
    // machine deschedules us): the entry would then outlive Redis's by that much.
    const now = Date.now();
    const ttl = until * 1000 - now;
    if (ttl > 0) cache.set(key, known, { ttl, start: now });
  }

  return {
    get state() {
      return state;
    },

    answer(claims) {
      if (state !== 'live') return undefined;
      if (typeof claims.jti === 'string') {
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
      let complete = true;
      for (const key of keys) {
        const known = cache.get(key);
        if (known === undefined) complete = false;
        else if (known !== false && refuses(known, claims)) return true;
      }
      if (!complete) return undefined;
      pin(claims, generation);
      return false;
    },

    stamp: () => generation,

    learn(stamp, claims, keys, readings, revoked) {
      if (state !== 'live' || stamp !== generation) return;
      readings.forEach((reading, i) => {
        if (reading !== UNREADABLE) remember(keys[i] as string, reading.known, reading.until);
      });
      if (!revoked) pin(claims, stamp);
    },

    forget(key) {
      generation++;
      cache.delete(key);
    },

    close() {
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

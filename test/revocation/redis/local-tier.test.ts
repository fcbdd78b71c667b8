// The local tier's state machine, driven by hand: a fake subscriber connection and fake timers
// make each interleaving the real-server suites can only hope for happen on purpose.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessTokenClaims } from '../../../src/claims/types.js';
import { lookupKeys } from '../../../src/revocation/keys.js';
import type { Connection, RedisClientLike } from '../../../src/revocation/redis/client.js';
import { createLocalTier, type LocalTier } from '../../../src/revocation/redis/local-tier.js';
import type { Reading } from '../../../src/revocation/redis/reply.js';

const EVENTS = 'p:events';
const PROBE = 'p:probe:me';
const TIMEOUT_MS = 50;
const HEARTBEAT_MS = 1000;
const NOW = 1_800_000_000;
const ISS = 'https://issuer.test';
/** Claims as the verifier hands them over; a claim set to `undefined` in `extra` is absent. */
const claims = (extra: Record<string, unknown> = {}) =>
  ({ iss: ISS, aud: 'api', exp: NOW + 300, iat: NOW, sub: 'alice', jti: 'j1', ...extra }) as AccessTokenClaims;
// Its jti and sub, each for its issuer and for any issuer: the order the readings follow.
const KEYS = lookupKeys(claims());
const NOTHING: Reading = { known: false, until: 0 };

/** An ioredis-shaped client whose duplicate() is an emitter the test drives. */
function fakeRedis() {
  const subscriber = Object.assign(new EventEmitter(), {
    status: 'ready',
    subscribe: vi.fn(async (..._channels: string[]) => 2),
    connect: vi.fn(async () => undefined),
    disconnect: vi.fn(() => undefined),
  });
  const client = { status: 'ready', call: async () => 'OK', duplicate: () => subscriber } as unknown as RedisClientLike;
  const link = {
    /** Whether a PUBLISH comes back through the subscription. */
    delivering: true,
    ready: true,
    /** Runs once, right after the next probe has come back. */
    afterProbe: undefined as (() => void) | undefined,
  };
  const connection: Connection = {
    send: vi.fn(async ([command, channel, message]: readonly string[]) => {
      if (command === 'PUBLISH' && link.delivering) {
        queueMicrotask(() => {
          subscriber.emit('message', channel, message);
          link.afterProbe?.();
          link.afterProbe = undefined;
        });
      }
      return 1;
    }),
    isReady: () => link.ready,
  };
  return { client, connection, subscriber, link };
}

describe('the local tier', () => {
  let redis: ReturnType<typeof fakeRedis>;
  let tier: LocalTier;
  const open = (maxEntries = 100) => {
    tier = createLocalTier({
      client: redis.client,
      connection: redis.connection,
      eventsChannel: EVENTS,
      probeChannel: PROBE,
      timeoutMs: TIMEOUT_MS,
      settings: { maxEntries, heartbeatMs: HEARTBEAT_MS },
    });
    return tier;
  };
  /** What a lookup of `KEYS` that found nothing teaches the tier, as the store hands it over. */
  const learnNothing = (stamp: number, of = claims()) => tier.learn(stamp, of, KEYS, KEYS.map(() => NOTHING), false);

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW * 1000 });
    redis = fakeRedis();
  });
  afterEach(() => {
    tier?.close();
    vi.useRealTimers();
  });

  it('goes live only once its own probe has come back through the subscription', async () => {
    redis.link.delivering = false;
    open();
    expect(tier.state).toBe('syncing');
    await vi.advanceTimersByTimeAsync(500);
    expect(tier.state).toBe('syncing');
    expect(redis.subscriber.subscribe).toHaveBeenCalledWith(EVENTS, PROBE);
    redis.link.delivering = true;
    // Within one retry period (100 ms) of the failed probe's verdict.
    await vi.advanceTimersByTimeAsync(150);
    expect(tier.state).toBe('live');
  });

  it('answers nothing from memory until live', async () => {
    open();
    learnNothing(tier.stamp());
    expect(tier.answer(claims())).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.state).toBe('live');
    expect(tier.answer(claims())).toBeUndefined(); // what was learnt while syncing was not kept
    learnNothing(tier.stamp());
    expect(tier.answer(claims())).toBe(false);
  });

  it('keeps nothing a lookup learnt while a message arrived', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    const stamp = tier.stamp();
    redis.subscriber.emit('message', EVENTS, 'jti:*:someone-else');
    learnNothing(stamp);
    expect(tier.answer(claims())).toBeUndefined();
  });

  it('forgets a key when a message names it, and one it wrote itself at once', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    const revoked: Reading[] = [NOTHING, { known: true, until: NOW + 300 }, NOTHING, NOTHING];
    tier.learn(tier.stamp(), claims(), KEYS, revoked, true);
    expect(tier.answer(claims())).toBe(true);
    redis.subscriber.emit('message', EVENTS, 'jti:*:j1');
    expect(tier.answer(claims())).toBeUndefined();
    tier.learn(tier.stamp(), claims(), KEYS, revoked, true);
    tier.forget('jti:*:j1');
    expect(tier.answer(claims())).toBeUndefined();
  });

  it('forgets an entry when Redis does, and never keeps one whose expiry it could not read', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    tier.learn(tier.stamp(), claims(), KEYS, [NOTHING, { known: true, until: NOW + 2 }, NOTHING, NOTHING], true);
    expect(tier.answer(claims())).toBe(true);
    await vi.advanceTimersByTimeAsync(2001);
    expect(tier.answer(claims())).toBeUndefined();
    tier.learn(tier.stamp(), claims(), KEYS, [NOTHING, { known: true, until: Number.NaN }, NOTHING, NOTHING], true);
    expect(tier.answer(claims())).toBeUndefined();
  });

  it('forgets an entry when Redis does, however long remembering it took', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    // Every reading of the clock while the tier learns finds it 40 ms later: the pauses a loaded
    // machine (or the cache allocating its ttl tracking for its first such entry) puts there.
    let clock = Date.now();
    const now = vi.spyOn(Date, 'now').mockImplementation(() => (clock += 40));
    try {
      tier.learn(tier.stamp(), claims(), KEYS, [NOTHING, { known: true, until: NOW + 2 }, NOTHING, NOTHING], true);
    } finally {
      now.mockRestore();
    }
    expect(tier.answer(claims())).toBe(true);
    await vi.advanceTimersByTimeAsync((NOW + 2) * 1000 - Date.now()); // Redis still holds it
    expect(tier.answer(claims())).toBe(true);
    await vi.advanceTimersByTimeAsync(1); // Redis has let it go
    expect(tier.answer(claims())).toBeUndefined();
  });

  it("applies a subject's cut-off to the claims asked about", async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    const cutoff: Reading[] = [NOTHING, NOTHING, NOTHING, { known: { before: NOW }, until: NOW + 3600 }];
    tier.learn(tier.stamp(), claims({ iat: NOW + 1 }), KEYS, cutoff, false);
    expect(tier.answer(claims({ iat: NOW + 1 }))).toBe(false);
    expect(tier.answer(claims({ iat: NOW - 1 }))).toBe(true);
    expect(tier.answer(claims({ iat: undefined }))).toBe(true);
  });

  it('answers a token with neither jti nor sub, and one without jti, from memory once live', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.answer(claims({ jti: undefined, sub: undefined }))).toBe(false);
    const subjectOnly = claims({ jti: undefined });
    const keys = KEYS.slice(2);
    tier.learn(tier.stamp(), subjectOnly, keys, keys.map(() => NOTHING), false);
    expect(tier.answer(subjectOnly)).toBe(false);
  });

  it('keeps giving right answers when its pinned answers outgrow maxEntries', async () => {
    open(1);
    await vi.advanceTimersByTimeAsync(0);
    const first = claims({ jti: 'a', sub: undefined });
    const second = claims({ jti: 'b', sub: undefined });
    tier.learn(tier.stamp(), first, ['jti:*:a'], [NOTHING], false);
    expect(tier.answer(first)).toBe(false);
    tier.learn(tier.stamp(), second, ['jti:*:b'], [NOTHING], false);
    expect(tier.answer(second)).toBe(false);
    expect(tier.answer(first)).toBeUndefined(); // both the pin and the cached key made room
  });

  it('falls back to syncing and forgets everything when the subscriber connection drops', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    learnNothing(tier.stamp());
    redis.subscriber.emit('reconnecting');
    expect(tier.state).toBe('syncing');
    expect(tier.answer(claims())).toBeUndefined();
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.state).toBe('live');
    expect(tier.answer(claims())).toBeUndefined();
    expect(redis.subscriber.subscribe).toHaveBeenCalledTimes(2);
  });

  it('falls back to syncing when a heartbeat probe does not come back in time', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    redis.link.delivering = false;
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS + TIMEOUT_MS - 1);
    expect(tier.state).toBe('live');
    // The timeout falls due, and its verdict follows one pass over pending I/O.
    await vi.advanceTimersByTimeAsync(2);
    expect(tier.state).toBe('syncing');
  });

  it('falls back to syncing when a heartbeat finds a connection down, and reopens the subscriber', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    redis.link.ready = false;
    redis.subscriber.status = 'end';
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(tier.state).toBe('syncing');
    expect(redis.subscriber.connect).toHaveBeenCalled();
    // Still down: it keeps waiting without claiming anything.
    await vi.advanceTimersByTimeAsync(500);
    expect(tier.state).toBe('syncing');
    redis.link.ready = true;
    redis.subscriber.status = 'ready';
    redis.subscriber.emit('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.state).toBe('live');
  });

  it('subscribes only once its connection is ready, never during the handshake', async () => {
    // ioredis sends a SUBSCRIBE made during its handshake at once, then refuses its own ready
    // check in subscriber mode and reconnects without the subscription (redis/ioredis#2037).
    redis.subscriber.status = 'connect';
    open();
    await vi.advanceTimersByTimeAsync(500);
    expect(redis.subscriber.subscribe).not.toHaveBeenCalled();
    expect(tier.state).toBe('syncing');
    redis.subscriber.status = 'ready';
    redis.subscriber.emit('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(redis.subscriber.subscribe).toHaveBeenCalledOnce();
    expect(tier.state).toBe('live');
  });

  it('does not go live on a probe that came back across a drop of the subscription', async () => {
    open();
    redis.link.afterProbe = () => redis.subscriber.emit('error', new Error('connection reset'));
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.state).toBe('syncing');
    await vi.advanceTimersByTimeAsync(100);
    expect(tier.state).toBe('live');
  });

  it('does not go live on a probe abandoned because the subscription dropped while it was published', async () => {
    open();
    let publish = (): void => undefined;
    vi.mocked(redis.connection.send).mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          publish = () => resolve(1);
        }),
    );
    await vi.advanceTimersByTimeAsync(0);
    redis.subscriber.emit('close');
    publish();
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.state).toBe('syncing');
    await vi.advanceTimersByTimeAsync(100);
    expect(tier.state).toBe('live');
  });

  it('runs one attempt at a time, however many ready events arrive meanwhile', async () => {
    let subscribed = (): void => undefined;
    redis.subscriber.subscribe.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          subscribed = () => resolve(2);
        }),
    );
    open();
    await vi.advanceTimersByTimeAsync(0);
    redis.subscriber.emit('ready');
    redis.subscriber.emit('ready');
    await vi.advanceTimersByTimeAsync(0);
    expect(redis.subscriber.subscribe).toHaveBeenCalledTimes(1);
    subscribed();
    await vi.advanceTimersByTimeAsync(0);
    expect(tier.state).toBe('live');
  });

  it('stops for good on close: no timer, no answer, the subscriber connection closed', async () => {
    open();
    await vi.advanceTimersByTimeAsync(0);
    learnNothing(tier.stamp());
    tier.close();
    tier.close();
    expect(tier.state).toBe('closed');
    expect(tier.answer(claims())).toBeUndefined();
    expect(redis.subscriber.disconnect).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    redis.subscriber.emit('ready');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('when off, opens no connection and answers nothing', () => {
    const duplicate = vi.spyOn(redis.client as { duplicate: () => unknown }, 'duplicate');
    tier = createLocalTier({ client: redis.client, connection: redis.connection, eventsChannel: EVENTS, probeChannel: PROBE, timeoutMs: TIMEOUT_MS, settings: undefined });
    expect(tier.state).toBe('off');
    expect(tier.answer(claims())).toBeUndefined();
    expect(duplicate).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    tier.close();
    expect(tier.state).toBe('closed');
  });
});

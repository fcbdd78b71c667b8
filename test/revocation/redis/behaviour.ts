// The Redis store's behaviour, run once per client library (ioredis.test.ts, node-redis.test.ts),
// each file against its own redis-server.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRevocationStore, type RedisClientLike } from '../../../src/revocation/redis/index.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import {
  ISSUER,
  OTHER_ISSUER,
  adminClient,
  answersFromMemory,
  claimsFor,
  commandCalls,
  connectClient,
  expectUnavailable,
  live,
  storeFactory,
  subscriberClient,
  uniquePrefix,
  waitFor,
  type Library,
} from './support.js';

/** Wraps a real client so that the test can hold MGET replies back, to force an interleaving. */
function holdingLookups(client: RedisClientLike) {
  let gate: Promise<void> | undefined;
  let open = (): void => undefined;
  const held = async (args: readonly unknown[], reply: Promise<unknown>): Promise<unknown> => {
    const value = await reply;
    if (gate !== undefined && String(args[0]).toUpperCase() === 'MGET') await gate;
    return value;
  };
  const wrapped = new Proxy(client as object, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'call') return (...args: unknown[]) => held(args, method.apply(target, args) as Promise<unknown>);
      if (property === 'sendCommand') {
        return (args: unknown[]) => held(args, method.call(target, args) as Promise<unknown>);
      }
      return method.bind(target);
    },
  }) as RedisClientLike;
  return {
    client: wrapped,
    hold() {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

export function describeRedisStore(library: Library): void {
  describe(`createRedisRevocationStore with ${library}`, () => {
    let server: RedisServer;
    let admin: Redis;
    const stores = storeFactory(library, () => server.url);

    beforeAll(async () => {
      server = await startRedisServer();
      admin = adminClient(server.url);
    });
    afterEach(async () => {
      await stores.closeAll();
    });
    afterAll(async () => {
      admin?.disconnect();
      await server?.stop();
    });

    it('refuses a revoked jti and accepts every other token', async () => {
      const store = await stores.create({ prefix: uniquePrefix() });
      const revoked = claimsFor();
      await store.revoke(revoked.jti as string, revoked.exp, revoked.iss);
      expect(await store.isRevoked(revoked)).toBe(true);
      expect(await store.isRevoked(claimsFor())).toBe(false);
      expect(await store.isRevoked(claimsFor({ jti: undefined, sub: undefined }))).toBe(false);
    });

    it('keys entries by issuer and jti, never by the token', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix, localTier: false });
      const claims = claimsFor();
      const jti = claims.jti as string;
      await store.revoke(jti, claims.exp, ISSUER);
      expect(await store.isRevoked(claims)).toBe(true);
      expect(await store.isRevoked({ ...claims, iss: OTHER_ISSUER })).toBe(false);
      expect(await admin.keys(`${prefix}*`)).toEqual([`${prefix}jti:${ISSUER.length}:${ISSUER}:${jti}`]);

      // Without an issuer, the jti is refused whichever issuer signed it.
      const anywhere = claimsFor();
      await store.revoke(anywhere.jti as string, anywhere.exp);
      expect(await store.isRevoked(anywhere)).toBe(true);
      expect(await store.isRevoked({ ...anywhere, iss: OTHER_ISSUER })).toBe(true);
    });

    it('gives a token entry the expiry exp + clockTolerance (EXAT), and never shortens it', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix, clockTolerance: 30, localTier: false });
      const claims = claimsFor();
      const key = `${prefix}jti:*:${claims.jti as string}`;
      await store.revoke(claims.jti as string, claims.exp + 600);
      expect(await admin.call('EXPIRETIME', key)).toBe(claims.exp + 630);
      await store.revoke(claims.jti as string, claims.exp);
      expect(await admin.call('EXPIRETIME', key)).toBe(claims.exp + 630);
      expect(store.clockTolerance).toBe(30);
    });

    it('writes nothing for a token already expired past the tolerance', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix, clockTolerance: 10 });
      const claims = claimsFor({ exp: Math.floor(Date.now() / 1000) - 11 });
      await store.revoke(claims.jti as string, claims.exp);
      expect(await admin.keys(`${prefix}*`)).toEqual([]);
    });

    it('forgets a revocation when the token expires, in Redis and in every local tier', async () => {
      const prefix = uniquePrefix();
      const writer = await stores.create({ prefix, clockTolerance: 0, localTier: false });
      const reader = await stores.create({ prefix, clockTolerance: 0 });
      await live(reader);
      // exp one to two seconds ahead: a real wait, as Redis expires keys on its own clock.
      const exp = Math.floor(Date.now() / 1000) + 2;
      const claims = claimsFor({ exp });
      await writer.revoke(claims.jti as string, exp);
      expect(await reader.isRevoked(claims)).toBe(true);
      // Once the announcement has passed, the answer is held in memory.
      await waitFor('the local tier to hold the entry', () => answersFromMemory(reader, claims, true), 1000);
      await waitFor('the entry to expire', () => Date.now() >= exp * 1000 + 20, 3000);
      expect(await admin.exists(`${prefix}jti:*:${claims.jti as string}`)).toBe(0);
      expect(await reader.isRevoked(claims)).toBe(false);
      expect(await writer.isRevoked(claims)).toBe(false);
    });

    it('revokes every token of a subject issued before the cut-off, and keeps it for maxTokenLifetime', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix, clockTolerance: 60, maxTokenLifetime: 3600 });
      const now = Math.floor(Date.now() / 1000);
      const sub = 'alice';
      await store.revokeSubject(sub, now);
      expect(await store.isRevoked(claimsFor({ sub, iat: now - 10 }))).toBe(true);
      expect(await store.isRevoked(claimsFor({ sub, iat: now - 1 }))).toBe(true);
      expect(await store.isRevoked(claimsFor({ sub, iat: now }))).toBe(false);
      expect(await store.isRevoked(claimsFor({ sub, iat: undefined }))).toBe(true); // cannot prove it came after
      expect(await store.isRevoked(claimsFor({ sub: 'bob', iat: now - 10 }))).toBe(false);
      expect(await store.isRevoked(claimsFor({ sub, iat: now - 10, iss: OTHER_ISSUER }))).toBe(true);
      expect(await admin.call('EXPIRETIME', `${prefix}sub:*:${sub}`)).toBe(now + 3600 + 60);

      // An earlier cut-off never lowers a later one, nor shortens its life.
      await store.revokeSubject(sub, now - 100);
      expect(await store.isRevoked(claimsFor({ sub, iat: now - 50 }))).toBe(true);
      expect(await admin.call('EXPIRETIME', `${prefix}sub:*:${sub}`)).toBe(now + 3600 + 60);
    });

    it('limits a subject revocation to one issuer when given one', async () => {
      const store = await stores.create({ prefix: uniquePrefix() });
      const now = Math.floor(Date.now() / 1000);
      await store.revokeSubject('carol', now, OTHER_ISSUER);
      expect(await store.isRevoked(claimsFor({ sub: 'carol', iat: now - 5, iss: OTHER_ISSUER }))).toBe(true);
      expect(await store.isRevoked(claimsFor({ sub: 'carol', iat: now - 5, iss: ISSUER }))).toBe(false);
    });

    it('refuses every token of a subject whose entry it cannot read, and never holds that answer in memory', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix });
      await live(store);
      const now = Math.floor(Date.now() / 1000);
      await admin.set(`${prefix}sub:*:dave`, 'garbled', 'EX', 60);
      const claims = claimsFor({ sub: 'dave', iat: now + 1 });
      expect(await store.isRevoked(claims)).toBe(true);
      const again = store.isRevoked(claims);
      expect(again).toBeInstanceOf(Promise); // asked of Redis again, every time
      expect(await again).toBe(true);
      await admin.del(`${prefix}sub:*:dave`);
      expect(await store.isRevoked(claims)).toBe(false);
    });

    it('answers from the local tier without a round trip once live; without it, asks Redis every time', async () => {
      const prefix = uniquePrefix();
      const cached = await stores.create({ prefix });
      await live(cached);
      const claims = claimsFor();
      const before = await commandCalls(admin, 'mget');
      expect(await cached.isRevoked(claims)).toBe(false);
      expect(await commandCalls(admin, 'mget')).toBe(before + 1);
      for (let i = 0; i < 5; i++) expect(cached.isRevoked(claims)).toBe(false); // a boolean, not a promise
      expect(await commandCalls(admin, 'mget')).toBe(before + 1);

      const direct = await stores.create({ prefix, localTier: false });
      for (let i = 0; i < 3; i++) expect(await direct.isRevoked(claims)).toBe(false);
      expect(await commandCalls(admin, 'mget')).toBe(before + 4);
    });

    it("refuses a revocation made on another instance within 100 ms, through that instance's local tier", async () => {
      const prefix = uniquePrefix();
      const writer = await stores.create({ prefix });
      const reader = await stores.create({ prefix });
      await Promise.all([live(writer), live(reader)]);
      const samples: number[] = [];
      for (let round = 0; round < 6; round++) {
        // Frozen, as the verifier hands them over (its answers are then pinned to the object), or not.
        const claims = round % 2 === 0 ? Object.freeze(claimsFor()) : claimsFor();
        expect(await reader.isRevoked(claims)).toBe(false);
        expect(reader.isRevoked(claims)).toBe(false); // cached "not revoked"
        const started = performance.now();
        await writer.revoke(claims.jti as string, claims.exp, claims.iss);
        let refusedAfter = Number.POSITIVE_INFINITY;
        while (performance.now() - started < 1000) {
          if ((await reader.isRevoked(claims)) === true) {
            refusedAfter = performance.now() - started;
            break;
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        samples.push(refusedAfter);
      }
      expect(Math.max(...samples)).toBeLessThan(100);
    });

    it('never pins an answer to claims that can still change', async () => {
      const store = await stores.create({ prefix: uniquePrefix() });
      await live(store);
      const revoked = claimsFor();
      await store.revoke(revoked.jti as string, revoked.exp, revoked.iss);
      const claims = claimsFor();
      await waitFor('the answer to be held in memory', () => answersFromMemory(store, claims, false), 1000);
      claims.jti = revoked.jti as string;
      expect(await store.isRevoked(claims)).toBe(true);
    });

    it('holds an answer in memory only for the claims it was computed from', async () => {
      const store = await stores.create({ prefix: uniquePrefix() });
      await live(store);
      const now = Math.floor(Date.now() / 1000);
      await store.revokeSubject('mallory', now, ISSUER);
      const jti = 'shared-jti';
      // Same jti each time; what differs is what the answer depends on.
      const variants = [
        [claimsFor({ jti, sub: 'alice', iat: now - 10 }), claimsFor({ jti, sub: 'mallory', iat: now - 10 })],
        [claimsFor({ jti, sub: 'mallory', iat: now + 1 }), claimsFor({ jti, sub: 'mallory', iat: now - 10 })],
        [claimsFor({ jti, sub: 'mallory', iat: now - 10, iss: OTHER_ISSUER }), claimsFor({ jti, sub: 'mallory', iat: now - 10 })],
      ] as const;
      for (const [accepted, refused] of variants) {
        await waitFor('the answer to be held in memory', () => answersFromMemory(store, accepted, false), 1000);
        expect(await store.isRevoked(refused)).toBe(true);
      }
    });

    it('does not lose a revocation announced while a lookup was in flight', { timeout: 60_000 }, async () => {
      const prefix = uniquePrefix();
      // Ready before it subscribes, or it may silently lose its subscription (subscriberClient).
      const observer = await subscriberClient(server.url);
      const { client, close } = await connectClient(library, server.url);
      const holder = holdingLookups(client);
      // The test holds the reader's replies on purpose: a timeout far beyond the hold keeps a
      // loaded machine from turning the held lookup into revocation_unavailable.
      const reader = createRedisRevocationStore({ client: holder.client, prefix, timeout: 30 });
      const writer = await stores.create({ prefix, localTier: false });
      try {
        await live(reader);
        const announced: string[] = [];
        observer.on('message', (_channel: string, message: string) => announced.push(message));
        await observer.subscribe(`${prefix}events`);
        // Both listeners (the reader's subscriber and this observer) registered on the server
        // itself, so the announcement below cannot be published before either can hear it.
        await waitFor('both subscriptions on the server', async () => {
          const [, listeners] = (await admin.call('PUBSUB', 'NUMSUB', `${prefix}events`)) as [string, number];
          return listeners >= 2;
        });
        const claims = claimsFor();

        holder.hold();
        const mgets = await commandCalls(admin, 'mget');
        const answer = Promise.resolve(reader.isRevoked(claims));
        // Awaited below; until then, a rejection must not surface as an unhandled one.
        answer.catch(() => undefined);
        await waitFor('the lookup to reach Redis', async () => (await commandCalls(admin, 'mget')) > mgets);
        await writer.revoke(claims.jti as string, claims.exp, claims.iss);
        await waitFor('the announcement', () => announced.length > 0, 15_000);
        // The reader's subscriber got the same message at about the same time; leave it ample room.
        await new Promise((resolve) => setTimeout(resolve, 100));
        holder.release();
        expect(await answer).toBe(false); // true when Redis read it; it must not be cached now
        expect(await reader.isRevoked(claims)).toBe(true);
      } finally {
        holder.release();
        await reader.close();
        observer.disconnect();
        await close();
      }
    });

    it('after losing its subscription, answers from Redis until resubscribed and resynchronised', async () => {
      const prefix = uniquePrefix();
      const reader = await stores.create({ prefix });
      const writer = await stores.create({ prefix, localTier: false });
      await live(reader);
      const cachedAnswer = Object.freeze(claimsFor());
      const revokedMeanwhile = Object.freeze(claimsFor());
      expect(await reader.isRevoked(cachedAnswer)).toBe(false);
      expect(await reader.isRevoked(revokedMeanwhile)).toBe(false);
      expect(reader.isRevoked(revokedMeanwhile)).toBe(false); // both cached "not revoked"

      // Drop the subscriber and keep it out: connections already open stay authenticated.
      await admin.call('ACL', 'SETUSER', 'default', 'off');
      try {
        await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
        await waitFor('the reader to notice', () => reader.localTierState === 'syncing', 1000);
        // Announced while nobody listens: only a direct lookup can see it.
        await writer.revoke(revokedMeanwhile.jti as string, revokedMeanwhile.exp, revokedMeanwhile.iss);
        const mgets = await commandCalls(admin, 'mget');
        const during = reader.isRevoked(revokedMeanwhile);
        expect(during).toBeInstanceOf(Promise);
        expect(await during).toBe(true);
        const cachedDuring = reader.isRevoked(cachedAnswer);
        expect(cachedDuring).toBeInstanceOf(Promise); // not served from memory while syncing
        expect(await cachedDuring).toBe(false);
        expect(await commandCalls(admin, 'mget')).toBe(mgets + 2);
        expect(reader.localTierState).toBe('syncing');
      } finally {
        await admin.call('ACL', 'SETUSER', 'default', 'on');
      }

      await live(reader);
      expect(await reader.isRevoked(revokedMeanwhile)).toBe(true);
      expect(await reader.isRevoked(cachedAnswer)).toBe(false);
      expect(reader.isRevoked(cachedAnswer)).toBe(false); // the local tier serves again
    });

    it('stops answering from memory when the subscription stops proving itself (heartbeat)', async () => {
      const reader = await stores.create({ prefix: uniquePrefix(), timeout: 0.1, localTier: { heartbeatInterval: 0.05 } });
      await live(reader);
      const claims = claimsFor();
      expect(await reader.isRevoked(claims)).toBe(false);
      expect(reader.isRevoked(claims)).toBe(false);
      const pauser = adminClient(server.url);
      try {
        await pauser.call('CLIENT', 'PAUSE', '800', 'ALL');
        await waitFor('the heartbeat to fail', () => reader.localTierState === 'syncing', 700);
        await expectUnavailable(reader.isRevoked(claims)); // no cached "not revoked" while unproven
        await live(reader);
        expect(await reader.isRevoked(claims)).toBe(false);
      } finally {
        pauser.disconnect();
      }
    });

    it('honours the timeout on every call when Redis is slow', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix, timeout: 0.2, localTier: false });
      const claims = claimsFor();
      const sleeper = adminClient(server.url);
      await sleeper.ping();
      try {
        const sleeping = sleeper.call('DEBUG', 'SLEEP', '1.5');
        await new Promise((resolve) => setTimeout(resolve, 20)); // let DEBUG SLEEP reach the server first
        let started = performance.now();
        const lookup = await expectUnavailable(store.isRevoked(claims));
        expect(lookup.message).toMatch(/within 200 ms/);
        // Well before Redis wakes up (1.5 s), with room for a busy machine.
        expect(performance.now() - started).toBeGreaterThanOrEqual(190);
        expect(performance.now() - started).toBeLessThan(1000);
        started = performance.now();
        await expectUnavailable(store.revoke(claims.jti as string, claims.exp));
        expect(performance.now() - started).toBeLessThan(1000);
        await sleeping;
      } finally {
        sleeper.disconnect();
      }
      // A write that timed out may still land: revoking again is how to be sure.
      await store.revoke(claims.jti as string, claims.exp);
      expect(await store.isRevoked(claims)).toBe(true);
    });

    it('fails closed while Redis is down, then recovers once it is back', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix, timeout: 0.2 });
      await live(store);
      const accepted = claimsFor();
      expect(await store.isRevoked(accepted)).toBe(false);
      expect(store.isRevoked(accepted)).toBe(false);

      await server.kill();
      await waitFor('the store to notice', () => store.localTierState === 'syncing', 2000);
      await expectUnavailable(store.isRevoked(accepted));
      await expectUnavailable(store.isRevoked(claimsFor()));
      // The write is refused; the client may still send it once Redis is back, which is harmless.
      const unwritten = claimsFor();
      await expectUnavailable(store.revoke(unwritten.jti as string, unwritten.exp));

      await server.restart();
      await waitFor('the store to answer again', async () => {
        try {
          return (await store.isRevoked(accepted)) === false;
        } catch {
          return false;
        }
      });
      await live(store);
      await waitFor('the local tier to serve again', () => answersFromMemory(store, accepted, false), 1000);
      await store.revoke(accepted.jti as string, accepted.exp, accepted.iss);
      expect(await store.isRevoked(accepted)).toBe(true);
    });

    it('fails open only when asked to, and reports each token it lets through', async () => {
      // Nothing listens on this port: every call is refused.
      const deadUrl = `redis://127.0.0.1:${await closedPort()}`;
      const closed = await stores.create({ timeout: 0.1 }, { url: deadUrl });
      await expectUnavailable(closed.isRevoked(claimsFor()));

      const events: unknown[] = [];
      const open = await stores.create(
        { timeout: 0.1, failOpen: true, onFailOpen: (event) => events.push(event) },
        { url: deadUrl },
      );
      const first = claimsFor();
      const second = claimsFor();
      expect(await open.isRevoked(first)).toBe(false);
      expect(await open.isRevoked(second)).toBe(false);
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({ iss: first.iss, sub: first.sub, jti: first.jti });
      expect(events[1]).toMatchObject({ jti: second.jti });
      expect((events[0] as { error: { code: string } }).error.code).toBe('revocation_unavailable');
      // Writes never pretend, fail-open or not.
      await expectUnavailable(open.revoke(first.jti as string, first.exp));
    });

    it('close() ends the subscription and leaves the client usable', async () => {
      const prefix = uniquePrefix();
      const store = await stores.create({ prefix });
      await live(store);
      expect(await admin.call('PUBSUB', 'NUMSUB', `${prefix}events`)).toEqual([`${prefix}events`, 1]);
      await store.close();
      expect(store.localTierState).toBe('closed');
      await waitFor('the subscriber to leave', async () => {
        const [, count] = (await admin.call('PUBSUB', 'NUMSUB', `${prefix}events`)) as [string, number];
        return count === 0;
      });
      const claims = claimsFor();
      await store.revoke(claims.jti as string, claims.exp);
      expect(await store.isRevoked(claims)).toBe(true);
    });
  });
}

async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

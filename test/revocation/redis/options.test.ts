// Option checks happen once, in the factory, before any connection is used.
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { createClient as createClientV4, createCluster as createClusterV4 } from 'redis4';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRedisRevocationStore, type RedisRevocationStoreOptions } from '../../../src/revocation/redis/index.js';

// Never connected: lazyConnect for ioredis, no connect() for node-redis. Port 9 is discard.
const ioredis = new Redis({ host: '127.0.0.1', port: 9, lazyConnect: true });
const nodeRedis = createClient({ url: 'redis://127.0.0.1:9' });
const nodeRedis4 = createClientV4({ url: 'redis://127.0.0.1:9' });
afterAll(() => {
  ioredis.disconnect();
});

const create = (options: Record<string, unknown>) =>
  createRedisRevocationStore({ client: ioredis, localTier: false, ...options } as RedisRevocationStoreOptions);

describe('createRedisRevocationStore options', () => {
  it('accepts an ioredis and a node-redis (4 or 5) client as they are, without casts', async () => {
    const fromIoredis = createRedisRevocationStore({ client: ioredis, localTier: false });
    const fromNodeRedis = createRedisRevocationStore({ client: nodeRedis, localTier: false });
    const fromNodeRedis4 = createRedisRevocationStore({ client: nodeRedis4, localTier: false });
    expect(fromIoredis.localTierState).toBe('off');
    expect(fromNodeRedis.localTierState).toBe('off');
    expect(fromNodeRedis4.localTierState).toBe('off');
    expect(fromIoredis.clockTolerance).toBe(60);
    await Promise.all([fromIoredis.close(), fromNodeRedis.close(), fromNodeRedis4.close()]);
  });

  it("opens its ioredis subscriber without ioredis's own resubscription, whose promise nobody handles", async () => {
    // The store subscribes again itself after a reconnection (behaviour.ts: "recovers once it is
    // back" goes live again through that subscription). Left on, ioredis also sends a SUBSCRIBE
    // of its own, and closing the store while it is pending rejects it unhandled.
    const duplicate = vi.spyOn(ioredis, 'duplicate');
    const store = createRedisRevocationStore({ client: ioredis });
    expect(duplicate).toHaveBeenCalledTimes(1);
    expect(duplicate.mock.calls[0]?.[0]).toMatchObject({ autoResubscribe: false });
    expect((duplicate.mock.results[0]?.value as Redis).options.autoResubscribe).toBe(false);
    await store.close();
    duplicate.mockRestore();
  });

  it('refuses anything but a client, naming the option', () => {
    expect(() => createRedisRevocationStore(undefined as unknown as RedisRevocationStoreOptions)).toThrow(TypeError);
    expect(() => create({ client: undefined })).toThrow(/option "client"/);
    expect(() => create({ client: { get: () => undefined } })).toThrow(/option "client"/);
    expect(() => create({ client: 'redis://127.0.0.1:6379' })).toThrow(TypeError);
  });

  describe('with a Redis Cluster client (ioredis Cluster, node-redis 5 and 4 createCluster)', () => {
    // Never connected, like the clients above.
    const ioCluster = new Cluster([{ host: '127.0.0.1', port: 9 }], { lazyConnect: true });
    const clusters = [ioCluster, createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:9' }] }), createClusterV4({ rootNodes: [{ url: 'redis://127.0.0.1:9' }] })];
    afterAll(() => {
      ioCluster.disconnect();
    });

    it('requires localTier: false, since the local tier could not tell when a cluster lost a message', () => {
      for (const client of clusters) {
        expect(() => createRedisRevocationStore({ client })).toThrow(/option "localTier" must be false with a Redis Cluster client/);
        expect(() => createRedisRevocationStore({ client, localTier: { maxEntries: 10 } })).toThrow(/"localTier"/);
      }
    });

    it('requires a hash tag in the prefix, so that one MGET finds every key of a token in one slot', () => {
      for (const prefix of ['tokenwarden:', 'a{}b:', 'a}b{c:', 'open{only:']) {
        for (const client of clusters) {
          expect(() => createRedisRevocationStore({ client, localTier: false, prefix })).toThrow(/option "prefix" must be a prefix with a hash tag/);
        }
      }
    });

    it('takes a hash-tagged prefix, and defaults to one', async () => {
      for (const client of clusters) {
        const tagged = createRedisRevocationStore({ client, localTier: false, prefix: 'orders:{revocation}:' });
        const byDefault = createRedisRevocationStore({ client, localTier: false });
        expect(tagged.localTierState).toBe('off');
        expect(byDefault.localTierState).toBe('off');
        await Promise.all([tagged.close(), byDefault.close()]);
      }
    });
  });

  it('refuses unknown options, so that a typo fails at start-up', () => {
    expect(() => create({ prefx: 'a:' })).toThrow(/unknown option "prefx"/);
    expect(() => create({ localTier: { heartbeat: 1 } })).toThrow(/unknown option "localTier.heartbeat"/);
  });

  it.each([
    [{ prefix: '' }, TypeError, /"prefix"/],
    [{ prefix: 42 }, TypeError, /"prefix"/],
    [{ timeout: 0 }, RangeError, /"timeout"/],
    [{ timeout: 61 }, RangeError, /"timeout"/],
    [{ timeout: '250ms' }, TypeError, /"timeout"/],
    [{ clockTolerance: -1 }, RangeError, /"clockTolerance"/],
    [{ maxTokenLifetime: 0 }, RangeError, /"maxTokenLifetime"/],
    [{ localTier: 'yes' }, TypeError, /"localTier"/],
    [{ localTier: { maxEntries: 0 } }, RangeError, /"localTier.maxEntries"/],
    [{ localTier: { maxEntries: 1.5 } }, TypeError, /"localTier.maxEntries"/],
    [{ localTier: { heartbeatInterval: 0 } }, RangeError, /"localTier.heartbeatInterval"/],
    [{ failOpen: 'true' }, TypeError, /"failOpen"/],
    [{ failOpen: true, onFailOpen: 'log' }, TypeError, /"onFailOpen"/],
    [{ onFailOpen: () => undefined }, TypeError, /"onFailOpen"/],
  ])('refuses %j', (options, type, message) => {
    expect(() => create(options)).toThrow(type);
    expect(() => create(options)).toThrow(message);
  });

  it('checks the arguments of revoke and revokeSubject before touching Redis, naming the wrong one', async () => {
    const store = create({});
    await expect(store.revoke('', 1)).rejects.toThrow(TypeError);
    await expect(store.revoke('', 1)).rejects.toThrow(/revoke\(jti\) needs a non-empty string/);
    await expect(store.revoke('j', Number.NaN)).rejects.toThrow(TypeError);
    await expect(store.revoke('j', Number.NaN)).rejects.toThrow(/needs expiresAt in seconds since the epoch/);
    await expect(store.revoke('j', 1e12, '')).rejects.toThrow(TypeError);
    await expect(store.revoke('j', 1e12, '')).rejects.toThrow(/revoke\(…, issuer\) needs a non-empty string or nothing/);
    await expect(store.revokeSubject('')).rejects.toThrow(TypeError);
    await expect(store.revokeSubject('')).rejects.toThrow(/revokeSubject\(sub\) needs a non-empty string/);
    await expect(store.revokeSubject('alice', Number.POSITIVE_INFINITY)).rejects.toThrow(TypeError);
    await expect(store.revokeSubject('alice', Number.POSITIVE_INFINITY)).rejects.toThrow(/needs before in seconds since the epoch/);
    await expect(store.revokeSubject('alice', 1e10, '')).rejects.toThrow(/revokeSubject\(…, issuer\) needs a non-empty string or nothing/);
    expect(ioredis.status).toBe('wait'); // nothing was sent
  });

  it('answers without Redis for a token that has neither jti nor sub', () => {
    const store = create({});
    expect(store.isRevoked({ iss: 'https://issuer.test', aud: 'api', exp: 1e10 })).toBe(false);
  });
});

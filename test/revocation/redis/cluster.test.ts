// The Redis store on a real Redis Cluster of three primaries on loopback, through the cluster
// client of each library. The local tier is off on a cluster (options.test.ts), so every lookup
// is one MGET, which the hash tag in the prefix keeps within one slot.
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError } from '../../../src/errors.js';
import { createRedisRevocationStore, type RedisRevocationStore, type RedisRevocationStoreOptions } from '../../../src/revocation/redis/index.js';
import { createTestIssuer, type TestIssuer } from '../../../src/testing/index.js';
import { createVerifier } from '../../../src/verifier.js';
import { startRedisCluster, type RedisCluster } from '../../helpers/redis-server.js';
import { connectClusterClient } from './clients.js';
import { ISSUER, LIBRARIES, claimsFor, expectUnavailable, waitFor } from './support.js';

const taggedPrefix = (): string => `test:{${randomUUID().slice(0, 8)}}:`;

let cluster: RedisCluster;
// The test's own view of the cluster: which node serves a slot, where a key landed.
let admin: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  admin = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })), { clusterRetryStrategy: () => 20 });
  admin.on('error', () => undefined);
});
afterAll(async () => {
  admin?.disconnect();
  await cluster?.stop();
});

/** The node (of `cluster.nodes`) that serves the slot of `key`. */
async function nodeServing(key: string): Promise<number> {
  const slot = Number(await admin.call('CLUSTER', 'KEYSLOT', key));
  const ranges = (await admin.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
  const port = ranges.find(([first, last]) => slot >= first && slot <= last)?.[2][1];
  const index = cluster.nodes.findIndex((node) => node.port === port);
  if (index === -1) throw new Error(`no node serves slot ${slot}`);
  return index;
}

describe.each(LIBRARIES)('createRedisRevocationStore on a Redis Cluster (%s)', (library) => {
  const open: (() => Promise<void>)[] = [];
  async function createStore(options: Omit<RedisRevocationStoreOptions, 'client' | 'localTier'> = {}): Promise<RedisRevocationStore> {
    const { client, close } = await connectClusterClient(library, cluster.nodes);
    const store = createRedisRevocationStore({ client, localTier: false, timeout: 0.25, ...options });
    open.push(async () => {
      await store.close();
      await close();
    });
    return store;
  }
  afterEach(async () => {
    await Promise.all(open.splice(0).map((close) => close()));
  });

  it('refuses revoked tokens and subjects through one MGET, although their keys alone hash to different slots', async () => {
    const prefix = taggedPrefix();
    const store = await createStore({ prefix });
    const token = claimsFor();
    const ofSubject = claimsFor();
    const other = claimsFor();

    await store.revoke(token.jti as string, token.exp, token.iss);
    await store.revokeSubject(ofSubject.sub as string, (ofSubject.iat as number) + 1);
    expect(await store.isRevoked(token)).toBe(true);
    expect(await store.isRevoked(ofSubject)).toBe(true);
    expect(await store.isRevoked(other)).toBe(false);

    // Without the tag, the four keys a lookup reads would spread over slots (and nodes), and
    // the MGET would be refused: the answers above rest on the tag.
    const untagged = [`jti:${ISSUER.length}:${ISSUER}:${token.jti}`, `jti:*:${token.jti}`, `sub:*:${ofSubject.sub}`, `sub:*:${other.sub}`];
    const slots = await Promise.all(untagged.map((key) => admin.call('CLUSTER', 'KEYSLOT', `test:${key}`)));
    expect(new Set(slots).size).toBeGreaterThan(1);
    const stored = [`${prefix}jti:${ISSUER.length}:${ISSUER}:${token.jti}`, `${prefix}sub:*:${ofSubject.sub}`];
    expect(new Set(await Promise.all(stored.map((key) => admin.call('CLUSTER', 'KEYSLOT', key)))).size).toBe(1);
    expect(await Promise.all(stored.map((key) => admin.exists(key)))).toEqual([1, 1]);
  });

  it('keeps its keys in one slot under the default prefix', async () => {
    const store = await createStore();
    const token = claimsFor();
    await store.revoke(token.jti as string, token.exp);
    expect(await store.isRevoked(token)).toBe(true);
    expect(await admin.exists(`{tokenwarden:revocation}:jti:*:${token.jti}`)).toBe(1);
    expect(await admin.ttl(`{tokenwarden:revocation}:jti:*:${token.jti}`)).toBeGreaterThan(300);
  });

  it('fails closed while the primary of its slot is down, then answers again once it is back', async () => {
    const prefix = taggedPrefix();
    const store = await createStore({ prefix });
    const token = claimsFor();
    await store.revoke(token.jti as string, token.exp, token.iss);
    const node = cluster.nodes[await nodeServing(`${prefix}x`)]!;

    await node.kill();
    try {
      const started = performance.now();
      const error = await expectUnavailable(store.isRevoked(claimsFor()));
      expect(error.message).toMatch(/revocation lookup in Redis failed/);
      // Within the store's timeout, not the client's own retries.
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      await node.restart();
    }
    // No persistence in the tests, so the entry went with the node; what matters is that the
    // store answers again, and that a revocation written now holds.
    await waitFor('the store to answer again', () => Promise.resolve(store.isRevoked(token)).then(() => true, () => false), 10_000);
    await store.revoke(token.jti as string, token.exp, token.iss);
    expect(await store.isRevoked(token)).toBe(true);
  });

  it('lets createVerifier refuse a revoked token with token_revoked', async () => {
    const issuer: TestIssuer = await createTestIssuer({ audience: 'orders-api' });
    try {
      const store = await createStore({ prefix: taggedPrefix() });
      const verifier = createVerifier({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, revocation: store });
      const token = await issuer.sign({ sub: 'carol' });
      const claims = await verifier.verifyAccessToken(token);
      await store.revoke(claims.jti as string, claims.exp, claims.iss);
      const error = await verifier.verifyAccessToken(token).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(AccessTokenError);
      expect((error as AccessTokenError).code).toBe('token_revoked');
    } finally {
      await issuer.close();
    }
  });
});

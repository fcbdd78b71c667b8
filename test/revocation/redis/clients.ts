// Real clients of each supported library, with a fast reconnect. No vitest import: the
// multi-process fixture uses this module outside the test runner. node-redis 4 is installed
// beside 5 under the alias `redis4`, since the store supports both.
import { Cluster, Redis } from 'ioredis';
import { createClient, createCluster } from 'redis';
import { createClient as createClientV4, createCluster as createClusterV4 } from 'redis4';
import type { RedisClientLike } from '../../../src/revocation/redis/index.js';

export type Library = 'ioredis' | 'node-redis' | 'node-redis-4';
export const LIBRARIES: readonly Library[] = ['ioredis', 'node-redis', 'node-redis-4'];

export interface ClientOptions {
  /** Milliseconds between reconnection attempts (both connections, as duplicate() copies it). @default 20 */
  reconnectEvery?: number;
}

/** A real client of `library`, connecting to `url`; `close` ends it whatever its state. */
export async function connectClient(
  library: Library,
  url: string,
  options: ClientOptions = {},
): Promise<{ client: RedisClientLike; close(): Promise<void> }> {
  const every = options.reconnectEvery ?? 20;
  if (library === 'ioredis') {
    const client = new Redis(url, { retryStrategy: () => every, maxRetriesPerRequest: null, lazyConnect: true });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    return { client, close: async () => client.disconnect() };
  }
  const socket = { reconnectStrategy: () => every, connectTimeout: 1000 };
  const client = library === 'node-redis' ? createClient({ url, socket }) : createClientV4({ url, socket });
  client.on('error', () => undefined);
  // Against a dead port, connect() keeps retrying: do not wait for it there.
  await Promise.race([client.connect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
  return {
    client,
    close: async () => {
      // v5 has destroy(); v4 only disconnect(), which also drops the connection at once.
      if ('destroy' in client) client.destroy();
      else await client.disconnect().catch(() => undefined);
    },
  };
}

/**
 * A real Redis Cluster client of `library`, connected through `nodes`; `close` ends it. Cut off
 * from a node, it retries every 20 ms, and each of the store's calls gives up after its timeout.
 */
export async function connectClusterClient(
  library: Library,
  nodes: readonly { readonly host: string; readonly port: number }[],
): Promise<{ client: RedisClientLike; close(): Promise<void> }> {
  if (library === 'ioredis') {
    const client = new Cluster(
      nodes.map(({ host, port }) => ({ host, port })),
      { lazyConnect: true, clusterRetryStrategy: () => 20, redisOptions: { maxRetriesPerRequest: null } },
    );
    client.on('error', () => undefined);
    await client.connect();
    return { client, close: async () => client.disconnect() };
  }
  const rootNodes = nodes.map(({ host, port }) => ({ url: `redis://${host}:${port}` }));
  const defaults = { socket: { reconnectStrategy: () => 20, connectTimeout: 1000 } };
  const client = library === 'node-redis' ? createCluster({ rootNodes, defaults }) : createClusterV4({ rootNodes, defaults });
  client.on('error', () => undefined);
  await client.connect();
  return {
    client,
    close: async () => {
      if ('destroy' in client) client.destroy();
      else await client.disconnect().catch(() => undefined);
    },
  };
}

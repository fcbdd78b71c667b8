// The DPoP replay store of `verifier.dpop.replay`: the verifier's own memory store by default,
// or Redis by URL, so that a proof accepted by one sidecar is refused by every other. The Redis
// client comes from the optional peer the operator installed (ioredis first, else node-redis);
// the store fails closed (503) while Redis cannot answer, and the client reconnects meanwhile.
import type { ReplayStore } from '../dpop/replay.js';
import { createRedisReplayStore } from '../dpop/redis.js';
import type { RedisClientLike } from '../revocation/redis/client.js';
import type { ReplayConfig } from './binding-config.js';

/** An opened replay store; `close()` ends its connection. */
export interface OpenedReplay {
  /** `undefined` for the memory store: the verifier makes its own. */
  readonly store: ReplayStore | undefined;
  close(): Promise<void>;
}

const NOTHING: OpenedReplay = Object.freeze({ store: undefined, close: async () => undefined });
// Between reconnection attempts, and the longest wait for the first connection before serving.
const RECONNECT_MS = 500;
const FIRST_CONNECT_MS = 2000;

/**
 * Starts connecting and waits for the first connection, at most FIRST_CONNECT_MS: a Redis that
 * is down at start-up gives 503s until it is up, never a sidecar that does not start.
 */
async function firstConnection(client: { on(event: 'error', listener: () => void): unknown; connect(): Promise<unknown> }): Promise<void> {
  // Errors show as 503s from the store; an unhandled 'error' event would end the process.
  client.on('error', () => undefined);
  await Promise.race([client.connect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, FIRST_CONNECT_MS).unref())]);
}

async function ioredisClient(url: string): Promise<{ client: RedisClientLike; close(): Promise<void> } | undefined> {
  let Redis: typeof import('ioredis').Redis;
  try {
    ({ Redis } = await import('ioredis'));
  } catch {
    return undefined;
  }
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => RECONNECT_MS, maxRetriesPerRequest: 1 });
  await firstConnection(client);
  return { client, close: async () => client.disconnect() };
}

async function nodeRedisClient(url: string): Promise<{ client: RedisClientLike; close(): Promise<void> } | undefined> {
  let createClient: typeof import('redis').createClient;
  try {
    ({ createClient } = await import('redis'));
  } catch {
    return undefined;
  }
  const client = createClient({ url, socket: { reconnectStrategy: () => RECONNECT_MS, connectTimeout: FIRST_CONNECT_MS } });
  await firstConnection(client);
  return {
    client: client as unknown as RedisClientLike,
    close: async () => {
      if ('destroy' in client && typeof client.destroy === 'function') client.destroy();
      else await client.disconnect().catch(() => undefined);
    },
  };
}

/** Opens the configured store. Throws TypeError (a config mistake) when Redis is asked for and no client library is installed. */
export async function openReplayStore(config: ReplayConfig): Promise<OpenedReplay> {
  if (config.kind === 'memory') return NOTHING;
  const connected = (await ioredisClient(config.url)) ?? (await nodeRedisClient(config.url));
  if (connected === undefined) {
    throw new TypeError('verifier.dpop.replay.redis needs a Redis client library: npm install ioredis (or redis)');
  }
  return {
    store: createRedisReplayStore({ client: connected.client, ...(config.prefix === undefined ? {} : { prefix: config.prefix }) }),
    close: connected.close,
  };
}

// Real clients of both libraries, with a fast reconnect. No vitest import: the multi-process
// fixture uses this module outside the test runner.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { RedisClientLike } from '../../../src/revocation/redis.js';

export type Library = 'ioredis' | 'node-redis';
export const LIBRARIES: readonly Library[] = ['ioredis', 'node-redis'];

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
  const client = createClient({ url, socket: { reconnectStrategy: () => every, connectTimeout: 1000 } });
  client.on('error', () => undefined);
  // Against a dead port, connect() keeps retrying: do not wait for it there.
  await Promise.race([client.connect().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
  return {
    client,
    close: async () => {
      client.destroy();
    },
  };
}

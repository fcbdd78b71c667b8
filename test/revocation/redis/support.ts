// Shared by the Redis store tests: real clients of both libraries against a real redis-server,
// plus an admin connection to read what the server saw (commandstats) and to break things.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import type { AccessTokenClaims } from '../../../src/claims/types.js';
import { AccessTokenError } from '../../../src/errors.js';
import { connectClient, type ClientOptions, type Library } from './clients.js';
import {
  createRedisRevocationStore,
  type RedisRevocationStore,
  type RedisRevocationStoreOptions,
} from '../../../src/revocation/redis/index.js';

export { LIBRARIES, connectClient, type ClientOptions, type Library } from './clients.js';

/** Creates stores (and their clients) and closes them all in afterEach. */
export function storeFactory(library: Library, url: () => string) {
  const open: (() => Promise<void>)[] = [];
  return {
    async create(
      options: Omit<RedisRevocationStoreOptions, 'client'> = {},
      clientOptions: ClientOptions & { url?: string } = {},
    ): Promise<RedisRevocationStore> {
      const { client, close } = await connectClient(library, clientOptions.url ?? url(), clientOptions);
      const store = createRedisRevocationStore({ client, ...options });
      open.push(async () => {
        await store.close();
        await close();
      });
      return store;
    },
    async closeAll(): Promise<void> {
      await Promise.all(open.splice(0).map((close) => close()));
    },
  };
}

export const uniquePrefix = (): string => `test:${randomUUID().slice(0, 8)}:`;

export const ISSUER = 'https://issuer.example/realms/a';
export const OTHER_ISSUER = 'https://issuer.example/realms/b';

/**
 * Claims as the verifier hands them to the store: valid, with `exp` in five minutes, a random
 * `sub` and `jti`. A claim set to `undefined` in `extra` is left out.
 */
export function claimsFor(extra: { [K in keyof AccessTokenClaims]?: AccessTokenClaims[K] | undefined } = {}): AccessTokenClaims {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { iss: ISSUER, aud: 'api', exp: now + 300, iat: now, sub: `user-${randomUUID()}`, jti: randomUUID(), ...extra };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  return claims as AccessTokenClaims;
}

/** Polls `check` every few milliseconds until it is true, failing after `withinMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, withinMs = 5000): Promise<number> {
  const started = performance.now();
  const deadline = started + withinMs;
  while (performance.now() < deadline) {
    if (await check()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out after ${withinMs} ms waiting for ${what}`);
}

export const live = (store: RedisRevocationStore): Promise<number> =>
  waitFor('the local tier to go live', () => store.localTierState === 'live');

/** An ioredis connection for the test itself: reading commandstats, pausing, killing clients. */
export function adminClient(url: string): Redis {
  const admin = new Redis(url, { retryStrategy: () => 20, maxRetriesPerRequest: null });
  admin.on('error', () => undefined);
  return admin;
}

/**
 * An ioredis connection for the test to subscribe on, resolved once ready. ioredis 5 sends a
 * SUBSCRIBE issued during its connection handshake at once (Redis allows it while loading), so
 * the connection can enter subscriber mode before its ready check; it then refuses that check's
 * INFO itself, drops the connection and, never having been ready, reconnects without the
 * subscription (redis/ioredis#2037). The subscribe has resolved and NUMSUB may have counted it,
 * but nothing published afterwards arrives. The store's own subscriber waits for `ready` too.
 */
export async function subscriberClient(url: string): Promise<Redis> {
  const subscriber = new Redis(url, { retryStrategy: () => 20, maxRetriesPerRequest: null, lazyConnect: true });
  subscriber.on('error', () => undefined);
  await subscriber.connect(); // resolves on 'ready'
  return subscriber;
}

/** How many times the server has run `command` since start. */
export async function commandCalls(admin: Redis, command: string): Promise<number> {
  const info = await admin.info('commandstats');
  const match = new RegExp(`cmdstat_${command.toLowerCase()}:calls=(\\d+)`).exec(info);
  return match ? Number(match[1]) : 0;
}

/** Asserts `promise` rejects with a revocation_unavailable AccessTokenError (503). */
export async function expectUnavailable(promise: unknown): Promise<AccessTokenError> {
  expect(promise).toBeInstanceOf(Promise);
  const error = await (promise as Promise<unknown>).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AccessTokenError);
  expect((error as AccessTokenError).code).toBe('revocation_unavailable');
  expect((error as AccessTokenError).status).toBe(503);
  return error as AccessTokenError;
}

/**
 * True when the store answered `expected` synchronously, from its local tier. A lookup that went
 * to Redis instead is awaited (so nothing is left dangling) and counts as false.
 */
export async function answersFromMemory(
  store: RedisRevocationStore,
  claims: AccessTokenClaims,
  expected: boolean,
): Promise<boolean> {
  const answer = store.isRevoked(claims);
  if (answer instanceof Promise) {
    await answer.catch(() => undefined);
    return false;
  }
  return answer === expected;
}

// The store's lookups, writes and fail-open over a fake client that fails the way a real one can
// be caught failing: at once, by throwing, instead of with a rejected promise.
import { describe, expect, it, vi } from 'vitest';
import type { AccessTokenClaims } from '../../../src/claims/types.js';
import { createRedisRevocationStore, type RedisClientLike, type RedisFailOpenEvent } from '../../../src/revocation/redis/index.js';
import { refusal } from '../../helpers/refusal.js';

/** An ioredis-shaped client that throws at once, as some clients do when closed or offline. */
function throwingClient() {
  const call = vi.fn((): Promise<unknown> => {
    throw new Error('Connection is closed.');
  });
  const client = { status: 'ready', call, duplicate: () => client };
  return { client: client as unknown as RedisClientLike, call };
}

const claims: AccessTokenClaims = { iss: 'https://issuer.test', aud: 'api', exp: 1e10, sub: 'alice', jti: 'j1' };

describe('createRedisRevocationStore on a client that throws', () => {
  it('answers revocation_unavailable, quoting what the client said', async () => {
    const { client } = throwingClient();
    const store = createRedisRevocationStore({ client, localTier: false });
    const lookup = await refusal(async () => store.isRevoked(claims), 'revocation_unavailable');
    expect(lookup.message).toBe('the revocation lookup in Redis failed: Connection is closed.');
    const write = await refusal(store.revoke('j1', 1e10), 'revocation_unavailable');
    expect(write.message).toBe('the revocation could not be written to Redis: Connection is closed.');
  });

  it('fails open without a listener, and reports only the claims that are text', async () => {
    const { client } = throwingClient();
    expect(await createRedisRevocationStore({ client, localTier: false, failOpen: true }).isRevoked(claims)).toBe(false);
    const events: RedisFailOpenEvent[] = [];
    const store = createRedisRevocationStore({ client, localTier: false, failOpen: true, onFailOpen: (event) => events.push(event) });
    expect(await store.isRevoked({ ...claims, sub: 42 as unknown as string })).toBe(false);
    expect(events).toMatchObject([{ iss: claims.iss, sub: undefined, jti: 'j1' }]);
  });

  it('fails open even when the listener throws', async () => {
    const { client } = throwingClient();
    const onFailOpen = vi.fn(() => {
      throw new Error('logger down');
    });
    const store = createRedisRevocationStore({ client, localTier: false, failOpen: true, onFailOpen });
    expect(await store.isRevoked(claims)).toBe(false);
    expect(onFailOpen).toHaveBeenCalledTimes(1);
  });

  it('sends nothing for a revocation that could no longer refuse a token', async () => {
    const { client, call } = throwingClient();
    const store = createRedisRevocationStore({ client, localTier: false, clockTolerance: 60, maxTokenLifetime: 3600 });
    const now = Date.now() / 1000;
    await store.revoke('j1', now - 61);
    await store.revokeSubject('alice', now - 3661);
    await store.revokeSubject('alice', now - 3661, 'https://issuer.test');
    expect(call).not.toHaveBeenCalled();
  });
});

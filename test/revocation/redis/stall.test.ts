// A timeout means Redis did not answer, not that a stalled process had not yet looked: a reply
// that arrived during a stall longer than the timeout is read before the timer's verdict.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkRevocation } from '../../../src/revocation/checker.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { stallEventLoop } from '../../helpers/stall.js';
import { LIBRARIES, claimsFor, storeFactory, uniquePrefix } from './support.js';

describe.each(LIBRARIES)('the Redis store through a stalled event loop (%s)', (library) => {
  let server: RedisServer;
  const stores = storeFactory(library, () => server.url);

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterEach(async () => {
    await stores.closeAll();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers from the reply that arrived during a stall longer than its timeout', async () => {
    const store = await stores.create({ prefix: uniquePrefix(), timeout: 0.25, localTier: false });
    const revoked = claimsFor();
    await store.revoke(revoked.jti as string, revoked.exp);

    const answers = [store.isRevoked(revoked), store.isRevoked(claimsFor())];
    stallEventLoop(700);

    expect(await Promise.all(answers)).toEqual([true, false]);
  });

  it("answers within the verifier's own revocation timeout too", async () => {
    const store = await stores.create({ prefix: uniquePrefix(), timeout: 0.25, localTier: false });
    const claims = claimsFor();

    const check = checkRevocation({ checker: store, failOpen: false, timeout: 300 }, claims, { alg: 'RS256' });
    stallEventLoop(700);

    await expect(check).resolves.toBeUndefined();
  });
});

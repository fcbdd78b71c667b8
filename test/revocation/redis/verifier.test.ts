// End to end: createVerifier + a local test issuer + the Redis store against a real redis-server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RedisFailOpenEvent, RedisRevocationStore } from '../../../src/revocation/redis/index.js';
import { createTestIssuer, type TestIssuer } from '../../../src/testing/index.js';
import { createVerifier, type VerifierOptions } from '../../../src/verifier.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';
import { refusal } from '../../helpers/refusal.js';
import { LIBRARIES, live, storeFactory, uniquePrefix, waitFor } from './support.js';

const AUDIENCE = 'orders-api';

describe.each(LIBRARIES)('createVerifier with the Redis revocation store (%s)', (library) => {
  let server: RedisServer;
  let issuer: TestIssuer;
  const stores = storeFactory(library, () => server.url);

  const verifierWith = (revocation: RedisRevocationStore, extra: Partial<VerifierOptions> = {}) =>
    createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, revocation, ...extra });

  beforeAll(async () => {
    [server, issuer] = await Promise.all([startRedisServer(), createTestIssuer({ audience: AUDIENCE })]);
  });
  afterEach(async () => {
    await stores.closeAll();
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), issuer?.close()]);
  });

  it('refuses a revoked token with token_revoked (401) and accepts the others', async () => {
    const store = await stores.create({ prefix: uniquePrefix() });
    const verifier = verifierWith(store);
    const token = await issuer.sign({ sub: 'alice' });
    const other = await issuer.sign({ sub: 'alice' });
    const claims = await verifier.verifyAccessToken(token);

    await store.revoke(claims.jti as string, claims.exp, claims.iss);
    const error = await refusal(verifier.verifyAccessToken(token));
    expect(error.code).toBe('token_revoked');
    expect(error.status).toBe(401);
    expect(error.message).not.toContain(token);
    await expect(verifier.verifyAccessToken(other)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('refuses every earlier token of a subject after revokeSubject, and accepts one issued after', async () => {
    // Revoked through the verifier's own store: it reads its own writes at once. Other instances
    // follow within milliseconds (see behaviour.ts and multi-process.test.ts).
    const store = await stores.create({ prefix: uniquePrefix() });
    const verifier = verifierWith(store);
    await live(store);
    const earlier = [await issuer.sign({ sub: 'bob' }), await issuer.sign({ sub: 'bob' })];
    for (const token of earlier) await verifier.verifyAccessToken(token);
    const cutoff = Math.floor(Date.now() / 1000) + 1; // after every earlier iat, whatever the clock did

    await store.revokeSubject('bob', cutoff);
    for (const token of earlier) expect((await refusal(verifier.verifyAccessToken(token))).code).toBe('token_revoked');
    await expect(verifier.verifyAccessToken(await issuer.sign({ sub: 'bob', iat: cutoff }))).resolves.toMatchObject({ sub: 'bob' });
    await expect(verifier.verifyAccessToken(await issuer.sign({ sub: 'carol' }))).resolves.toMatchObject({ sub: 'carol' });
  });

  it('answers revocation_unavailable (503) while Redis is down, and verifies again once it is back', async () => {
    const store = await stores.create({ prefix: uniquePrefix() });
    // The verifier's own timeout set far off: the answer must come from the store's 250 ms.
    const verifier = verifierWith(store, { revocationTimeout: 5 });
    const token = await issuer.sign();
    await verifier.verifyAccessToken(token);
    await live(store);

    await server.kill();
    await waitFor('the store to notice', () => store.localTierState === 'syncing', 2000);
    const started = performance.now();
    const error = await refusal(verifier.verifyAccessToken(token));
    expect(error.code).toBe('revocation_unavailable');
    expect(error.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2000);

    await server.restart();
    await waitFor('verification to succeed again', () =>
      verifier.verifyAccessToken(token).then(
        () => true,
        () => false,
      ),
    );
  });

  it('lets tokens through while Redis is down only with failOpen, reporting each one', async () => {
    const events: RedisFailOpenEvent[] = [];
    const prefix = uniquePrefix();
    const open = verifierWith(
      await stores.create({ prefix, localTier: false, failOpen: true, onFailOpen: (event) => events.push(event) }),
    );
    const closed = verifierWith(await stores.create({ prefix, localTier: false }));
    const token = await issuer.sign({ sub: 'dave' });
    await open.verifyAccessToken(token);
    await closed.verifyAccessToken(token);

    await server.kill();
    try {
      await expect(open.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'dave' });
      await expect(open.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'dave' });
      expect(events.map((event) => event.sub)).toEqual(['dave', 'dave']);
      expect(JSON.stringify(events.map(({ iss, sub, jti }) => ({ iss, sub, jti })))).not.toContain(token);
      expect((await refusal(closed.verifyAccessToken(token))).code).toBe('revocation_unavailable');
    } finally {
      await server.restart();
    }
  });

  it("refuses a verifier clockTolerance larger than the time the store keeps entries past exp", async () => {
    const store = await stores.create({ prefix: uniquePrefix(), clockTolerance: 30, localTier: false });
    expect(() => verifierWith(store, { clockTolerance: 31 })).toThrow(RangeError);
    expect(() => verifierWith(store, { clockTolerance: 30 })).not.toThrow();
  });
});

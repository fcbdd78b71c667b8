// The Redis replay store against a real redis-server, with both client libraries: a proof is
// accepted once across every verifier sharing Redis, and refused (503) when Redis cannot answer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRedisReplayStore } from '../../src/revocation/redis/index.js';
import { createDpopKey, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { refusal } from '../helpers/refusal.js';
import { connectClient, type Library } from '../revocation/redis/clients.js';
import { uniquePrefix } from '../revocation/redis/support.js';
import { API_URL, request, startIssuer, verifierFor } from './support.js';

let server: RedisServer;
let admin: Redis;
let issuer: TestIssuer;
let key: DpopKey;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [server, issuer, key] = await Promise.all([startRedisServer(), startIssuer(), createDpopKey()]);
  admin = new Redis(server.url);
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  admin.disconnect();
  await Promise.all([server.stop(), issuer.close()]);
});

async function client(library: Library) {
  const connected = await connectClient(library, server.url);
  closers.push(connected.close);
  return connected.client;
}

describe.each<Library>(['ioredis', 'node-redis', 'node-redis-4'])('createRedisReplayStore with %s', (library) => {
  it('claims a key once, and keeps it until its window closes', async () => {
    const prefix = uniquePrefix();
    const store = createRedisReplayStore({ client: await client(library), prefix });
    const expiresAt = Date.now() / 1000 + 120;
    await expect(store.claim('jkt.jti-1', expiresAt)).resolves.toBe(true);
    await expect(store.claim('jkt.jti-1', expiresAt)).resolves.toBe(false);
    await expect(store.claim('jkt.jti-2', expiresAt)).resolves.toBe(true);
    const ttl = await admin.pttl(`${prefix}jkt.jti-1`);
    expect(ttl).toBeGreaterThan(115_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it('refuses a proof replayed to another verifier instance sharing Redis', async () => {
    const prefix = uniquePrefix();
    const first = verifierFor(issuer, { dpop: { replay: createRedisReplayStore({ client: await client(library), prefix }) } });
    const second = verifierFor(issuer, { dpop: { replay: createRedisReplayStore({ client: await client(library), prefix }) } });
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    await expect(first.verifyRequest(request(`DPoP ${token}`, proof))).resolves.toBeDefined();
    const error = await refusal(second.verifyRequest(request(`DPoP ${token}`, proof)), 'dpop_proof_invalid');
    expect(error.message).toContain('used before');
  });
});

describe('createRedisReplayStore when Redis cannot answer', () => {
  it('refuses the request with a 503 rather than accepting an unrecorded proof', async () => {
    const down = await startRedisServer();
    const connected = await connectClient('ioredis', down.url);
    closers.push(connected.close);
    const verifier = verifierFor(issuer, { dpop: { replay: createRedisReplayStore({ client: connected.client, timeout: 0.2 }) } });
    await down.stop();
    const token = await issuer.sign({}, { dpop: key });
    const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token });
    const error = await refusal(verifier.verifyRequest(request(`DPoP ${token}`, proof)), 'revocation_unavailable');
    expect(error.status).toBe(503);
    expect(error.description).toBe('Replay protection is temporarily unavailable');
  });

  it('checks its options at construction', () => {
    expect(() => createRedisReplayStore({ client: {} as never })).toThrow(/client/);
    expect(() => createRedisReplayStore({ client: admin, timeout: 0 })).toThrow(/timeout/);
    expect(() => createRedisReplayStore({ client: admin, prefix: 1 as never })).toThrow(/prefix/);
  });
});

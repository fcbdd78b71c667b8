// `verifier.dpop.replay: { "redis": url }`: sidecars sharing a real redis-server refuse a
// proof another one has accepted, and refuse (503) rather than accept while Redis is down.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/gateway/config.js';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createDpopKey, createTestIssuer, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
let issuer: TestIssuer;
let key: DpopKey;
let first: GatewayService;
let second: GatewayService;

beforeAll(async () => {
  [redis, issuer, key] = await Promise.all([startRedisServer(), createTestIssuer({ audience: 'orders-api' }), createDpopKey()]);
  const config = checkConfig({
    listen: '127.0.0.1:0',
    proxy: 'traefik',
    verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, dpop: { replay: { redis: redis.url, prefix: `gateway-test-${process.pid}:` } } },
  });
  [first, second] = await Promise.all([startGateway(config, { write: () => undefined }), startGateway(config, { write: () => undefined })]);
}, 30_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  await Promise.all([redis?.stop(), issuer?.close()]);
});

function check(service: GatewayService, token: string, proof: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${service.address.port}/auth`, {
    headers: {
      'x-forwarded-method': 'GET',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example.com',
      'x-forwarded-uri': '/orders',
      authorization: `DPoP ${token}`,
      dpop: proof,
    },
  });
}

describe('a DPoP replay store in Redis, from the config', () => {
  it('lets one sidecar of two accept a proof, and the other refuse its replay', async () => {
    const token = await issuer.sign({ sub: 'alice' }, { dpop: key });
    const proof = key.proof({ method: 'GET', url: 'https://api.example.com/orders', accessToken: token });
    expect((await check(first, token, proof)).status).toBe(200);
    const replayed = await check(second, token, proof);
    expect([replayed.status, ((await replayed.json()) as { error: string }).error]).toEqual([401, 'invalid_dpop_proof']);
  });

  it('refuses with 503 and Retry-After while Redis is down, never accepting an unrecorded proof', async () => {
    await redis.kill();
    try {
      const token = await issuer.sign({ sub: 'alice' }, { dpop: key });
      const answer = await check(first, token, key.proof({ method: 'GET', url: 'https://api.example.com/orders', accessToken: token }));
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await redis.restart();
    }
  });
});

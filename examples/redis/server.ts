// Revocation across a fleet with Redis: run with `npx tsx examples/redis/server.ts`.
// Uses REDIS_URL when set; otherwise starts a throwaway redis-server on loopback.
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { createVerifier, isAccessTokenError } from '../../src/index.js';
import { createRedisRevocationStore } from '../../src/revocation/redis/index.js';
import { createTestIssuer } from '../../src/testing/index.js';
import { startRedisServer } from '../../test/helpers/redis-server.js';

async function main(): Promise<void> {
  const throwaway = process.env.REDIS_URL ? undefined : await startRedisServer();
  const redis = new Redis(process.env.REDIS_URL ?? (throwaway?.url as string), { enableOfflineQueue: false });
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  const revocation = createRedisRevocationStore({ client: redis, prefix: 'orders-api:revocation:' });
  const verifier = createVerifier({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, revocation });

  // GET /orders needs a valid token; POST /logout revokes it; POST /logout-everywhere revokes
  // every token of its subject issued so far.
  const server = createServer((req, res) => {
    const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
    verifier
      .verifyAccessToken(token)
      .then(async (claims) => {
        if (req.method === 'POST' && req.url === '/logout') await revocation.revoke(claims.jti as string, claims.exp, claims.iss);
        if (req.method === 'POST' && req.url === '/logout-everywhere') await revocation.revokeSubject(claims.sub as string);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: claims.sub }));
      })
      .catch((error: unknown) => {
        const status = isAccessTokenError(error) ? error.status : 500;
        const code = isAccessTokenError(error) ? error.code : 'internal_error';
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: code }));
      });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (label: string, method: string, path: string, token: string): Promise<void> => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    console.log(`${label.padEnd(34)} ${response.status} ${await response.text()}`);
  };

  try {
    const first = await issuer.sign({ sub: 'alice' });
    const second = await issuer.sign({ sub: 'alice' });
    await call('first token', 'GET', '/orders', first);
    await call('log out (revoke this token)', 'POST', '/logout', first);
    await call('first token again', 'GET', '/orders', first);
    await call('second token still works', 'GET', '/orders', second);
    await call('log out everywhere (revoke alice)', 'POST', '/logout-everywhere', second);
    await call('second token again', 'GET', '/orders', second);
    if (throwaway) {
      await throwaway.kill();
      await call('Redis down: fails closed', 'GET', '/orders', await issuer.sign({ sub: 'bob' }));
    }
  } finally {
    server.closeAllConnections();
    server.close();
    await revocation.close();
    redis.disconnect();
    await issuer.close();
    await throwaway?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

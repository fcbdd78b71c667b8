// Hono protected by tokenwarden, served on Node by @hono/node-server:
// run with `npx tsx examples/hono/server.ts`. The same app runs unchanged on Workers, Deno or Bun.
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/hono.js';
import { createTestIssuer } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  const auth = createAuth({ verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } });

  const app = new Hono();
  app.get('/orders', auth.protect(requireScopes('orders:read')), (c) => c.json({ user: c.get('auth').sub, orders: [] }));

  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
  try {
    const reader = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    const stranger = await issuer.sign({ sub: 'bob', scope: 'profile' });
    for (const [label, headers] of [
      ['with orders:read', { authorization: `Bearer ${reader}` }],
      ['without a token', {}],
      ['without the scope', { authorization: `Bearer ${stranger}` }],
    ] as const) {
      const response = await fetch(url, { headers });
      const challenge = response.headers.get('www-authenticate');
      console.log(`${label.padEnd(18)} ${response.status} ${await response.text()}${challenge ? `  WWW-Authenticate: ${challenge}` : ''}`);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await issuer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

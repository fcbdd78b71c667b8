// Express protected by tokenwarden: run with `npx tsx examples/express/server.ts`.
// A local test issuer signs tokens; the service listens on a free port; a few real requests
// show the answers; everything stops by itself.
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import express from 'express';
import { requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/express.js';
import { createTestIssuer } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  const auth = createAuth({ verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } });

  const app = express();
  app.use('/api', auth.protect());
  app.get('/api/orders', auth.protect(requireScopes('orders:read')), (req, res) => {
    res.json({ user: req.auth?.sub, orders: [] });
  });

  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/orders`;
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
    server.closeAllConnections();
    server.close();
    await issuer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

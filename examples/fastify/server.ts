// Fastify protected by tokenwarden: run with `npx tsx examples/fastify/server.ts`.
import Fastify from 'fastify';
import { requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/fastify.js';
import { createTestIssuer } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  const auth = createAuth({ verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } });

  const app = Fastify();
  await app.register(auth.plugin);
  app.get('/orders', { onRequest: auth.protect(requireScopes('orders:read')) }, async (request) => ({
    user: request.auth?.sub,
    orders: [],
  }));

  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const reader = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    const stranger = await issuer.sign({ sub: 'bob', scope: 'profile' });
    for (const [label, headers] of [
      ['with orders:read', { authorization: `Bearer ${reader}` }],
      ['without a token', {}],
      ['without the scope', { authorization: `Bearer ${stranger}` }],
    ] as const) {
      const response = await fetch(`${origin}/orders`, { headers });
      const challenge = response.headers.get('www-authenticate');
      console.log(`${label.padEnd(18)} ${response.status} ${await response.text()}${challenge ? `  WWW-Authenticate: ${challenge}` : ''}`);
    }
  } finally {
    await app.close();
    await issuer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

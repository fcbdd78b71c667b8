// Calls the example's proxy and route handler with real web Requests, the way Next.js does:
// run with `npx tsx examples/next/run.ts`.
import { createTestIssuer } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  process.env.AUTH_ISSUER = issuer.issuer;
  process.env.AUTH_JWKS_URI = issuer.jwksUri;
  // Imported after the environment is set, as Next.js loads route modules after start-up.
  const { proxy } = await import('./proxy.js');
  const { GET } = await import('./app/api/orders/route.js');
  try {
    const reader = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    const stranger = await issuer.sign({ sub: 'bob', scope: 'profile' });
    for (const [label, headers] of [
      ['with orders:read', { authorization: `Bearer ${reader}` }],
      ['without a token', {}],
      ['without the scope', { authorization: `Bearer ${stranger}` }],
    ] as const) {
      const request = new Request('http://localhost:3000/api/orders', { headers });
      // Next.js runs the proxy first and the route only when the proxy returns nothing.
      const response = (await proxy(request)) ?? (await GET(request, { params: Promise.resolve({}) }));
      const challenge = response.headers.get('www-authenticate');
      console.log(`${label.padEnd(18)} ${response.status} ${await response.text()}${challenge ? `  WWW-Authenticate: ${challenge}` : ''}`);
    }
  } finally {
    await issuer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

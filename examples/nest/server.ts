// NestJS protected by tokenwarden: run with `npx tsx examples/nest/server.ts`.
// A local test issuer signs tokens; the Nest app (./app.ts) listens on a free port; a few real
// requests show the answers; everything stops by itself.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { createTestIssuer } from '../../src/testing/index.js';

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: 'https://orders.example.com' });
  process.env.AUTH_ISSUER = issuer.issuer;
  process.env.AUTH_JWKS_URI = issuer.jwksUri;
  // Nest code needs legacy decorators: the app is compiled with this folder's tsconfig.json,
  // as in a Nest project, not with the repository's (which tsx reads for this file).
  const { start } = (await tsImport('./app.ts', {
    parentURL: import.meta.url,
    tsconfig: fileURLToPath(new URL('tsconfig.json', import.meta.url)),
  })) as typeof import('./app.js');
  const app = await start();
  const origin = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  try {
    const reader = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    const stranger = await issuer.sign({ sub: 'bob', scope: 'profile' });
    for (const [label, path, headers] of [
      ['with orders:read', '/api/orders', { authorization: `Bearer ${reader}` }],
      ['without a token', '/api/orders', {}],
      ['without the scope', '/api/orders', { authorization: `Bearer ${stranger}` }],
      ['public metadata', '/.well-known/oauth-protected-resource', {}],
    ] as const) {
      const response = await fetch(`${origin}${path}`, { headers });
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

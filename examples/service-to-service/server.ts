// Service A calls service B, both protected by tokenwarden: once with its own token (client
// credentials) and once with a token exchanged for the caller's (RFC 8693), so B sees who the
// call is really for. Run with `npx tsx examples/service-to-service/server.ts`; it starts the
// issuer and both services on loopback, makes the calls, prints a table and exits.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireScopes } from '../../src/index.js';
import { createAuth, incomingToken } from '../../src/adapters/node.js';
import { createTokenClient } from '../../src/client/index.js';
import { SECRETS, SERVICE_A, SERVICE_B, startIssuer } from './issuer.js';

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function json(res: import('node:http').ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function main(): Promise<void> {
  const { issuer, close } = await startIssuer();
  const jwksUri = `${issuer}/jwks`;

  // Service B: says whom each call is for (sub), which client made it, and who acted.
  const authB = createAuth({ verifier: { issuer, audience: SERVICE_B, jwksUri } });
  const serviceB = createServer(
    authB.protect((req, res) => json(res, { sub: req.auth.sub, client: req.auth.client_id, act: (req.auth.act as { sub?: string } | undefined)?.sub }), requireScopes('stock:read')),
  );
  const urlB = `${await listen(serviceB)}/stock`;

  // Service A: its own client, and the caller's token handed over by the adapter.
  const clientA = createTokenClient({ issuer, clientId: 'service-a', clientSecret: SECRETS.serviceA, resource: SERVICE_B, scope: 'stock:read' });
  const authA = createAuth({ verifier: { issuer, audience: SERVICE_A, jwksUri } });
  const serviceA = createServer(
    authA.protect(async (req, res) => {
      const own = await clientA.fetch(urlB);
      const exchange = { subjectToken: incomingToken(req.auth).token, audience: SERVICE_B, scope: 'stock:read' };
      const exchanged = await clientA.fetch(urlB, {}, { exchange });
      json(res, { own: await own.json(), exchanged: await exchanged.json() });
    }),
  );
  const urlA = `${await listen(serviceA)}/orders`;

  // The caller: a web app with a token for service A.
  const webApp = createTokenClient({ issuer, clientId: 'web-app', clientSecret: SECRETS.webApp, resource: SERVICE_A, scope: 'orders:read' });
  try {
    const response = await webApp.fetch(urlA);
    if (response.status !== 200) throw new Error(`service A answered ${response.status}: ${await response.text()}`);
    const seen = (await response.json()) as Record<'own' | 'exchanged', { sub: string; client: string; act?: string }>;
    const rows = [
      ['call from A to B', 'sub seen by B', 'client', 'act'],
      ["with A's own token", seen.own.sub, seen.own.client, seen.own.act ?? '-'],
      ['with an exchanged token', seen.exchanged.sub, seen.exchanged.client, seen.exchanged.act ?? '-'],
    ];
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(i === 0 ? 26 : 15)).join(' '));
    if (seen.own.sub !== 'service-a' || seen.exchanged.sub !== 'web-app' || seen.exchanged.act !== 'service-a') {
      throw new Error('service B did not see what the example expects');
    }
  } finally {
    await Promise.all([webApp.close(), clientA.close()]);
    for (const server of [serviceA, serviceB]) {
      server.closeAllConnections();
      server.close();
    }
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

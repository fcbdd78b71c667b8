// The gateway end to end: a test issuer, an upstream API that echoes what it receives,
// `tokenwarden serve` (the sidecar), and, when nginx is installed, nginx in front with
// examples/gateway/nginx.conf. Sends a few requests, prints what the client and the upstream
// saw, checks them, and exits. Run with `npx tsx examples/gateway/server.ts`.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkConfig } from '../../src/gateway/config.js';
import { startGateway } from '../../src/gateway/service.js';
import { createDpopKey, createTestIssuer } from '../../src/testing/index.js';
import { nginxInstalled, startNginx, type Nginx } from '../../test/helpers/nginx.js';

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: 'orders-api' });
  const upstreamSaw: string[] = [];
  const upstream = createServer((req, res) => {
    upstreamSaw.push(`${req.method} ${req.url} subject=${String(req.headers['x-auth-subject'] ?? '-')} scope=${String(req.headers['x-auth-scope'] ?? '-')}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"orders":[]}');
  }).listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const config = checkConfig({
    listen: '127.0.0.1:0',
    verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
    routes: [
      { methods: ['GET', 'HEAD'], prefix: '/public', anonymous: true },
      { prefix: '/orders', scopes: ['orders:read'] },
    ],
  });
  const sidecar = await startGateway(config);
  let nginx: Nginx | undefined;
  try {
    if (nginxInstalled()) {
      nginx = await startNginx({ sidecar: `127.0.0.1:${sidecar.address.port}`, upstream: `127.0.0.1:${(upstream.address() as AddressInfo).port}` });
      console.log(`nginx on ${nginx.url} → tokenwarden serve on port ${sidecar.address.port} → upstream`);
    } else {
      console.log('nginx is not installed: asking the sidecar directly, as nginx would');
    }
    const reader = await issuer.sign({ sub: 'alice', scope: 'orders:read' });
    const stranger = await issuer.sign({ sub: 'bob', scope: 'profile' });
    // A DPoP-bound token and its proof, made for the URL the client calls (nginx's).
    const key = await createDpopKey();
    const bound = await issuer.sign({ sub: 'carol', scope: 'orders:read' }, { dpop: key });
    const proof = key.proof({ method: 'GET', url: `${nginx?.url ?? 'http://localhost'}/orders`, accessToken: bound });
    const dpop = { authorization: `DPoP ${bound}`, dpop: proof };
    const cases = [
      ['with orders:read', '/orders', { authorization: `Bearer ${reader}` }, 200],
      ['without a token', '/orders', {}, 401],
      ['without the scope', '/orders', { authorization: `Bearer ${stranger}` }, 403],
      ['forged X-Auth-Subject', '/public/home', { 'x-auth-subject': 'admin' }, 200],
      ['DPoP-bound, its proof', '/orders', dpop, 200],
      ['the same proof again', '/orders', dpop, 401],
    ] as const;
    let failures = 0;
    for (const [label, path, headers, expected] of cases) {
      const response = nginx
        ? await fetch(`${nginx.url}${path}`, { headers })
        : await fetch(`http://127.0.0.1:${sidecar.address.port}/check`, { headers: { ...headers, 'x-original-uri': path, 'x-original-method': 'GET', 'x-forwarded-host': 'localhost' } });
      const challenge = response.headers.get('www-authenticate');
      console.log(`${label.padEnd(22)} ${response.status} ${await response.text()}${challenge ? `  WWW-Authenticate: ${challenge}` : ''}`);
      if (response.status !== expected) failures++;
    }
    console.log('\nthe upstream saw:');
    for (const line of upstreamSaw) console.log(`  ${line}`);
    if (nginx && upstreamSaw.some((line) => line.includes('subject=admin'))) failures++;
    if (failures > 0) throw new Error(`${failures} answer(s) were not what the gateway should give`);
  } finally {
    await nginx?.stop();
    await sidecar.close();
    upstream.closeAllConnections();
    upstream.close();
    await issuer.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// `npm run demo`: a local test issuer, a node:http service protected by tokenwarden, and real
// requests against it. Everything runs on 127.0.0.1 and stops by itself.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessTokenError, createMemoryRevocationStore, createVerifier, ERROR_DESCRIPTION } from '../../src/index.js';
import { createTestIssuer } from '../../src/testing/index.js';

const AUDIENCE = 'orders-api';
const COOLDOWN = 1; // seconds; the default is 30, shortened so the rotation shows within the demo

async function main(): Promise<void> {
  const issuer = await createTestIssuer({ audience: AUDIENCE });
  const revocation = createMemoryRevocationStore();
  const verifier = createVerifier({
    issuer: issuer.issuer, // discovery finds the JWKS through /.well-known/openid-configuration
    audience: AUDIENCE,
    typ: 'at+jwt',
    requiredClaims: ['sub', 'jti'],
    revocation,
    jwks: { cooldown: COOLDOWN },
  });

  // The protected service: one route that answers with the caller's subject.
  const service = createServer((req, res) => {
    const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="orders"' }).end();
      return;
    }
    verifier.verifyAccessToken(match[1]).then(
      (claims) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hello: claims.sub }));
      },
      (error: unknown) => {
        const code = error instanceof AccessTokenError ? error.code : 'server_error';
        const status = error instanceof AccessTokenError ? error.status : 500;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: code }));
      },
    );
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/orders`;

  const rows: { request: string; status: number; answer: string; expected: number }[] = [];
  async function call(request: string, token: string, expected: number): Promise<void> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { hello?: string; error?: string };
    rows.push({ request, status: response.status, answer: body.hello ? `hello ${body.hello}` : String(body.error), expected });
  }

  const now = Math.floor(Date.now() / 1000);
  await call('valid token', await issuer.sign({ sub: 'alice' }), 200);
  await call('expired token', await issuer.sign({ sub: 'alice', iat: now - 600, exp: now - 300 }), 401);
  await call('wrong audience', await issuer.sign({ sub: 'alice', aud: 'billing-api' }), 401);
  const genuine = await issuer.sign({ sub: 'alice' });
  const tampered = `${genuine.slice(0, genuine.lastIndexOf('.') + 1)}${'A'.repeat(342)}`;
  await call('bad signature', tampered, 401);

  const revoked = await issuer.sign({ sub: 'mallory' });
  const claims = await verifier.verifyAccessToken(revoked);
  revocation.revoke(claims.jti as string, claims.exp);
  await call('revoked token', revoked, 401);

  await issuer.rotate();
  const rotated = await issuer.sign({ sub: 'alice' });
  await call(`new key, within ${COOLDOWN} s cooldown`, rotated, 401);
  await new Promise((resolve) => setTimeout(resolve, COOLDOWN * 1000 + 100));
  await call('new key, after cooldown', rotated, 200);

  console.log(`\ntokenwarden demo — issuer ${issuer.issuer}, service ${url}\n`);
  const width = Math.max(...rows.map((row) => row.request.length));
  console.log(`${'request'.padEnd(width)}  status  answer`);
  console.log(`${'-'.repeat(width)}  ------  ${'-'.repeat(40)}`);
  for (const row of rows) {
    const meaning = row.answer in ERROR_DESCRIPTION ? ` (${ERROR_DESCRIPTION[row.answer as keyof typeof ERROR_DESCRIPTION]})` : '';
    console.log(`${row.request.padEnd(width)}  ${String(row.status).padEnd(6)}  ${row.answer}${meaning}`);
  }
  console.log(`\nThe issuer served its key set ${issuer.requests.jwks} times for ${rows.length + 1} verifications.\n`);
  const unexpected = rows.filter((row) => row.status !== row.expected);
  if (unexpected.length > 0) {
    console.error(`Unexpected answers: ${unexpected.map((row) => `${row.request} (${row.status}, expected ${row.expected})`).join('; ')}`);
    process.exitCode = 1;
  }

  await close(service);
  await issuer.close();
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

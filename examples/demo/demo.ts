// `npm run demo`: a local test issuer, a node:http service protected by tokenwarden, and real
// requests against it. Everything runs on 127.0.0.1 and stops by itself.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessTokenError, createMemoryRevocationStore, createVerifier, ERROR_DESCRIPTION } from '../../src/index.js';
import { createTestIssuer } from '../../src/testing/index.js';

const AUDIENCE = 'orders-api';
// Seconds; the default is 30. Short, so the rotation shows within the demo, yet long enough
// that the one request made "within" it is, with ample margin, even on a slow, loaded machine.
const COOLDOWN = 3;

// What each request must get, in the order the demo makes them; it exits 1 on any other answer.
const EXPECTED = {
  valid: { status: 200, answer: 'hello alice' },
  rotatedWithinCooldown: { status: 503, answer: 'jwks_unavailable' },
  expired: { status: 401, answer: 'token_expired' },
  wrongAudience: { status: 401, answer: 'audience_invalid' },
  badSignature: { status: 401, answer: 'signature_invalid' },
  revoked: { status: 401, answer: 'token_revoked' },
  rotatedAfterCooldown: { status: 200, answer: 'hello alice' },
} as const;
// Key-set requests the issuer must serve: one for the first token, one after the cooldown.
const EXPECTED_JWKS_REQUESTS = 2;

interface Expected {
  readonly status: number;
  readonly answer: string;
}

async function main(): Promise<void> {
  // The issuer has its next signing key ready, so the rotation below takes no time.
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
        // A 503 says when to try again: the token may well be fine then.
        const retryAfter = error instanceof AccessTokenError && error.retryAfter !== undefined ? { 'retry-after': String(error.retryAfter) } : {};
        res.writeHead(status, { 'content-type': 'application/json', ...retryAfter }).end(JSON.stringify({ error: code }));
      },
    );
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/orders`;

  const rows: { request: string; status: number; answer: string; retryAfter: string | null; expected: Expected }[] = [];
  async function call(request: string, token: string, expected: Expected): Promise<void> {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { hello?: string; error?: string };
    const answer = body.hello ? `hello ${body.hello}` : String(body.error);
    rows.push({ request, status: response.status, answer, retryAfter: response.headers.get('retry-after'), expected });
  }

  // Every token signed with the first key is made before the rotation, which replaces it.
  const now = Math.floor(Date.now() / 1000);
  const valid = await issuer.sign({ sub: 'alice' });
  const expired = await issuer.sign({ sub: 'alice', iat: now - 600, exp: now - 300 });
  const wrongAudience = await issuer.sign({ sub: 'alice', aud: 'billing-api' });
  const genuine = await issuer.sign({ sub: 'alice' });
  const tampered = `${genuine.slice(0, genuine.lastIndexOf('.') + 1)}${'A'.repeat(342)}`;
  const revoked = await issuer.sign({ sub: 'mallory' });

  // The first token makes the service fetch the issuer's key set.
  await call('valid token', valid, EXPECTED.valid);
  const fetchedBy = Date.now();
  // Straight after that fetch, with nothing slow in between, the issuer rotates its key. Within
  // the cooldown the service does not ask the issuer again, so it cannot tell yet whether the new
  // key exists: 503 with Retry-After, never 401, since the token may well be valid.
  await issuer.rotate();
  const rotated = await issuer.sign({ sub: 'alice' });
  await call(`rotated key, within ${COOLDOWN} s cooldown`, rotated, EXPECTED.rotatedWithinCooldown);

  // The service still holds the first key, which these tokens are signed with.
  await call('expired token', expired, EXPECTED.expired);
  await call('wrong audience', wrongAudience, EXPECTED.wrongAudience);
  await call('bad signature', tampered, EXPECTED.badSignature);
  const claims = await verifier.verifyAccessToken(revoked);
  if (claims.jti) revocation.revoke(claims.jti, claims.exp, claims.iss);
  await call('revoked token', revoked, EXPECTED.revoked);

  // The cooldown started before `fetchedBy`, so waiting past it from there is always enough.
  const remaining = fetchedBy + COOLDOWN * 1000 + 100 - Date.now();
  if (remaining > 0) await new Promise((resolve) => setTimeout(resolve, remaining));
  await call('rotated key, after cooldown', rotated, EXPECTED.rotatedAfterCooldown);

  console.log(`\ntokenwarden demo — issuer ${issuer.issuer}, service ${url}\n`);
  const width = Math.max(...rows.map((row) => row.request.length));
  console.log(`${'request'.padEnd(width)}  status  answer`);
  console.log(`${'-'.repeat(width)}  ------  ${'-'.repeat(40)}`);
  const unexpected: string[] = [];
  for (const row of rows) {
    const description = row.answer in ERROR_DESCRIPTION ? ERROR_DESCRIPTION[row.answer as keyof typeof ERROR_DESCRIPTION] : undefined;
    const retry = row.retryAfter === null ? '' : `; Retry-After ${row.retryAfter} s`;
    const meaning = description === undefined ? '' : ` (${description}${retry})`;
    const expected = `${row.expected.status} ${row.expected.answer}`;
    const ok = `${row.status} ${row.answer}` === expected;
    if (!ok) unexpected.push(`${row.request} (${row.status} ${row.answer}, expected ${expected})`);
    console.log(`${row.request.padEnd(width)}  ${String(row.status).padEnd(6)}  ${row.answer}${meaning}${ok ? '' : `  <- expected ${expected}`}`);
  }
  const served = issuer.requests.jwks;
  console.log(
    `\nThe issuer rotated its signing key right after the first request. Within the ${COOLDOWN} s cooldown the\n` +
      'service did not ask the issuer again, so it could not tell yet whether the new key exists and said\n' +
      'when to retry (503), never that the token is invalid; after the cooldown, one refetch found the key.\n' +
      `The issuer served its key set ${served} times for ${rows.length + 1} verifications.\n`,
  );
  if (served !== EXPECTED_JWKS_REQUESTS) unexpected.push(`key-set requests (${served}, expected ${EXPECTED_JWKS_REQUESTS})`);
  if (unexpected.length > 0) {
    console.error(`Unexpected answers: ${unexpected.join('; ')}`);
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

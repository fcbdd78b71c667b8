// A user's CommonJS test suite under Jest, without --experimental-vm-modules: it requires
// tokenwarden and verifies tokens whose keys it fetches from a loopback issuer, so the HTTP
// client the package loads on its first fetch loads through Jest's own module system.
const { generateKeyPairSync, randomUUID, sign } = require('node:crypto');
const { createServer } = require('node:http');
const { AccessTokenError, createVerifier } = require('tokenwarden');

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = randomUUID();
const b64u = (value) => Buffer.from(value).toString('base64url');
let server;
let issuer;

function signToken(claims) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64u(JSON.stringify({ alg: 'RS256', kid, typ: 'at+jwt' }));
  const payload = b64u(JSON.stringify({ iss: issuer, aud: 'jest-api', iat: now, exp: now + 300, ...claims }));
  return `${header}.${payload}.${b64u(sign('sha256', Buffer.from(`${header}.${payload}`), privateKey))}`;
}

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${server.address().port}`;
});

afterAll(() => new Promise((resolve) => {
  server.closeAllConnections();
  server.close(resolve);
}));

test('verifies a token with keys fetched from the issuer', async () => {
  const verifier = createVerifier({ issuer, audience: 'jest-api', jwksUri: `${issuer}/jwks.json` });
  const claims = await verifier.verifyAccessToken(signToken({ sub: 'jest-user' }));
  expect(claims.sub).toBe('jest-user');
});

test('refuses a token for another audience with the package\'s own error class', async () => {
  const verifier = createVerifier({ issuer, audience: 'jest-api', jwksUri: `${issuer}/jwks.json` });
  const error = await verifier.verifyAccessToken(signToken({ sub: 'jest-user', aud: 'other-api' })).catch((caught) => caught);
  expect(error).toBeInstanceOf(AccessTokenError);
  expect(error.code).toBe('audience_invalid');
});

test('runs the test issuer of tokenwarden/testing, which needs no ES module', async () => {
  const { createTestIssuer } = require('tokenwarden/testing');
  const testIssuer = await createTestIssuer({ audience: 'jest-api' });
  try {
    const verifier = createVerifier({ issuer: testIssuer.issuer, audience: 'jest-api' });
    const claims = await verifier.verifyAccessToken(await testIssuer.sign({ sub: 'from-the-test-issuer' }));
    expect(claims.sub).toBe('from-the-test-issuer');
  } finally {
    await testIssuer.close();
  }
});

// RFC 9701 answers: with jwtResponse on, the endpoint's answer must be a JWT of type
// token-introspection+jwt, signed with the issuer's keys, from the issuer, addressed to us.
// Anything else says nothing about the token: introspection_unavailable.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { responseJwtOf } from '../../src/introspection/response.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { createVerifier } from '../../src/verifier.js';
import { closeServers, sendJson, startServer, type LoopbackServer } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import { AUDIENCE, CLIENT_ID, CLIENT_SECRET, causeOf, opaqueToken } from './support.js';

let issuer: TestIssuer;
let stranger: TestIssuer;
beforeAll(async () => {
  [issuer, stranger] = await Promise.all([createTestIssuer({ audience: AUDIENCE }), createTestIssuer({ audience: AUDIENCE })]);
});
afterAll(async () => {
  await Promise.all([issuer?.close(), stranger?.close()]);
});
afterEach(closeServers);

const JWT_TYPE = 'application/token-introspection+jwt';

/** An endpoint answering every request with `body` as `type`; records the Accept header. */
async function endpointAnswering(body: () => Promise<string>, type = JWT_TYPE): Promise<{ server: LoopbackServer; accepts: string[] }> {
  const accepts: string[] = [];
  const server = await startServer(async (req, res) => {
    accepts.push(req.headers.accept ?? '');
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` });
    res.end(await body());
  });
  return { server, accepts };
}

function verifierFor(server: LoopbackServer) {
  return createVerifier({
    issuer: issuer.issuer,
    audience: AUDIENCE,
    jwksUri: issuer.jwksUri,
    introspection: { endpoint: server.url('/introspect'), clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, jwtResponse: true },
  });
}

const inner = (): Record<string, unknown> => ({
  active: true,
  iss: issuer.issuer,
  aud: AUDIENCE,
  sub: 'user-9',
  exp: Math.floor(Date.now() / 1000) + 300,
});
const answer = (from: TestIssuer, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  from.sign({ aud: CLIENT_ID, token_introspection: inner(), ...claims }, { header: { typ: 'token-introspection+jwt', ...header } });

describe('RFC 9701 answers', () => {
  it('asks for a JWT and accepts one signed by the issuer, keeping it for the gateway', async () => {
    const { server, accepts } = await endpointAnswering(() => answer(issuer));
    const claims = await verifierFor(server).verifyAccessToken(opaqueToken());

    expect(claims).toMatchObject({ sub: 'user-9', iss: issuer.issuer });
    expect(accepts).toEqual([JWT_TYPE]);
    expect(responseJwtOf(claims)?.split('.')).toHaveLength(3);
  });

  it('refuses an inactive answer inside a valid JWT with token_inactive', async () => {
    const { server } = await endpointAnswering(() => answer(issuer, { token_introspection: { active: false } }));
    await expectRefusal(verifierFor(server), opaqueToken(), 'token_inactive');
  });

  it.each([
    ['signed by another issuer\'s key', () => answer(stranger, { iss: issuer.issuer }), /does not verify/],
    ['of type at+jwt', () => answer(issuer, {}, { typ: 'at+jwt' }), /"typ" is not token-introspection\+jwt/],
    ['from another iss', () => answer(issuer, { iss: 'https://other.example.com' }), /another "iss"/],
    ['addressed to another aud', () => answer(issuer, { aud: 'another-client' }), /another "aud"/],
    ['without token_introspection', () => answer(issuer, { token_introspection: undefined }), /no "token_introspection"/],
    ['unsigned (alg none)', async () => `${Buffer.from('{"alg":"none","typ":"token-introspection+jwt"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: issuer.issuer, aud: CLIENT_ID, token_introspection: inner() })).toString('base64url')}.`, /does not verify/],
  ])('answers introspection_unavailable for a JWT %s', async (_name, body, cause) => {
    const { server } = await endpointAnswering(body);
    const error = await refusal(verifierFor(server).verifyAccessToken(opaqueToken()), 'introspection_unavailable');
    expect(causeOf(error)).toMatch(cause);
  });

  it('answers introspection_unavailable for plain JSON when a JWT was asked for', async () => {
    const server = await startServer((_req, res) => sendJson(res, 200, inner()));
    const error = await refusal(verifierFor(server).verifyAccessToken(opaqueToken()), 'introspection_unavailable');
    expect(causeOf(error)).toMatch(/application\/json, not application\/token-introspection\+jwt/);
  });
});

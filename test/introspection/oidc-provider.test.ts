// Against a real authorization server: oidc-provider issues opaque access tokens for one resource
// and JWTs for another, by a real client credentials grant; tokenwarden introspects the opaque
// ones (RFC 7662, plain and RFC 9701 JWT answers, HTTP Basic and private_key_jwt), sees a token
// revoked at the issuer (RFC 7009) turn inactive once its cache entry ends, and the issuer's
// request count shows the cache at work. Loopback only.
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { responseJwtOf } from '../../src/introspection/response.js';
import { createVerifier, type Verifier } from '../../src/verifier.js';
import { SECRET, basicAuth, clientCredentials, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';

const OPAQUE_RESOURCE = 'https://orders.example.com';
const JWT_RESOURCE = 'https://billing.example.com';
const RS_SECRET = 'the-resource-servers-own-secret-0123456789';

let as: OidcProvider;
let issuer: string;
let introspections = 0;
const rsKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeAll(async () => {
  as = await startOidcProvider({
    clients: [
      { client_id: 'app', client_secret: SECRET },
      // The resource server: it only introspects, and asks for signed answers (RFC 9701).
      { client_id: 'orders-rs', client_secret: RS_SECRET, grant_types: [], introspection_signed_response_alg: 'ES256' },
      {
        client_id: 'orders-rs-jwt',
        grant_types: [],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [{ ...rsKey.publicKey.export({ format: 'jwk' }), kid: 'rs' }] },
      },
    ],
    // RS256 answers for the client that names no introspection algorithm.
    rsaKey: true,
    defaultResource: OPAQUE_RESOURCE,
    resourceInfo: (resource) =>
      resource === JWT_RESOURCE
        ? { scope: 'orders:read', audience: JWT_RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }
        : { scope: 'orders:read', audience: OPAQUE_RESOURCE, accessTokenFormat: 'opaque' },
    features: { introspection: { enabled: true }, jwtIntrospection: { enabled: true }, revocation: { enabled: true } },
    intercept: (req) => {
      if (req.url?.startsWith('/token/introspection')) introspections++;
      return false;
    },
  });
  issuer = as.issuer;
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
});

afterAll(() => as?.stop());

const tokenFor = async (resource: string): Promise<string> => (await clientCredentials(issuer, { clientId: 'app', resource })).access_token;

async function revoke(token: string): Promise<void> {
  const response = await fetch(`${issuer}/token/revocation`, {
    method: 'POST',
    headers: { authorization: basicAuth('app'), 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${encodeURIComponent(token)}`,
  });
  expect(response.status).toBe(200);
}

function verifierWith(introspection: Record<string, unknown> = {}, audience = OPAQUE_RESOURCE): Verifier {
  return createVerifier({
    issuer,
    audience,
    jwksUri: `${issuer}/jwks`,
    introspection: { clientId: 'orders-rs', clientSecret: RS_SECRET, ...introspection },
  });
}

/** Introspection requests the issuer receives while `run` runs. */
async function counting(run: () => Promise<void>): Promise<number> {
  const before = introspections;
  await run();
  return introspections - before;
}

describe('opaque tokens from oidc-provider', () => {
  it('are verified by introspection at the discovered endpoint, then answered from the cache', async () => {
    const token = await tokenFor(OPAQUE_RESOURCE);
    expect(token.split('.')).toHaveLength(1);
    const verifier = verifierWith();

    const requests = await counting(async () => {
      const claims = await verifier.verifyAccessToken(token);
      expect(claims).toMatchObject({ iss: issuer, aud: OPAQUE_RESOURCE, client_id: 'app', scope: 'orders:read', token_type: 'Bearer' });
      for (let i = 0; i < 10; i++) await verifier.verifyAccessToken(token);
      await Promise.all(Array.from({ length: 10 }, () => verifier.verifyAccessToken(token)));
    });

    expect(requests).toBe(1);
  });

  it('turn inactive once revoked at the issuer (RFC 7009), when their cache entry ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const token = await tokenFor(OPAQUE_RESOURCE);
    const verifier = verifierWith({ cache: { maxAge: 60 } });
    await verifier.verifyAccessToken(token);

    await revoke(token);
    const cached = await counting(async () => {
      await verifier.verifyAccessToken(token);
    });
    expect(cached).toBe(0);

    vi.setSystemTime(Date.now() + 60_000);
    const asked = await counting(async () => {
      await expectRefusal(verifier, token, 'token_inactive');
      await expectRefusal(verifier, token, 'token_inactive');
    });
    expect(asked).toBe(1);
  });

  it('are refused for another audience, by the same rule as a JWT', async () => {
    const token = await tokenFor(OPAQUE_RESOURCE);
    await expectRefusal(verifierWith({}, 'https://someone-else.example.com'), token, 'audience_invalid');
  });

  it('are verified with private_key_jwt client authentication', async () => {
    const token = await tokenFor(OPAQUE_RESOURCE);
    const verifier = verifierWith({ clientId: 'orders-rs-jwt', clientSecret: undefined, privateKey: { ...rsKey.privateKey.export({ format: 'jwk' }), kid: 'rs' } });

    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ client_id: 'app' });
  });

  it('meet introspection_unavailable, naming the credentials, when the secret is wrong', async () => {
    const token = await tokenFor(OPAQUE_RESOURCE);
    const error = await refusal(verifierWith({ clientSecret: 'not-the-secret' }).verifyAccessToken(token), 'introspection_unavailable');
    expect(error.message).toMatch(/refused this verifier's client credentials \(HTTP 401\)/);
    expect(error.message).not.toContain('not-the-secret');
  });

  it('come in signed RFC 9701 answers with jwtResponse, verified with the issuer\'s keys', async () => {
    const token = await tokenFor(OPAQUE_RESOURCE);
    const verifier = verifierWith({ jwtResponse: true });

    const claims = await verifier.verifyAccessToken(token);

    expect(claims).toMatchObject({ iss: issuer, aud: OPAQUE_RESOURCE, client_id: 'app' });
    const jwt = responseJwtOf(claims) as string;
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'token-introspection+jwt', alg: 'ES256' });
    // RFC 9701 §5: addressed to the resource server's client, the token's own claims inside, and
    // no exp of its own (a service behind a phantom-token gateway reads the inner one).
    const payload = decodeJwt(jwt);
    expect(payload).toMatchObject({ iss: issuer, aud: 'orders-rs', iat: expect.any(Number), token_introspection: { active: true, aud: OPAQUE_RESOURCE, exp: expect.any(Number) } });
    expect(payload).not.toHaveProperty('exp');
    await verifier.verifyAccessToken(token);
  });

  it('come in RFC 9701 answers signed with the issuer\'s default algorithm for a client that names none', async () => {
    const token = await tokenFor(OPAQUE_RESOURCE);
    const verifier = verifierWith({ clientId: 'orders-rs-jwt', clientSecret: undefined, privateKey: { ...rsKey.privateKey.export({ format: 'jwk' }), kid: 'rs' }, jwtResponse: true });

    const claims = await verifier.verifyAccessToken(token);
    expect(decodeProtectedHeader(responseJwtOf(claims) as string)).toMatchObject({ typ: 'token-introspection+jwt', alg: 'RS256' });
  });
});

describe('JWT access tokens from the same issuer', () => {
  it('are verified locally without any introspection request', async () => {
    const token = await tokenFor(JWT_RESOURCE);
    expect(token.split('.')).toHaveLength(3);
    const verifier = verifierWith({}, JWT_RESOURCE);

    const requests = await counting(async () => {
      await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ aud: JWT_RESOURCE, client_id: 'app' });
    });
    expect(requests).toBe(0);
  });
});

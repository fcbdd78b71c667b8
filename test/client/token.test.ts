// getToken() against a real authorization server (oidc-provider on loopback): client
// credentials with client_secret_basic and private_key_jwt, the cache, single flight, and the
// issuer's refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenClient, isTokenClientError, type TokenClientOptions } from '../../src/client/index.js';
import { createVerifier, type Verifier } from '../../src/verifier.js';
import { AUDIENCE, SECRET, startAuthorizationServer, type TestAuthorizationServer } from './support.js';

let as: TestAuthorizationServer;
let verifier: Verifier;

beforeAll(async () => {
  as = await startAuthorizationServer();
  verifier = createVerifier({ issuer: as.issuer, audience: AUDIENCE, jwksUri: `${as.issuer}/jwks` });
}, 60_000);

afterAll(() => as.close());

const basic = (extra: Partial<TokenClientOptions> = {}) =>
  createTokenClient({ issuer: as.issuer, clientId: 'basic-client', clientSecret: SECRET, resource: AUDIENCE, scope: 'orders:read', ...extra } as TokenClientOptions);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('getToken() with client credentials', () => {
  it('gets a token with client_secret_basic that a tokenwarden verifier accepts', async () => {
    const client = basic();
    const claims = await verifier.verifyAccessToken(await client.getToken());
    expect(claims).toMatchObject({ client_id: 'basic-client', aud: AUDIENCE, scope: 'orders:read' });
    await client.close();
  });

  it('gets a token with private_key_jwt, from a KeyObject and from a JWK with its kid', async () => {
    for (const privateKey of [as.clientKey, { ...as.clientKey.export({ format: 'jwk' }), kid: 'client-key' }]) {
      const client = createTokenClient({ issuer: as.issuer, clientId: 'jwt-client', privateKey, resource: AUDIENCE });
      expect(await verifier.verifyAccessToken(await client.getToken())).toMatchObject({ client_id: 'jwt-client' });
      await client.close();
    }
  });

  it('sends the secret in the body with client_secret_post when asked', async () => {
    const client = basic({ tokenEndpointAuthMethod: 'client_secret_post' });
    expect(await verifier.verifyAccessToken(await client.getToken())).toMatchObject({ client_id: 'basic-client' });
    await client.close();
  });

  it('hands out the cached token without asking the issuer again', async () => {
    const client = basic();
    const before = as.tokenRequests();
    const first = await client.getToken();
    expect(await client.getToken()).toBe(first);
    expect(as.tokenRequests() - before).toBe(1);
    await client.close();
  });

  it('makes exactly one grant for 1,000 concurrent getToken() calls', async () => {
    const client = basic();
    const before = as.tokenRequests();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => client.getToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(as.tokenRequests() - before).toBe(1);
    await client.close();
  });

  it('refuses wrong credentials with invalid_client, once, without the secret in the error', async () => {
    const wrong = 'not-the-secret-at-all-but-long-enough';
    const client = basic({ clientSecret: wrong, retries: 2, retryDelay: 0 });
    const before = as.tokenRequests();
    const error = await rejection(client.getToken());
    expect(isTokenClientError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_client', oauthError: 'invalid_client', status: 401 });
    expect(as.tokenRequests() - before).toBe(1);
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message, stack: (error as Error).stack })).not.toContain(wrong);
    await client.close();
  });

  it('refuses an unknown private key with invalid_client', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const client = createTokenClient({ issuer: as.issuer, clientId: 'jwt-client', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, retries: 0 });
    expect(await rejection(client.getToken())).toMatchObject({ code: 'invalid_client' });
    await client.close();
  });

  it('reports a scope the issuer will not grant as grant_refused, not retried', async () => {
    const client = basic({ scope: 'orders:write', retries: 2, retryDelay: 0 });
    const before = as.tokenRequests();
    expect(await rejection(client.getToken())).toMatchObject({ code: 'grant_refused', oauthError: 'invalid_scope' });
    expect(as.tokenRequests() - before).toBe(1);
    await client.close();
  });

  it('retries a 500 from the issuer and returns the token it then issues', async () => {
    const client = basic({ retries: 2, retryDelay: 0 });
    const before = as.tokenRequests();
    as.failNext(2);
    expect(await verifier.verifyAccessToken(await client.getToken())).toMatchObject({ client_id: 'basic-client' });
    expect(as.tokenRequests() - before).toBe(3);
    await client.close();
  });

  it('gets a DPoP-bound token when dpop is set', async () => {
    const client = basic({ dpop: true });
    const token = await client.getToken();
    const payload = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { cnf?: { jkt?: string } };
    expect(payload.cnf?.jkt).toEqual(expect.any(String));
    await client.close();
  });
});

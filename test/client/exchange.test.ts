// client.exchange: RFC 8693 token exchange against oidc-provider with a token-exchange grant
// registered in the test (test/client/support.ts), cached per subject token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenClient, type TokenClient } from '../../src/client/index.js';
import { createVerifier } from '../../src/verifier.js';
import { AUDIENCE, SECRET, startAuthorizationServer, type TestAuthorizationServer } from './support.js';

const INVENTORY = 'https://inventory.example.com';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
let as: TestAuthorizationServer;
let caller: TokenClient;
let service: TokenClient;

beforeAll(async () => {
  as = await startAuthorizationServer();
  // The caller's token plays the incoming user token; the service exchanges it.
  caller = createTokenClient({ issuer: as.issuer, clientId: 'jwt-client', privateKey: as.clientKey, resource: AUDIENCE });
  service = createTokenClient({ issuer: as.issuer, clientId: 'basic-client', clientSecret: SECRET, resource: AUDIENCE, retries: 0 });
}, 60_000);

afterAll(async () => {
  await Promise.all([caller.close(), service.close()]);
  await as.close();
});

const exchanges = () => as.grants.get(EXCHANGE) ?? 0;

describe('client.exchange', () => {
  it('exchanges an incoming token for one for the next hop, naming the subject and the actor', async () => {
    const subject = await caller.getToken();
    const exchanged = await service.exchange(subject, { audience: INVENTORY, scope: 'orders:read' });
    const inventory = createVerifier({ issuer: as.issuer, audience: INVENTORY, jwksUri: `${as.issuer}/jwks` });
    expect(await inventory.verifyAccessToken(exchanged)).toMatchObject({ sub: 'jwt-client', aud: INVENTORY, act: { sub: 'basic-client' }, scope: 'orders:read' });
  });

  it('reuses the exchanged token for the same subject token and options, and exchanges again for others', async () => {
    const subject = await caller.getToken();
    const before = exchanges();
    const first = await service.exchange(subject, { audience: `${INVENTORY}/reuse` });
    expect(await service.exchange(subject, { audience: `${INVENTORY}/reuse` })).toBe(first);
    expect(exchanges() - before).toBe(1);
    expect(await service.exchange(subject, { audience: `${INVENTORY}/other` })).not.toBe(first);
    expect(exchanges() - before).toBe(2);
  });

  it('makes one exchange for concurrent calls with the same subject token', async () => {
    const subject = await caller.getToken();
    const before = exchanges();
    const tokens = await Promise.all(Array.from({ length: 100 }, () => service.exchange(subject, { audience: `${INVENTORY}/concurrent` })));
    expect(new Set(tokens).size).toBe(1);
    expect(exchanges() - before).toBe(1);
  });

  it('reports a subject token the issuer does not accept as grant_refused, without the token in the error', async () => {
    const forged = `${(await caller.getToken()).slice(0, -4)}AAAA`;
    const error = (await service.exchange(forged, { audience: INVENTORY }).catch((reason: unknown) => reason)) as Error;
    expect(error).toMatchObject({ code: 'grant_refused', oauthError: 'invalid_grant' });
    expect(error.message).not.toContain(forged);
  });

  it('refuses a subject token that is not a string, and unknown exchange options', async () => {
    await expect(service.exchange('' as string)).rejects.toThrow(TypeError);
    await expect(service.exchange('x', { audiance: 'x' } as never)).rejects.toThrow(/unknown option "exchange.audiance"/);
  });
});

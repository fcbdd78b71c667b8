import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireRoles, requireScopes } from '../../src/index.js';
import { auth0, auth0Permissions, type Auth0Claims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import { fakeProvider, onLoopback, type FakeProvider } from './support.js';

const DOMAIN = 'dev-tokenwarden.us.auth0.com';
const AUDIENCE = 'https://orders.example.com';

let tenant: FakeProvider;
beforeAll(async () => {
  tenant = await fakeProvider('auth0');
});
afterAll(closeServers);

const verifierFor = () => createVerifier<Auth0Claims>(onLoopback(auth0({ domain: DOMAIN, audience: AUDIENCE }), tenant.server));

describe('auth0()', () => {
  it('sets the issuer with the trailing slash Auth0 writes, its jwks.json and the API audience', () => {
    expect(auth0({ domain: DOMAIN, audience: AUDIENCE })).toEqual({
      issuer: `https://${DOMAIN}/`,
      audience: AUDIENCE,
      jwksUri: `https://${DOMAIN}/.well-known/jwks.json`,
    });
  });

  it("verifies a user's access token with the API and userinfo audiences, fetching the tenant's jwks.json", async () => {
    const claims = await verifierFor().verifyAccessToken(tenant.token('access'));
    expect(claims.sub).toBe('auth0|64f1c2a9e8b7d6c5b4a39281');
    expect(claims.permissions).toEqual(['read:orders', 'delete:orders']);
    expect(tenant.server.requests.map((request) => request.path)).toContain('/.well-known/jwks.json');
  });

  it('verifies a machine-to-machine (client-credentials) token', async () => {
    const claims = await verifierFor().verifyAccessToken(tenant.token('clientCredentials'));
    expect(claims.gty).toBe('client-credentials');
  });

  it("refuses the application's ID token, whose audience is the client id", async () => {
    const token = tenant.token('id');
    await expectRefusal(verifierFor(), token, 'audience_invalid');
  });

  it('refuses a token of another tenant, and one whose issuer lacks the trailing slash', async () => {
    await expectRefusal(verifierFor(), tenant.token('access', { iss: 'https://other.us.auth0.com/' }), 'issuer_invalid');
    await expectRefusal(verifierFor(), tenant.token('access', { iss: `https://${DOMAIN}` }), 'issuer_invalid');
  });

  it('reads RBAC permissions with auth0Permissions and scopes with requireScopes', async () => {
    const claims = await verifierFor().verifyAccessToken(tenant.token('access'));
    expect(requireRoles('delete:orders', auth0Permissions)(claims)).toBeUndefined();
    expect(requireScopes('read:orders')(claims)).toBeUndefined();
    const m2m = await verifierFor().verifyAccessToken(tenant.token('clientCredentials'));
    expect((await refusal(() => requireRoles('delete:orders', auth0Permissions)(m2m))).code).toBe('insufficient_scope');
  });

  it('lowercases the domain and refuses one written as a URL, naming the option', () => {
    expect(auth0({ domain: 'Dev-Tokenwarden.US.auth0.com', audience: AUDIENCE }).issuer).toBe(`https://${DOMAIN}/`);
    expect(() => auth0({ domain: `https://${DOMAIN}/`, audience: AUDIENCE })).toThrow(/option "domain"/);
    expect(() => auth0({ domain: DOMAIN, audience: [] })).toThrow(/option "audience"/);
    expect(() => auth0({ domain: DOMAIN } as never)).toThrow(TypeError);
  });
});

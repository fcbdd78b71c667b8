import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireRoles, requireScopes } from '../../src/index.js';
import { keycloak, keycloakClientRoles, keycloakRealmRoles, type KeycloakClaims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import { fakeProvider, onLoopback, type FakeProvider } from './support.js';

const BASE = 'https://sso.example.com';
const ISSUER = `${BASE}/realms/shop`;

let realm: FakeProvider;
beforeAll(async () => {
  realm = await fakeProvider('keycloak');
});
afterAll(closeServers);

const verifierFor = (clientId: string | string[] = ['orders.web', 'orders.worker']) =>
  createVerifier<KeycloakClaims>(onLoopback(keycloak({ baseUrl: BASE, realm: 'shop', clientId }), realm.server));

describe('keycloak()', () => {
  it("sets the realm's issuer and certs, the accepted clients and typ Bearer", () => {
    expect(keycloak({ baseUrl: `${BASE}/`, realm: 'shop', clientId: 'orders.web' })).toEqual({
      issuer: ISSUER,
      jwksUri: `${ISSUER}/protocol/openid-connect/certs`,
      clientId: 'orders.web',
      expectClaims: { typ: 'Bearer' },
    });
    expect(keycloak({ baseUrl: 'http://localhost:8080/auth', realm: 'shop', clientId: 'a', audience: 'orders-api' })).toMatchObject({
      issuer: 'http://localhost:8080/auth/realms/shop',
      audience: 'orders-api',
    });
  });

  it('verifies a default user token (aud "account", client in azp) against certs that also publish an encryption key', async () => {
    const claims = await verifierFor().verifyAccessToken(realm.token('access'));
    expect(claims.azp).toBe('orders.web');
    expect(realm.server.requests.map((request) => request.path)).toContain('/realms/shop/protocol/openid-connect/certs');
  });

  it('verifies a client-credentials token, which has no aud', async () => {
    const claims = await verifierFor().verifyAccessToken(realm.token('clientCredentials'));
    expect(claims.aud).toBeUndefined();
  });

  it('refuses an ID token by its typ claim, even from an accepted client', async () => {
    await expectRefusal(verifierFor(), realm.token('id'), 'claim_invalid');
  });

  it("refuses another client's token and another realm's", async () => {
    await expectRefusal(verifierFor('orders.web'), realm.token('clientCredentials'), 'audience_invalid');
    await expectRefusal(verifierFor(), realm.token('access', { iss: `${BASE}/realms/master` }), 'issuer_invalid');
  });

  it('reads realm roles and the roles of a client whose id has a dot', async () => {
    const claims = await verifierFor().verifyAccessToken(realm.token('access'));
    expect(requireRoles('shopper', keycloakRealmRoles)(claims)).toBeUndefined();
    expect(requireRoles('orders-admin', keycloakClientRoles('orders.api'))(claims)).toBeUndefined();
    expect(requireScopes('email')(claims)).toBeUndefined();
    expect((await refusal(() => requireRoles('manage-account', keycloakClientRoles('orders.api'))(claims))).code).toBe('insufficient_scope');
    // Read as a dotted path, "orders.api" would be two segments and find nothing.
    expect((await refusal(() => requireRoles('orders-admin', { claim: 'resource_access.orders.api.roles' })(claims))).code).toBe('insufficient_scope');
  });

  it('checks its options once, naming them', () => {
    expect(() => keycloak({ baseUrl: 'sso.example.com', realm: 'shop', clientId: 'a' })).toThrow(/option "baseUrl"/);
    expect(() => keycloak({ baseUrl: `${BASE}?x=1`, realm: 'shop', clientId: 'a' })).toThrow(/option "baseUrl"/);
    expect(() => keycloak({ baseUrl: BASE, realm: 'a/b', clientId: 'a' })).toThrow(/option "realm"/);
    expect(() => keycloak({ baseUrl: BASE, realm: 'shop' } as never)).toThrow(/option "clientId"/);
    expect(() => keycloakClientRoles('')).toThrow(/option "clientId"/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireScopes } from '../../src/index.js';
import { okta, type OktaClaims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import { fakeProvider, onLoopback, type FakeProvider } from './support.js';

const DOMAIN = 'dev-123456.okta.com';

let org: FakeProvider;
beforeAll(async () => {
  org = await fakeProvider('okta');
});
afterAll(closeServers);

const verifierFor = () => createVerifier<OktaClaims>(onLoopback(okta({ domain: DOMAIN, audience: 'api://default' }), org.server));

describe('okta()', () => {
  it('uses the default custom authorization server and its /v1/keys unless told another', () => {
    expect(okta({ domain: DOMAIN, audience: 'api://default' })).toEqual({
      issuer: `https://${DOMAIN}/oauth2/default`,
      audience: 'api://default',
      jwksUri: `https://${DOMAIN}/oauth2/default/v1/keys`,
    });
    expect(okta({ domain: DOMAIN, authorizationServer: 'aus1a2b3c4D5e6F7g8h9', audience: 'api://orders' }).jwksUri).toBe(
      `https://${DOMAIN}/oauth2/aus1a2b3c4D5e6F7g8h9/v1/keys`,
    );
  });

  it('verifies an access token (no typ header, scp as an array) fetched from /oauth2/default/v1/keys', async () => {
    const claims = await verifierFor().verifyAccessToken(org.token('access'));
    expect(claims.cid).toBe('0oa1b2c3d4E5F6g7H8i9');
    expect(org.server.requests.map((request) => request.path)).toContain('/oauth2/default/v1/keys');
  });

  it('refuses an ID token (its audience is the client id) and a token of another authorization server', async () => {
    await expectRefusal(verifierFor(), org.token('id'), 'audience_invalid');
    await expectRefusal(verifierFor(), org.token('access', { iss: `https://${DOMAIN}/oauth2/aus9z8y7x6W5v4U3t2s1` }), 'issuer_invalid');
    await expectRefusal(verifierFor(), org.token('access', { iss: `https://${DOMAIN}` }), 'issuer_invalid');
  });

  it('accepts only the given clients, by cid, when told them', async () => {
    const only = (clientId: string) => createVerifier<OktaClaims>(onLoopback(okta({ domain: DOMAIN, audience: 'api://default', clientId }), org.server));
    expect((await only('0oa1b2c3d4E5F6g7H8i9').verifyAccessToken(org.token('access'))).cid).toBe('0oa1b2c3d4E5F6g7H8i9');
    await expectRefusal(only('0oaOtherClient000000'), org.token('access'), 'audience_invalid');
  });

  it('grants the scopes of scp to requireScopes', async () => {
    const claims = await verifierFor().verifyAccessToken(org.token('access'));
    expect(requireScopes('orders.read')(claims)).toBeUndefined();
    expect((await refusal(() => requireScopes('orders.write')(claims))).code).toBe('insufficient_scope');
  });

  it('refuses an authorization server id that would change the path, naming the option', () => {
    expect(() => okta({ domain: DOMAIN, authorizationServer: 'default/../x', audience: 'a' })).toThrow(/option "authorizationServer"/);
    expect(() => okta({ domain: 'dev 1.okta.com', audience: 'a' })).toThrow(/option "domain"/);
    expect(() => okta({ domain: DOMAIN, audience: 'a', audiance: 'b' } as never)).toThrow(/unknown option "audiance"/);
  });
});

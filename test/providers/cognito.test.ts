import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, requireRoles, requireScopes } from '../../src/index.js';
import { cognito, cognitoGroups, type CognitoAccessTokenClaims, type CognitoIdTokenClaims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import { fakeProvider, onLoopback, type FakeProvider } from './support.js';

const POOL = 'eu-west-1_AbC123dEf';
const CLIENT = '4example8fjt2p7cb9nlvd1kq6';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;

let pool: FakeProvider;
beforeAll(async () => {
  pool = await fakeProvider('cognito');
});
afterAll(closeServers);

const accessVerifier = (clientId: string | string[] = CLIENT) =>
  createVerifier<CognitoAccessTokenClaims>(onLoopback(cognito({ userPoolId: POOL, clientId }), pool.server));
const idVerifier = () => createVerifier<CognitoIdTokenClaims>(onLoopback(cognito({ userPoolId: POOL, clientId: CLIENT, tokenUse: 'id' }), pool.server));

describe('cognito()', () => {
  it("derives the region from the pool id and checks access tokens' client_id and token_use", () => {
    expect(cognito({ userPoolId: POOL, clientId: CLIENT })).toEqual({
      issuer: ISSUER,
      jwksUri: `${ISSUER}/.well-known/jwks.json`,
      clientId: CLIENT,
      expectClaims: { token_use: 'access' },
    });
    expect(cognito({ region: 'eu-west-1', userPoolId: POOL, clientId: CLIENT, tokenUse: 'id' })).toEqual({
      issuer: ISSUER,
      jwksUri: `${ISSUER}/.well-known/jwks.json`,
      audience: CLIENT,
      expectClaims: { token_use: 'id' },
    });
  });

  it('verifies an access token, which has no aud, from the pool key set (kids in base64 with padding)', async () => {
    const claims = await accessVerifier().verifyAccessToken(pool.token('access'));
    expect(claims.username).toBe('alice');
    expect(pool.server.requests.map((request) => request.path)).toContain(`/${POOL}/.well-known/jwks.json`);
  });

  it('refuses the ID token of the same session where access tokens are expected, and the reverse', async () => {
    await expectRefusal(accessVerifier(), pool.token('id'), 'audience_invalid');
    // Even one that names the client the way an access token does is told apart by token_use.
    await expectRefusal(accessVerifier(), pool.token('id', { client_id: CLIENT }), 'claim_invalid');
    await expectRefusal(idVerifier(), pool.token('access', { aud: CLIENT }), 'claim_invalid');
    expect((await idVerifier().verifyAccessToken(pool.token('id')))['cognito:username']).toBe('alice');
  });

  it('refuses an access token of another app client, and one of another pool', async () => {
    await expectRefusal(accessVerifier('other-client'), pool.token('access'), 'audience_invalid');
    await expectRefusal(accessVerifier(), pool.token('access', { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other999' }), 'issuer_invalid');
  });

  it('reads groups with cognitoGroups and scopes with requireScopes', async () => {
    const claims = await accessVerifier().verifyAccessToken(pool.token('access'));
    expect(requireRoles('admin', cognitoGroups)(claims)).toBeUndefined();
    expect(requireScopes('orders/read')(claims)).toBeUndefined();
    expect((await refusal(() => requireRoles('root', cognitoGroups)(claims))).code).toBe('insufficient_scope');
  });

  it('checks its options once, naming them', () => {
    expect(() => cognito({ userPoolId: 'AbC123dEf', clientId: CLIENT })).toThrow(/option "userPoolId"/);
    expect(() => cognito({ region: 'us-east-1', userPoolId: POOL, clientId: CLIENT })).toThrow(/option "region"/);
    expect(() => cognito({ userPoolId: POOL, clientId: CLIENT, tokenUse: 'refresh' as never })).toThrow(/option "tokenUse"/);
    expect(() => cognito({ userPoolId: POOL } as never)).toThrow(/option "clientId"/);
  });
});

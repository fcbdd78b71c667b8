import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index.js';
import { firebase, type FirebaseClaims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal } from '../helpers/refusal.js';
import { fakeProvider, onLoopback, type FakeProvider } from './support.js';

const PROJECT = 'tokenwarden-demo';

let securetoken: FakeProvider;
beforeAll(async () => {
  securetoken = await fakeProvider('firebase');
});
afterAll(closeServers);

const verifierFor = (projectId = PROJECT) => createVerifier<FirebaseClaims>(onLoopback(firebase({ projectId }), securetoken.server));

describe('firebase()', () => {
  it("sets the project's securetoken issuer, the project id as audience and Google's securetoken key set", () => {
    expect(firebase({ projectId: PROJECT })).toEqual({
      issuer: `https://securetoken.google.com/${PROJECT}`,
      audience: PROJECT,
      jwksUri: 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
      requiredClaims: ['sub', 'auth_time'],
    });
  });

  it('verifies an ID token of the project, signed by a securetoken key', async () => {
    const claims = await verifierFor().verifyAccessToken(securetoken.token('id'));
    expect(claims.user_id).toBe(claims.sub);
    expect(claims.firebase.sign_in_provider).toBe('google.com');
    expect(securetoken.server.requests.map((request) => request.path)).toContain('/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com');
  });

  it("refuses another project's token, and a Google sign-in ID token", async () => {
    await expectRefusal(verifierFor('another-project'), securetoken.token('id'), 'issuer_invalid');
    const googleToken = securetoken.token('id', { iss: 'https://accounts.google.com', aud: '1234-abc.apps.googleusercontent.com' });
    await expectRefusal(verifierFor(), googleToken, 'issuer_invalid');
  });

  it('refuses a token without sub or without auth_time, which Firebase says to check', async () => {
    await expectRefusal(verifierFor(), securetoken.token('id', { sub: undefined }), 'claim_invalid');
    await expectRefusal(verifierFor(), securetoken.token('id', { auth_time: undefined }), 'claim_invalid');
  });

  it('refuses an empty sub and an auth_time in the future, as Firebase says to', async () => {
    await expectRefusal(verifierFor(), securetoken.token('id', { sub: '' }), 'claim_invalid');
    await expectRefusal(verifierFor(), securetoken.token('id', { auth_time: Math.floor(Date.now() / 1000) + 600 }), 'token_not_yet_valid');
  });

  it('refuses a project id that would change the issuer path, naming the option', () => {
    expect(() => firebase({ projectId: 'a/b' })).toThrow(/option "projectId"/);
    expect(() => firebase({} as never)).toThrow(/option "projectId"/);
  });
});

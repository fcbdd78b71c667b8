import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/index.js';
import { google, type GoogleClaims } from '../../src/providers/index.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal } from '../helpers/refusal.js';
import { fakeProvider, onLoopback, type FakeProvider } from './support.js';

const CLIENT_ID = '1234567890-abc123def456ghi789jkl012mno345pq.apps.googleusercontent.com';
const CERTS = 'https://www.googleapis.com/oauth2/v3/certs';

let accounts: FakeProvider;
beforeAll(async () => {
  accounts = await fakeProvider('google');
});
afterAll(closeServers);

const verifierFor = (audience: string | string[] = CLIENT_ID) => createVerifier<GoogleClaims>(onLoopback(google({ audience }), accounts.server));

describe('google()', () => {
  it("trusts both of Google's issuer spellings, each with Google's one key set", () => {
    expect(google({ audience: CLIENT_ID })).toEqual({
      issuer: ['https://accounts.google.com', 'accounts.google.com'],
      audience: CLIENT_ID,
      jwksUri: { 'https://accounts.google.com': CERTS, 'accounts.google.com': CERTS },
    });
  });

  it('verifies a Sign in with Google ID token meant for your client id', async () => {
    const claims = await verifierFor().verifyAccessToken(accounts.token('id'));
    expect(claims.email).toBe('alice@example.com');
    expect(claims.hd).toBe('example.com');
  });

  it('verifies a service-to-service ID token (issuer without scheme) meant for your service URL', async () => {
    const claims = await verifierFor('https://orders-abc123-uc.a.run.app').verifyAccessToken(accounts.token('serviceAccount'));
    expect(claims.iss).toBe('accounts.google.com');
  });

  it("refuses an ID token minted for another app: the same keys sign everyone's", async () => {
    await expectRefusal(verifierFor(), accounts.token('id', { aud: 'someone-else.apps.googleusercontent.com' }), 'audience_invalid');
    await expectRefusal(verifierFor(), accounts.token('serviceAccount'), 'audience_invalid');
  });

  it('refuses a Firebase token, signed by Google but for a project', async () => {
    const firebaseToken = accounts.token('id', { iss: 'https://securetoken.google.com/tokenwarden-demo', aud: CLIENT_ID });
    await expectRefusal(verifierFor(), firebaseToken, 'issuer_invalid');
  });

  it("fetches Google's key set once for tokens of both issuers", async () => {
    const before = accounts.server.count('/oauth2/v3/certs');
    const verifier = verifierFor([CLIENT_ID, 'https://orders-abc123-uc.a.run.app']);
    await verifier.verifyAccessToken(accounts.token('id'));
    await verifier.verifyAccessToken(accounts.token('serviceAccount'));
    expect(accounts.server.count('/oauth2/v3/certs') - before).toBe(1);
  });

  it('accepts only accounts of the hosted domain when told one, through hd', async () => {
    const options = google({ audience: CLIENT_ID, hostedDomain: 'Example.com' });
    expect(options.expectClaims).toEqual({ hd: 'example.com' });
    const verifier = createVerifier<GoogleClaims>(onLoopback(options, accounts.server));
    expect((await verifier.verifyAccessToken(accounts.token('id'))).hd).toBe('example.com');
    await expectRefusal(verifier, accounts.token('id', { hd: 'evil.example' }), 'claim_invalid');
    await expectRefusal(verifier, accounts.token('id', { hd: undefined, email: 'mallory@example.com' }), 'claim_invalid');
  });

  it('needs an audience, naming the option', () => {
    expect(() => google({} as never)).toThrow(/option "audience"/);
    expect(() => google({ audience: '' })).toThrow(/option "audience"/);
  });
});

// Against a real authorization server: oidc-provider issues JWT access tokens signed with its
// own key and encrypted to the resource server's key (resourceIndicators, `accessTokenFormat:
// 'jwt'`, `jwt: { sign, encrypt }`), to a client using the client_credentials grant; tokenwarden
// decrypts them with the matching private key and verifies the signed JWT inside. Loopback only.
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, type Verifier } from '../../src/index.js';
import { SECRET, clientCredentials, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { expectRefusal } from '../helpers/refusal.js';

const RSA_API = 'https://orders.example.com';
const EC_API = 'https://billing.example.com';
const DIR_API = 'https://stock.example.com';
const SIGNED_ONLY = 'https://plain.example.com';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const shared = randomBytes(32);

const ENCRYPTION: Record<string, { alg: string; enc: string; key: unknown; kid?: string }> = {
  [RSA_API]: { alg: 'RSA-OAEP-256', enc: 'A256GCM', key: rsa.publicKey, kid: 'orders-enc' },
  [EC_API]: { alg: 'ECDH-ES+A256KW', enc: 'A128CBC-HS256', key: ec.publicKey, kid: 'billing-enc' },
  [DIR_API]: { alg: 'dir', enc: 'A256GCM', key: createSecretKey(shared) },
};

let as: OidcProvider;
let issuer: string;

beforeAll(async () => {
  as = await startOidcProvider({
    clients: [{ client_id: 'api-client', client_secret: SECRET }],
    defaultResource: RSA_API,
    resourceInfo: (resource) => ({
      scope: 'orders:read',
      audience: resource,
      accessTokenFormat: 'jwt',
      jwt: { sign: { alg: 'ES256' }, ...(ENCRYPTION[resource] === undefined ? {} : { encrypt: ENCRYPTION[resource] }) },
    }),
  });
  issuer = as.issuer;
}, 60_000);

afterAll(() => as?.stop());

const tokenFor = async (resource: string): Promise<string> => (await clientCredentials(issuer, { clientId: 'api-client', resource })).access_token;

function verifierFor(audience: string): Verifier {
  return createVerifier({
    issuer,
    audience,
    jwksUri: `${issuer}/jwks`,
    typ: 'at+jwt',
    requiredClaims: ['client_id', 'jti'],
    decryption: {
      keys: [
        { key: rsa.privateKey, alg: 'RSA-OAEP-256', kid: 'orders-enc' },
        { key: ec.privateKey, alg: 'ECDH-ES+A256KW', kid: 'billing-enc' },
        { kty: 'oct', k: shared.toString('base64url'), alg: 'dir' },
      ],
    },
  });
}

describe('encrypted access tokens from oidc-provider', () => {
  it.each([
    ['RSA-OAEP-256 with A256GCM', RSA_API],
    ['ECDH-ES+A256KW with A128CBC-HS256', EC_API],
    ['dir with A256GCM', DIR_API],
  ])('are decrypted (%s) and verified', async (_name, resource) => {
    const token = await tokenFor(resource);
    expect(token.split('.')).toHaveLength(5);
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ cty: 'at+jwt', alg: ENCRYPTION[resource]?.alg, enc: ENCRYPTION[resource]?.enc });
    await expect(verifierFor(resource).verifyAccessToken(token)).resolves.toMatchObject({
      iss: issuer,
      aud: resource,
      client_id: 'api-client',
      scope: 'orders:read',
    });
  });

  it('are refused by a resource server they were not encrypted for, and without decryption', async () => {
    const token = await tokenFor(RSA_API);
    const other = createVerifier({
      issuer,
      audience: RSA_API,
      jwksUri: `${issuer}/jwks`,
      decryption: { keys: [{ key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, alg: 'RSA-OAEP-256', kid: 'orders-enc' }] },
    });
    await expectRefusal(other, token, 'token_decryption_failed');
    await expectRefusal(createVerifier({ issuer, audience: RSA_API, jwksUri: `${issuer}/jwks` }), token, 'token_malformed');
  });

  it('sit beside the same server\'s signed-only tokens, which the same verifier accepts', async () => {
    const token = await tokenFor(SIGNED_ONLY);
    expect(token.split('.')).toHaveLength(3);
    await expect(verifierFor(SIGNED_ONLY).verifyAccessToken(token)).resolves.toMatchObject({ aud: SIGNED_ONLY });
  });
});

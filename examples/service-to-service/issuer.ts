// The authorization server of the example: oidc-provider on loopback, issuing JWT access tokens
// per resource (RFC 8707), with a token-exchange grant (RFC 8693) registered on it. The grant
// handler is ours: it accepts a subject token only if tokenwarden verifies it for service A,
// and names the exchanging client in `act` (RFC 8693 §4.1).
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { createVerifier } from '../../src/index.js';

export const SERVICE_A = 'https://service-a.example.com';
export const SERVICE_B = 'https://service-b.example.com';
export const SECRETS = { webApp: 'web-app-secret-of-enough-length', serviceA: 'service-a-secret-of-enough-length' };
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

interface GrantContext {
  oidc: { params: Record<string, string | undefined>; client: { clientId: string } };
  body: unknown;
}
interface Models {
  AccessToken: new (fields: Record<string, unknown>) => { save(): Promise<string>; expiration: number; resourceServer?: unknown };
  ResourceServer: new (identifier: string, info: Record<string, unknown>) => unknown;
}

export async function startIssuer(): Promise<{ issuer: string; close(): Promise<void> }> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const resourceInfo = (audience: string) => ({ scope: 'stock:read orders:read', audience, accessTokenFormat: 'jwt', accessTokenTTL: 300, jwt: { sign: { alg: 'ES256' } } });
  const client = (id: string, secret: string, grants: string[]) => ({
    client_id: id,
    client_secret: secret,
    grant_types: grants,
    redirect_uris: [],
    response_types: [],
    id_token_signed_response_alg: 'ES256',
  });
  const provider = new Provider(issuer, {
    clients: [client('web-app', SECRETS.webApp, ['client_credentials']), client('service-a', SECRETS.serviceA, ['client_credentials', TOKEN_EXCHANGE])],
    jwks: { keys: [{ ...key, kid: 'example', alg: 'ES256' }] },
    scopes: ['stock:read', 'orders:read'],
    ttl: { ClientCredentials: 300, AccessToken: 300 },
    extraTokenClaims: (_ctx: unknown, token: { gty?: string; clientId?: string }) => (token.gty === 'token_exchange' ? { act: { sub: token.clientId } } : undefined),
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => SERVICE_A,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => resourceInfo(resource),
      },
    },
  } as never);

  const incoming = createVerifier({ issuer, audience: SERVICE_A, jwksUri: `${issuer}/jwks` });
  const { errors } = (await import('oidc-provider')) as unknown as { errors: { InvalidGrant: new (description: string) => Error } };
  const models = provider as unknown as Models;
  (provider as unknown as { registerGrantType(type: string, handler: (ctx: GrantContext) => Promise<void>, params: string[]): void }).registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const { params } = ctx.oidc;
      const claims = await incoming.verifyAccessToken(params.subject_token ?? '').catch(() => {
        throw new errors.InvalidGrant('the subject token is not one for service A');
      });
      const audience = params.audience ?? SERVICE_B;
      const token = new models.AccessToken({ accountId: claims.sub, client: ctx.oidc.client, grantId: 'exchange', gty: 'token_exchange', scope: params.scope ?? 'stock:read' });
      token.resourceServer = new models.ResourceServer(audience, resourceInfo(audience));
      ctx.body = {
        access_token: await token.save(),
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: token.expiration,
      };
    },
    ['subject_token', 'subject_token_type', 'audience', 'scope', 'requested_token_type', 'resource'],
  );
  server.on('request', provider.callback());
  return {
    issuer,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

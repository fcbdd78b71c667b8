// The client tests' authorization server: oidc-provider on loopback (test/helpers/oidc-provider.ts)
// issuing JWT access tokens for one resource, with a client per authentication method, DPoP, and
// a token exchange grant whose handler is written here. Every token request is counted.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createVerifier } from '../../src/verifier.js';
import { SECRET, startOidcProvider } from '../helpers/oidc-provider.js';

export { SECRET };
export const AUDIENCE = 'https://orders.example.com';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export interface TestAuthorizationServer {
  readonly issuer: string;
  /** Tokens issued so far, by grant type. */
  readonly grants: Map<string, number>;
  /** Requests to the token endpoint so far, answered or not. */
  tokenRequests(): number;
  /** The private key registered for the `jwt-client` (private_key_jwt). */
  readonly clientKey: KeyObject;
  /** Makes the token endpoint answer 500 for the next `count` requests. */
  failNext(count: number): void;
  close(): Promise<void>;
}

interface ExchangeContext {
  oidc: { params: Record<string, string | undefined>; client: { clientId: string } };
  body: unknown;
}

interface ProviderModels {
  AccessToken: new (fields: Record<string, unknown>) => {
    save(): Promise<string>;
    expiration: number;
    scope?: string;
    resourceServer?: unknown;
  };
  ResourceServer: new (identifier: string, info: Record<string, unknown>) => unknown;
}

export async function startAuthorizationServer(): Promise<TestAuthorizationServer> {
  const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const clientJwk = { ...clientKey.export({ format: 'jwk' }), kid: 'client-key' } as Record<string, unknown>;
  delete clientJwk.d;
  const resourceInfo = (audience: string) => ({ scope: 'orders:read orders:write', audience, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } });
  // Token requests are counted as they arrive, before oidc-provider reads them.
  let tokenRequests = 0;
  let failures = 0;
  const { issuer, provider, stop } = await startOidcProvider({
    clients: [
      { client_id: 'basic-client', client_secret: SECRET, scope: 'orders:read', grant_types: ['client_credentials', TOKEN_EXCHANGE] },
      { client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [clientJwk] } },
    ],
    scopes: ['orders:read', 'orders:write'],
    defaultResource: AUDIENCE,
    resourceInfo,
    configuration: {
      // RFC 8693 §4.1: an exchanged token names the client that acted on the subject's behalf.
      extraTokenClaims: (_ctx: unknown, token: { gty?: string; clientId?: string }) => (token.gty === 'token_exchange' ? { act: { sub: token.clientId } } : undefined),
    },
    features: { dPoP: { enabled: true } },
    intercept: (req, res) => {
      if (req.method !== 'POST' || req.url?.startsWith('/token') !== true) return false;
      tokenRequests++;
      if (failures === 0) return false;
      failures--;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('down for a moment');
      return true;
    },
  });

  // RFC 8693 on oidc-provider: a grant handler of our own. The subject token must be one this
  // issuer signed for AUDIENCE (tokenwarden verifies it); the new token names the caller in `act`.
  const subjects = createVerifier({ issuer, audience: AUDIENCE, jwksUri: `${issuer}/jwks` });
  const { errors } = (await import('oidc-provider')) as unknown as { errors: { InvalidGrant: new (description: string) => Error } };
  (provider as unknown as { registerGrantType(type: string, handler: (ctx: ExchangeContext) => Promise<void>, params: string[]): void }).registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const { params, client } = ctx.oidc;
      if (params.subject_token_type !== 'urn:ietf:params:oauth:token-type:access_token') throw new errors.InvalidGrant('unsupported subject_token_type');
      let subject: string;
      try {
        subject = (await subjects.verifyAccessToken(params.subject_token ?? '')).sub as string;
      } catch {
        throw new errors.InvalidGrant('subject token not accepted');
      }
      const audience = params.audience ?? AUDIENCE;
      const provider_ = provider as unknown as ProviderModels;
      const token = new provider_.AccessToken({ accountId: subject, client, grantId: 'token-exchange', gty: 'token_exchange', scope: params.scope ?? 'orders:read' });
      token.resourceServer = new provider_.ResourceServer(audience, resourceInfo(audience));
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope: token.scope,
      };
    },
    ['subject_token', 'subject_token_type', 'audience', 'scope', 'requested_token_type', 'resource'],
  );

  const grants = new Map<string, number>();
  (provider as unknown as { on(event: string, listener: (ctx: ExchangeContext) => void): void }).on('grant.success', (ctx) => {
    const type = ctx.oidc.params.grant_type ?? '';
    grants.set(type, (grants.get(type) ?? 0) + 1);
  });
  return {
    issuer,
    grants,
    tokenRequests: () => tokenRequests,
    clientKey,
    failNext: (count) => void (failures = count),
    close: stop,
  };
}

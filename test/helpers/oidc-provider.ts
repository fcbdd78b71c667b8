// A real authorization server for the tests that need one: oidc-provider on loopback, issuing
// client credentials tokens per resource (RFC 8707). Each test file names its clients, its
// resources and the features it tests (DPoP, mTLS, introspection, revocation, encrypted tokens);
// the keys, the listeners, the base configuration and closing everything are here, once.
import { generateKeyPairSync, type X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Provider from 'oidc-provider';
import { expect } from 'vitest';
import { close, listen } from './listen.js';

/** The client secret the tests' clients share; long enough for oidc-provider's HS algorithms. */
export const SECRET = 'a-client-secret-long-enough-for-the-test';

/** Client metadata as oidc-provider takes it (RFC 7591 names). */
export type ClientMetadata = { readonly client_id: string } & Readonly<Record<string, unknown>>;

/** What oidc-provider reads from the TLS connection to bind or authenticate by certificate. */
export interface TlsContext {
  socket: { getPeerX509Certificate?: () => X509Certificate | undefined };
}

/** The client certificate of a request: `features.mTLS.getCertificate` for a `tls` provider. */
export const peerCertificate = (ctx: TlsContext): X509Certificate | undefined => ctx.socket.getPeerX509Certificate?.();

export interface OidcProviderOptions {
  /**
   * The registered clients. Each is a client credentials client without redirects that signs
   * ID tokens with ES256, unless its metadata says otherwise.
   */
  clients: readonly ClientMetadata[];
  /** The resource a token request that names none is for. */
  defaultResource: string;
  /**
   * What oidc-provider issues for a resource (its resource server info).
   * @default a JWT signed with ES256, for that resource as audience, with every scope
   */
  resourceInfo?: (resource: string) => Record<string, unknown>;
  /** @default ['orders:read'] */
  scopes?: readonly string[];
  /**
   * Features beside the ones every test has: client credentials and resource indicators on,
   * development interactions off.
   */
  features?: Readonly<Record<string, unknown>>;
  /**
   * Adds an RSA key (kid `rs`) beside the ES256 one (kid `es`): oidc-provider signs with RS256
   * whatever a client names no algorithm for.
   * @default false
   */
  rsaKey?: boolean;
  /** Any other top-level oidc-provider configuration (`ttl`, `extraTokenClaims`, ...). */
  configuration?: Readonly<Record<string, unknown>>;
  /**
   * Also serves over HTTPS with this certificate, asking each client for its certificate
   * without requiring one. With `asIssuer`, the HTTPS origin is the issuer and there is no
   * plain HTTP listener.
   */
  tls?: { readonly cert: string; readonly key: string; readonly asIssuer?: boolean };
  /** Sees every request before oidc-provider; returns true when it has answered it itself. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface OidcProvider {
  /** The issuer identifier, also the origin its endpoints are under. */
  readonly issuer: string;
  /** `https://127.0.0.1:{port}` when `tls` was given. */
  readonly tlsOrigin: string | undefined;
  /** For what a test adds on the provider itself (a grant type, an event listener). */
  readonly provider: Provider;
  /** Closes every listener and every connection to it. */
  stop(): Promise<void>;
}

/** Starts oidc-provider on 127.0.0.1, on free ports, with fresh signing keys. */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const { tls } = options;
  const http = tls?.asIssuer === true ? undefined : createServer();
  const https = tls === undefined ? undefined : createHttpsServer({ cert: tls.cert, key: tls.key, requestCert: true, rejectUnauthorized: false });
  const servers = [http, https].filter((server) => server !== undefined) as Server[];
  const origin = http === undefined ? undefined : `http://127.0.0.1:${await listen(http)}`;
  const tlsOrigin = https === undefined ? undefined : `https://127.0.0.1:${await listen(https)}`;
  const issuer = (origin ?? tlsOrigin) as string;

  const scopes = options.scopes ?? ['orders:read'];
  const resourceInfo =
    options.resourceInfo ?? ((resource: string) => ({ scope: scopes.join(' '), audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }));
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const keys: object[] = [{ ...ec, kid: 'es', alg: 'ES256' }];
  if (options.rsaKey === true) keys.push({ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'rs' });

  const provider = new Provider(issuer, {
    ...options.configuration,
    clients: options.clients.map((client) => ({ grant_types: ['client_credentials'], redirect_uris: [], response_types: [], id_token_signed_response_alg: 'ES256', ...client })),
    jwks: { keys },
    scopes,
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.defaultResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => resourceInfo(resource),
      },
      ...options.features,
    },
  });
  const callback = provider.callback();
  const { intercept } = options;
  for (const server of servers) {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (intercept?.(req, res) !== true) callback(req, res);
    });
  }
  return { issuer, tlsOrigin, provider, stop: async () => void (await Promise.all(servers.map(close))) };
}

/** `Authorization` for client_secret_basic (RFC 6749 §2.3.1). */
export const basicAuth = (clientId: string, secret = SECRET): string => `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;

export interface TokenRequest {
  readonly clientId: string;
  /** @default SECRET */
  readonly secret?: string;
  readonly resource: string;
  /** @default 'orders:read' */
  readonly scope?: string;
  /** Sent besides authorization and content type, e.g. a DPoP proof. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A client credentials grant at `{issuer}/token` with client_secret_basic; expects it granted
 * (the issuer's answer is the failure message otherwise) and returns the token response.
 */
export async function clientCredentials(issuer: string, request: TokenRequest): Promise<{ access_token: string; token_type?: string }> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(request.clientId, request.secret), 'content-type': 'application/x-www-form-urlencoded', ...request.headers },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: request.scope ?? 'orders:read', resource: request.resource }).toString(),
  });
  const body = (await response.json()) as { access_token: string; token_type?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

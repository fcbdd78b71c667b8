// tokenwarden/client: tokens for calling other services. A client-credentials token cached and
// refreshed ahead of expiry, a fetch that sends it (with DPoP proofs where asked), and RFC 8693
// token exchange for the next hop. Node only: it talks through undici.
import { createTokenCache } from './cache.js';
import { createGrants } from './grant.js';
import { createTransport } from './http.js';
import { resolveTokenClientOptions, type TokenClientOptions } from './options.js';

export { TokenClientError, isTokenClientError } from './errors.js';
export type { TokenClientErrorCode, TokenClientErrorOptions } from './errors.js';
export type { ClientDpopOptions, ClientPrivateKey, ClientTlsOptions, TokenClientOptions } from './options.js';

/** A token client, from {@link createTokenClient}. */
export interface TokenClient {
  /**
   * The client's access token: the cached one while it has more than `refreshMargin` seconds
   * left, else a new one. Any number of concurrent callers share one request to the issuer.
   * Rejects with a {@link TokenClientError}. A DPoP-bound token is only usable with a proof:
   * send it with {@link TokenClient.fetch}.
   */
  getToken(): Promise<string>;
  /** Closes the client's idle connections. Pending calls still settle. */
  close(): Promise<void>;
}

/**
 * Creates a client that gets tokens for the service itself (client credentials) from an issuer
 * found by discovery. Options are checked now; nothing is fetched until a token is asked for.
 *
 * @example
 * ```ts
 * import { createTokenClient } from 'tokenwarden/client';
 *
 * const client = createTokenClient({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'orders-service',
 *   clientSecret: process.env.ORDERS_CLIENT_SECRET,
 *   scope: 'inventory:read',
 *   resource: 'https://inventory.example.com',
 * });
 * const token = await client.getToken();
 * ```
 */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  const settings = resolveTokenClientOptions(options);
  const transport = createTransport({
    timeout: settings.timeout,
    maxBytes: settings.maxBytes,
    tls: settings.authentication.kind === 'tls_client_auth' ? settings.authentication.tls : undefined,
  });
  const grants = createGrants(settings, transport);
  const own = createTokenCache(() => grants.clientCredentials(), settings);

  return {
    getToken: async () => (await own.get()).accessToken,
    close: () => transport.close(),
  };
}

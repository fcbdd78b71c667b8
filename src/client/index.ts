// tokenwarden/client: tokens for calling other services. A client-credentials token cached and
// refreshed ahead of expiry, a fetch that sends it (with DPoP proofs where asked), and RFC 8693
// token exchange for the next hop. Node only: it talks through undici.
import { createTokenCache } from './cache.js';
import { createExchanges, type ExchangeOptions } from './exchange.js';
import { fetchWithToken } from './fetch.js';
import { createGrants } from './grant.js';
import { createTransport } from './http.js';
import { resolveTokenClientOptions, type TokenClientOptions } from './options.js';

export { TokenClientError, isTokenClientError } from './errors.js';
export type { TokenClientErrorCode, TokenClientErrorOptions } from './errors.js';
export type { ExchangeOptions } from './exchange.js';
export type { ClientDpopOptions, ClientPrivateKey, ClientTlsOptions, TokenClientOptions } from './options.js';

/** How {@link TokenClient.fetch} gets its token. */
export interface ClientFetchOptions {
  /**
   * Send a token exchanged for this subject token (see {@link TokenClient.exchange}) instead of
   * the client's own.
   * @default unset (the client's own token)
   */
  exchange?: ExchangeOptions & { subjectToken: string };
}

/** A token client, from {@link createTokenClient}. */
export interface TokenClient {
  /**
   * The client's access token: the cached one while it has more than `refreshMargin` seconds
   * left, else a new one. Any number of concurrent callers share one request to the issuer.
   * Rejects with a {@link TokenClientError}. A DPoP-bound token is only usable with a proof:
   * send it with {@link TokenClient.fetch}.
   */
  getToken(): Promise<string>;
  /**
   * Sends a request with the client's token, through undici: `Authorization: Bearer …`, or
   * `Authorization: DPoP …` and a fresh `DPoP` proof for a DPoP-bound token. When the server
   * asks for a DPoP nonce (`use_dpop_nonce`), the request is sent once more with it; when it
   * answers 401 `invalid_token`, once more with a new token. Neither retry happens for a
   * streamed body. Of `init`, `method`, `headers`, `body` and `signal` are used; redirects are
   * not followed. Every other answer is returned as it is.
   *
   * `url` must be https (http only for loopback hosts): a TypeError otherwise. Rejects with a
   * {@link TokenClientError} when no token can be had.
   */
  fetch(url: string | URL, init?: RequestInit, options?: ClientFetchOptions): Promise<Response>;
  /**
   * Exchanges `subjectToken` (the token a caller sent this service) for a token for the next
   * hop (RFC 8693 token exchange, with `subject_token_type` access_token), authenticated as this
   * client. The result is cached per subject token and options until `refreshMargin` seconds
   * before it expires, under a SHA-256 of the subject token, never the token itself.
   * Rejects with a {@link TokenClientError}: `grant_refused` when the issuer will not exchange it.
   */
  exchange(subjectToken: string, options?: ExchangeOptions): Promise<string>;
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
  const exchanges = createExchanges(grants, settings.exchangeCacheSize, settings);

  return {
    getToken: async () => (await own.get()).accessToken,
    fetch(url, init = {}, fetchOptions = {}) {
      let cache = own;
      if (fetchOptions.exchange !== undefined) {
        const { subjectToken, ...exchangeOptions } = fetchOptions.exchange;
        cache = exchanges.cacheFor(subjectToken, exchangeOptions);
      }
      return fetchWithToken(url, init, cache, grants, transport);
    },
    exchange: async (subjectToken, exchangeOptions) => (await exchanges.cacheFor(subjectToken, exchangeOptions).get()).accessToken,
    close: () => transport.close(),
  };
}

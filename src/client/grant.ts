// The grant calls, made by oauth4webapi (client authentication, DPoP proofs, RFC 8693 parameters
// and response checks are its, not ours) through our transport, and its failures turned into
// TokenClientErrors. Discovery is the verifier's: same metadata locations, exact issuer match.
import * as oauth from 'oauth4webapi';
import { discoverMetadata } from '../jwks/discovery.js';
import { fetchGet } from '../jwks/http.js';
import { parseFetchableUrl } from '../lib/url.js';
import type { IssuedToken } from './cache.js';
import { TokenClientError, isTokenClientError } from './errors.js';
import type { Transport } from './http.js';
import { dpopKeyPair, signingKey } from './keys.js';
import type { TokenClientSettings } from './options.js';
import { withRetries } from './retry.js';

/** RFC 8693 §2.1: the grant type of a token exchange. */
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the type of an OAuth access token as a subject or issued token. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

export interface Grants {
  /** A token for the client itself (client credentials, RFC 6749 §4.4). */
  clientCredentials(): Promise<IssuedToken>;
  /** A token for the next hop in exchange for `subjectToken` (RFC 8693). */
  exchange(subjectToken: string, parameters: readonly (readonly [string, string])[]): Promise<IssuedToken>;
  /** The DPoP handle proofs are made with, when the client uses DPoP. */
  dpop(): Promise<oauth.DPoPHandle | undefined>;
}

/** The grant calls of one client: discovery and client authentication are prepared once and kept. */
export function createGrants(settings: TokenClientSettings, transport: Transport): Grants {
  const client: oauth.Client = { client_id: settings.clientId };
  let server: Promise<oauth.AuthorizationServer> | undefined;
  let authentication: Promise<oauth.ClientAuth> | undefined;
  let dpop: Promise<oauth.DPoPHandle> | undefined;
  const { dpop: dpopKey } = settings;

  const discover = (): Promise<oauth.AuthorizationServer> => {
    server ??= discoverMetadata(
      settings.issuer,
      fetchGet(transport.issuer),
      { signal: new AbortController().signal, maxBytes: settings.maxBytes },
      (metadata) => {
        if (typeof metadata.token_endpoint !== 'string') throw new Error('it has no "token_endpoint"');
        const endpoint = parseFetchableUrl(metadata.token_endpoint);
        if (typeof endpoint === 'string') throw new Error(`its "token_endpoint" ${endpoint}`);
        return metadata as oauth.AuthorizationServer;
      },
    ).catch((error: unknown) => {
      // Discovery is tried again by the next grant, not cached as failed.
      server = undefined;
      throw new TokenClientError('issuer_unavailable', `tokenwarden: the issuer's metadata could not be read: ${(error as Error).message}`, { cause: error });
    });
    return server;
  };

  const clientAuth = (): Promise<oauth.ClientAuth> => {
    authentication ??= (async () => {
      const method = settings.authentication;
      switch (method.kind) {
        case 'client_secret_basic':
          return oauth.ClientSecretBasic(method.secret);
        case 'client_secret_post':
          return oauth.ClientSecretPost(method.secret);
        case 'private_key_jwt':
          return oauth.PrivateKeyJwt(await signingKey(method.key));
        case 'tls_client_auth':
          return oauth.TlsClientAuth();
      }
    })();
    return authentication;
  };

  const dpopHandle = (): Promise<oauth.DPoPHandle | undefined> => {
    if (dpopKey === undefined) return Promise.resolve(undefined);
    dpop ??= dpopKeyPair(dpopKey).then((pair) => oauth.DPoP(client, pair));
    return dpop;
  };

  const request = async (grantType: string, parameters: URLSearchParams, what: string): Promise<IssuedToken> => {
    const [as, auth, handle] = await Promise.all([discover(), clientAuth(), dpopHandle()]);
    const options = {
      [oauth.customFetch]: transport.issuer,
      // Every request goes through the transport, which allows plain http for loopback hosts
      // only; oauth4webapi's own check would refuse loopback http too.
      [oauth.allowInsecureRequests]: true,
      ...(handle === undefined ? {} : { DPoP: handle }),
    };
    // A server that wants a DPoP nonce says so once (RFC 9449 §8); the handle keeps the nonce
    // and the one retry carries it.
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await oauth.genericTokenEndpointRequest(as, client, auth, grantType, parameters, options);
        const result = await oauth.processGenericTokenEndpointResponse(as, client, response, {
          recognizedTokenTypes: { n_a: () => undefined },
        });
        return { accessToken: result.access_token, tokenType: result.token_type, expiresIn: result.expires_in };
      } catch (error) {
        if (attempt === 0 && handle !== undefined && oauth.isDPoPNonceError(error)) continue;
        throw grantError(error, what);
      }
    }
  };

  const policy = { retries: settings.retries, retryDelay: settings.retryDelay };
  const retryable = (error: unknown) => isTokenClientError(error) && error.code === 'issuer_unavailable';

  return {
    clientCredentials: () =>
      withRetries(() => request('client_credentials', new URLSearchParams(settings.parameters as [string, string][]), 'client credentials grant'), policy, retryable),
    exchange: (subjectToken, parameters) =>
      withRetries(
        () =>
          request(
            TOKEN_EXCHANGE,
            new URLSearchParams([['subject_token', subjectToken], ['subject_token_type', ACCESS_TOKEN_TYPE], ...(parameters as [string, string][])]),
            'token exchange',
          ),
        policy,
        retryable,
      ),
    dpop: dpopHandle,
  };
}

/** Text from the issuer, made fit for a message: printable, and short. */
function issuerText(value: unknown): string {
  return typeof value === 'string' ? value.replace(/[^\x20-\x7e]/g, '?').slice(0, 200) : '';
}

/**
 * The TokenClientError for a failed grant. oauth4webapi's errors are never kept as the cause:
 * some hold the response, whose body may be a token response.
 */
export function grantError(error: unknown, what: string): TokenClientError {
  if (isTokenClientError(error)) return error;
  if (error instanceof oauth.ResponseBodyError) {
    const description = issuerText(error.error_description);
    const message = `tokenwarden: the issuer refused the ${what}: ${issuerText(error.error)}${description === '' ? '' : ` (${description})`}`;
    const code = error.error === 'invalid_client' || error.error === 'unauthorized_client' ? 'invalid_client' : error.status === 429 ? 'issuer_unavailable' : 'grant_refused';
    return new TokenClientError(code, message, { status: error.status, oauthError: error.error });
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    const oauthError = challenge?.parameters.error;
    const code = error.status === 401 ? 'invalid_client' : error.status === 429 || error.status >= 500 ? 'issuer_unavailable' : 'grant_refused';
    const message = `tokenwarden: the issuer answered the ${what} with HTTP ${error.status} and a ${issuerText(challenge?.scheme)} challenge${oauthError === undefined ? '' : ` (${issuerText(oauthError)})`}`;
    return new TokenClientError(code, message, oauthError === undefined ? { status: error.status } : { status: error.status, oauthError });
  }
  if (error instanceof oauth.OperationProcessingError) {
    const response = error.cause;
    const status = response instanceof Response ? response.status : undefined;
    return new TokenClientError(
      'issuer_unavailable',
      `tokenwarden: the issuer's answer to the ${what} is not usable: ${status === undefined ? error.message : `HTTP ${status}`}`,
      status === undefined ? undefined : { status },
    );
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return new TokenClientError('issuer_unavailable', `tokenwarden: the issuer's answer to the ${what} is not usable: ${error.message}`);
  }
  return new TokenClientError('issuer_unavailable', `tokenwarden: the ${what} failed: ${(error as Error).message}`, { cause: error });
}

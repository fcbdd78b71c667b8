// client.fetch: a request to a resource server with the client's token. oauth4webapi builds the
// Authorization header and the DPoP proof (RFC 9449 §7: one per request, with `ath`); we decide
// the two retries: once with the server's nonce (RFC 9449 §9), once with a new token after a
// 401 invalid_token (RFC 6750 §3.1), and only when the body can be sent again.
import * as oauth from 'oauth4webapi';
import type { TokenCache } from './cache.js';
import type { Grants } from './grant.js';
import { fetchableUrl, type Transport } from './http.js';

type Body = string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null | undefined;

function bodyOf(init: RequestInit): { body: Body; replayable: boolean } {
  const { body } = init;
  if (body === undefined || body === null || typeof body === 'string' || body instanceof URLSearchParams || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    return { body: body as Body, replayable: true };
  }
  if (body instanceof ReadableStream) return { body, replayable: false };
  throw new TypeError('tokenwarden: client.fetch takes a body that is a string, URLSearchParams, Uint8Array, ArrayBuffer or ReadableStream');
}

/** The error values of the challenges in a WWW-Authenticate answer. */
function challengeErrors(error: oauth.WWWAuthenticateChallengeError): string[] {
  return error.cause.map((challenge) => challenge.parameters.error).filter((value): value is string => value !== undefined);
}

function drop(response: Response): void {
  void response.body?.cancel().catch(() => undefined);
}

/**
 * Sends `init` to `input` with a token from `cache`. Answers that are not handled here (any
 * status, challenges included) are returned as they are, like fetch; a failure to get a token
 * rejects with a TokenClientError, a failure to reach the server as fetch would.
 */
export async function fetchWithToken(
  input: string | URL,
  init: RequestInit,
  cache: TokenCache,
  grants: Grants,
  transport: Transport,
): Promise<Response> {
  const url = fetchableUrl(String(input));
  const method = (init.method ?? 'GET').toUpperCase();
  const { body, replayable } = bodyOf(init);
  const dpop = await grants.dpop();
  let nonceRetried = false;
  let refreshed = false;
  // At most three rounds: the first, one with a nonce, one with a new token.
  for (let round = 0; round < 3; round++) {
    const token = await cache.get();
    const handle = token.tokenType === 'dpop' ? dpop : undefined;
    try {
      return await oauth.protectedResourceRequest(token.accessToken, method, url, new Headers(init.headers), body, {
        [oauth.customFetch]: (target, options) => transport.resource(target, options as RequestInit),
        // The URL was checked above: https, or http on a loopback host only.
        [oauth.allowInsecureRequests]: true,
        ...(handle === undefined ? {} : { DPoP: handle }),
        ...(init.signal == null ? {} : { signal: init.signal }),
      });
    } catch (error) {
      if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
      const { response } = error;
      if (replayable && handle !== undefined && !nonceRetried && oauth.isDPoPNonceError(error)) {
        nonceRetried = true;
        drop(response);
        continue;
      }
      if (replayable && !refreshed && response.status === 401 && challengeErrors(error).includes('invalid_token')) {
        refreshed = true;
        cache.invalidate(token.accessToken);
        drop(response);
        continue;
      }
      return response;
    }
  }
  throw new Error('unreachable: every round returns or continues at most twice');
}

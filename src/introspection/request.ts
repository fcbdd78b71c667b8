// One introspection request (RFC 7662 §2.1): a form POST of the token with our client
// authentication, to an endpoint configured or discovered, bounded in time and size, never
// redirected. Every failure becomes `introspection_unavailable`: the token may well be fine.
import { AccessTokenError, isAccessTokenError } from '../errors.js';
import type { IntrospectionRequestEvent } from '../events/introspection.js';
import type { EventSink } from '../events/sink.js';
import { discoverEndpoint } from '../jwks/discovery.js';
import { parseJsonObject, type HttpError, type HttpResponse } from '../jwks/http.js';
import { deadline, untilAborted } from '../lib/timeout.js';
import { createCredentialSource } from './client-auth.js';
import type { IntrospectionSettings } from './options.js';
import { JWT_RESPONSE_TYPE, readAnswer, readJwtAnswer, type Answer, type JwtAnswerCheck } from './response.js';

/** What one request learnt on its way, for its event. */
interface Attempt {
  endpoint?: URL | undefined;
  status?: number | undefined;
}

/** Asks the issuer about one token. */
export type AskIssuer = (token: string) => Promise<Answer>;

// The issuer may ask us to wait, but not indefinitely.
const MAX_RETRY_AFTER = 300;
// Discovered metadata is read again after this long, or after a failed request.
const METADATA_LIFETIME = 3600;

export function createIssuerClient(
  settings: IntrospectionSettings,
  jwt: JwtAnswerCheck | undefined,
  events: EventSink<IntrospectionRequestEvent>,
): AskIssuer {
  const { issuer, get, maxBytes } = settings;
  const credentials = createCredentialSource(settings.auth);
  let discovered: { url: URL; until: number } | undefined;

  async function endpointNow(signal: AbortSignal): Promise<URL> {
    if (settings.endpoint !== undefined) return settings.endpoint;
    if (discovered !== undefined && Date.now() < discovered.until) return discovered.url;
    const { url, freshFor } = await discoverEndpoint(issuer, 'introspection_endpoint', get, { signal, maxBytes: 524_288 });
    discovered = { url, until: Date.now() + Math.min(freshFor ?? METADATA_LIFETIME, METADATA_LIFETIME) * 1000 };
    return url;
  }

  async function send(token: string, signal: AbortSignal, attempt: Attempt): Promise<Answer> {
    const endpoint = await endpointNow(signal);
    attempt.endpoint = endpoint;
    const { headers, fields } = await credentials(endpoint);
    const body = new URLSearchParams({ token, token_type_hint: 'access_token', ...fields }).toString();
    const accept = jwt === undefined ? 'application/json' : JWT_RESPONSE_TYPE;
    let response: HttpResponse;
    try {
      response = await get(endpoint, { signal, maxBytes, form: { body, headers: { ...headers, accept } } });
    } catch (error) {
      const { status } = error as HttpError;
      attempt.status = status;
      if (status === 401 || status === 403) {
        throw new Error(
          `the introspection endpoint refused this verifier's client credentials (HTTP ${status}): check introspection.clientId and its secret or key`,
          { cause: error },
        );
      }
      throw error;
    }
    attempt.status = response.status;
    if (jwt === undefined) return readAnswer(parseJsonObject(response), issuer);
    const type = response.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== JWT_RESPONSE_TYPE) throw new Error(`the answer is ${type ?? 'untyped'}, not ${JWT_RESPONSE_TYPE}`);
    return readJwtAnswer(new TextDecoder().decode(response.body), jwt);
  }

  return async (token) => {
    // Loading the transport (once per process) is not the issuer taking its time.
    if (get.prepare !== undefined) await get.prepare().catch(() => undefined);
    const started = performance.now();
    const timeout = deadline(settings.timeout * 1000);
    const attempt: Attempt = {};
    let answer: Answer | undefined;
    let failure: Error | undefined;
    try {
      answer = await untilAborted(send(token, timeout.signal, attempt), timeout.signal);
      return answer;
    } catch (error) {
      if (isAccessTokenError(error)) throw error;
      // A failed request may mean the endpoint moved: read the metadata again next time.
      discovered = undefined;
      failure = timeout.signal.aborted ? new Error(`no complete answer within ${settings.timeout} s`) : (error as Error);
      const retryAfter = (error as HttpError).retryAfter;
      throw new AccessTokenError('introspection_unavailable', `the token could not be introspected: ${failure.message}`, {
        cause: failure,
        retryAfter: Math.max(1, Math.ceil(Math.min(retryAfter ?? 1, MAX_RETRY_AFTER))),
      });
    } finally {
      timeout.clear();
      if (events.hasSubscribers) {
        events.publish({
          issuer,
          endpoint: attempt.endpoint?.href,
          status: attempt.status,
          durationMs: performance.now() - started,
          active: answer?.active,
          error: failure,
        });
      }
    }
  };
}

// How the token client talks HTTP: undici's fetch over one keep-alive agent per client (it holds
// the client certificate for tls_client_auth), https only except loopback, redirects never
// followed (a token or credential must not travel to where a 3xx points), and for the issuer a
// time limit per request and a bounded body.
import type { Agent } from 'undici';
import { declaredLength, readBoundedBody, tooLarge } from '../jwks/http.js';
import { parseFetchableUrl } from '../lib/url.js';
import type { ClientTlsOptions } from './options.js';

/** The `fetch` signature oauth4webapi's customFetch hook calls. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/** The two ways the client sends requests, over one agent. */
export interface Transport {
  /** For the issuer: time-limited, body read whole up to `maxBytes`. */
  readonly issuer: Fetch;
  /** For resource servers: the response is the user's to read, as it streams. */
  readonly resource: Fetch;
  /** Closes the agent's connections. */
  close(): Promise<void>;
}

/** Refuses a URL a credential must not be sent to. */
export function fetchableUrl(value: string): URL {
  const url = parseFetchableUrl(value);
  if (typeof url === 'string') throw new TypeError(`tokenwarden: the URL ${JSON.stringify(redactedUrl(value))} ${url}`);
  return url;
}

/** A URL fit for a message: no query (it may carry a token), no credentials. */
export function redactedUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.origin}${url.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** The client's transport: one undici agent, loaded on first use, shared by issuer and resource requests. */
export function createTransport(options: { timeout: number; maxBytes: number; tls: ClientTlsOptions | undefined }): Transport {
  // undici loads on the first request, not when the client is made: a cold start pays for it
  // only when it needs a token.
  let loaded: Promise<{ fetch: typeof import('undici').fetch; agent: Agent }> | undefined;
  const load = () =>
    (loaded ??= import('undici').then(({ Agent, fetch }) => ({
      fetch,
      agent: new Agent({
        keepAliveTimeout: 30_000,
        connections: 16,
        ...(options.tls === undefined ? {} : { connect: { cert: options.tls.cert, key: options.tls.key, ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca as string | Buffer | (string | Buffer)[] }) } }),
      }),
    })));

  const send = async (url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> => {
    fetchableUrl(url);
    const { fetch, agent } = await load();
    const response = await fetch(url, { ...(init as object), redirect: 'manual', dispatcher: agent, ...(signal === undefined ? {} : { signal }) });
    return response as unknown as Response;
  };

  return {
    async issuer(url, init) {
      const ms = Math.round(options.timeout * 1000);
      const timer = AbortSignal.timeout(ms);
      const signal = init.signal == null ? timer : AbortSignal.any([init.signal, timer]);
      try {
        const response = await send(url, init, signal);
        const declared = declaredLength(response.headers.get('content-length') ?? undefined);
        if (declared !== undefined && declared > options.maxBytes) {
          void response.body?.cancel().catch(() => undefined);
          throw tooLarge(options.maxBytes);
        }
        const body = await readBoundedBody(response, options.maxBytes);
        return new Response(response.status === 204 || response.status === 304 ? null : body, {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
        });
      } catch (error) {
        if (timer.aborted) throw new Error(`${redactedUrl(url)} did not answer within ${options.timeout} s`, { cause: error });
        throw error;
      }
    },
    resource: (url, init) => send(url, init, init.signal ?? undefined),
    async close() {
      if (loaded !== undefined) await (await loaded).agent.close();
    },
  };
}

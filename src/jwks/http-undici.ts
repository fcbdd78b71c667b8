import type { Agent, Dispatcher } from 'undici';
import { refusalOf, requestParts, tooLarge, type HttpGet, type HttpGetOptions, type HttpResponse } from './http.js';

type Undici = typeof import('undici');

/** undici, and the one keep-alive agent every key source in the process shares. */
interface Transport {
  readonly request: Undici['request'];
  readonly agent: Agent;
}

// undici is most of what importing tokenwarden would otherwise load, and nothing needs it until
// a key set is fetched: a serverless cold start should not pay for it before then. It is loaded
// once, by the first fetch; every later fetch awaits the same promise. One agent for the process:
// every key source talks to a handful of issuers, and reusing connections keeps refreshes cheap.
// undici unrefs idle sockets, so it never holds the process open.
let transport: Promise<Transport> | undefined;

function loadTransport(): Promise<Transport> {
  transport ??= import('undici').then(({ Agent, request }) => ({
    request,
    agent: new Agent({ keepAliveTimeout: 30_000, connections: 16 }),
  }));
  return transport;
}

/** The default transport: undici over a keep-alive agent; redirects are never followed. */
export const undiciGet: HttpGet = Object.assign(get, { prepare: async () => void (await loadTransport()) });

async function get(url: URL, { signal, maxBytes, form }: HttpGetOptions): Promise<HttpResponse> {
  const { request, agent } = await loadTransport();
  const response = await request(url, { ...requestParts(form), dispatcher: agent, signal });
  const header = (name: string): string | undefined => {
    const value = response.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  const refusal = refusalOf(response.statusCode, header, maxBytes);
  if (refusal !== undefined) {
    discard(response.body);
    throw refusal;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early (throw) destroys the stream: an oversized body is never read whole.
  for await (const chunk of response.body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return { status: response.statusCode, header, body: Buffer.concat(chunks, total) };
}

/**
 * Drops a body we will not read. Destroying an unread undici body makes it emit 'error'
 * (RequestAbortedError); with nobody listening, that would be an uncaught exception.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

// The module each runtime serves (workerd as its main module; Bun and Deno through
// serve-bun.ts and serve-deno.ts). It builds the Hono app of the adapter contract
// (test/adapters/hono-app.ts) from the options each request names, and decides the attack
// corpus with the package's verifier. bundle.ts points its imports of src/ at the packed
// package (`tokenwarden`, `tokenwarden/hono`), so what runs here is the package, never src/.
import type { Hono } from 'hono';
import { createVerifier, isAccessTokenError } from '../../src/index.js';
import { buildHonoApp } from '../adapters/hono-app.js';
import { decideCorpus, type CorpusRequest } from './decide.js';
import { APP_HEADER, CORPUS_PATH, decodeApp } from './protocol.js';

// Built on the first request that names them and kept, as a service keeps its app: the
// verifier inside holds the key cache across requests.
const apps = new Map<string, Hono>();

function appFor(encoded: string): Hono {
  let app = apps.get(encoded);
  if (app === undefined) {
    const { options, revocation } = decodeApp(encoded);
    const verifier =
      revocation === 'unreachable'
        ? { ...options.verifier, revocation: { isRevoked: () => Promise.reject(new Error('store unreachable')) } }
        : options.verifier;
    app = buildHonoApp({ ...options, verifier });
    apps.set(encoded, app);
  }
  return app;
}

export default {
  // `env` and `ctx` go on to Hono as a worker's default export would hand them: readiness
  // probes need `ctx.waitUntil` for the fetch they start.
  async fetch(request: Request, env?: unknown, ctx?: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    if (new URL(request.url).pathname === CORPUS_PATH) {
      const corpus = (await request.json()) as CorpusRequest;
      return Response.json(await decideCorpus({ createVerifier, isAccessTokenError }, corpus));
    }
    const encoded = request.headers.get(APP_HEADER);
    if (encoded === null) return new Response(`no ${APP_HEADER} header`, { status: 421 });
    return appFor(encoded).fetch(request, env, ctx as never);
  },
};

// Structured logs from tokenwarden's diagnostics channels (docs/events.md) with pino: one JSON
// line per refusal, per failed key-set fetch and per stale key set. Never the token: the
// events do not carry it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import type { Logger } from 'pino';
import { CHANNELS, isAccessTokenError, type JwksFetchEvent, type JwksStaleEvent, type VerifyContext } from '../../src/index.js';

/** What the verification of the current request learnt, for a refusal that comes after it (a guard's). */
export interface RequestRecord {
  verified?: { issuer: string | undefined; clientId: string | undefined };
  /** True once the channel has logged the refusal of this request's verification. */
  logged?: boolean;
}

/** One record per request: the service runs each request inside `requests.run({}, …)`. */
export const requests = new AsyncLocalStorage<RequestRecord>();

export function logFromChannels(log: Logger): () => void {
  const verify = tracingChannel<unknown, VerifyContext>(CHANNELS.verify);
  const ignore = (): void => undefined;
  const handlers = {
    start: ignore,
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    // asyncEnd runs in the async context of the request that called verifyAccessToken.
    asyncEnd(context: VerifyContext) {
      const record = requests.getStore();
      const { error } = context;
      if (error === undefined) {
        if (record !== undefined) record.verified = { issuer: context.issuer, clientId: context.clientId };
        return;
      }
      if (record !== undefined) record.logged = true;
      // The kid is untrusted until verified (anyone can send any); pino escapes it as JSON.
      const fields = { issuer: context.issuer, kid: context.kid, alg: context.alg };
      if (isAccessTokenError(error)) log.warn({ event: 'token_refused', code: error.code, status: error.status, ...fields }, error.message);
      else log.error({ event: 'token_refused', err: error, ...fields }, 'verification failed unexpectedly');
    },
  };
  const onFetch = (message: unknown): void => {
    const event = message as JwksFetchEvent;
    if (event.error !== undefined) {
      log.error({ event: 'jwks_fetch_failed', issuer: event.issuer, url: event.url, reason: event.reason, status: event.status }, event.error.message);
    } else if (event.added?.length || event.removed?.length) {
      log.info({ event: 'jwks_changed', issuer: event.issuer, added: event.added, removed: event.removed, keys: event.keys }, 'key set changed');
    }
  };
  const onStale = (message: unknown): void => {
    const { issuer, staleSeconds, usableSeconds, error } = message as JwksStaleEvent;
    log.warn({ event: 'jwks_stale', issuer, staleSeconds, usableSeconds }, error.message);
  };
  verify.subscribe(handlers);
  subscribe(CHANNELS.jwksFetch, onFetch);
  subscribe(CHANNELS.jwksStale, onStale);
  return () => {
    verify.unsubscribe(handlers);
    unsubscribe(CHANNELS.jwksFetch, onFetch);
    unsubscribe(CHANNELS.jwksStale, onStale);
  };
}

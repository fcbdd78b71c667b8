import type { CacheEvictEvent } from './cache.js';
import type { IntrospectionLimitedEvent, IntrospectionRequestEvent } from './introspection.js';
import type { JwksFetchEvent, JwksSkippedEvent, JwksStaleEvent } from './jwks.js';
import type { RevocationErrorEvent, RevocationFailOpenEvent } from './revocation.js';
import { SILENT, type EventSink } from './sink.js';
import type { VerifyTracing } from './verify.js';

/**
 * The names of tokenwarden's `node:diagnostics_channel` channels. `verify` names a
 * TracingChannel (subscribe with `tracingChannel(CHANNELS.verify)`); the others are plain
 * channels (`subscribe(CHANNELS.jwksFetch, …)`).
 */
export const CHANNELS = Object.freeze({
  verify: 'tokenwarden:verify',
  jwksFetch: 'tokenwarden:jwks:fetch',
  jwksSkipped: 'tokenwarden:jwks:skipped',
  jwksStale: 'tokenwarden:jwks:stale',
  revocationError: 'tokenwarden:revocation:error',
  revocationFailOpen: 'tokenwarden:revocation:fail-open',
  cacheEvict: 'tokenwarden:cache:evict',
  introspectionRequest: 'tokenwarden:introspection:request',
  introspectionLimited: 'tokenwarden:introspection:limited',
} as const);

/** Every channel, as the runtime provides them: real on Node, silent on web runtimes. */
export interface Channels {
  readonly verify: VerifyTracing;
  readonly jwksFetch: EventSink<JwksFetchEvent>;
  readonly jwksSkipped: EventSink<JwksSkippedEvent>;
  readonly jwksStale: EventSink<JwksStaleEvent>;
  readonly revocationError: EventSink<RevocationErrorEvent>;
  readonly revocationFailOpen: EventSink<RevocationFailOpenEvent>;
  readonly cacheEvict: EventSink<CacheEvictEvent>;
  readonly introspectionRequest: EventSink<IntrospectionRequestEvent>;
  readonly introspectionLimited: EventSink<IntrospectionLimitedEvent>;
}

/** The web runtime's channels: nobody can subscribe, so nothing is ever built or published. */
export const SILENT_CHANNELS: Channels = Object.freeze({
  verify: Object.freeze({ hasSubscribers: false, tracePromise: (fn: () => Promise<void>) => fn() }),
  jwksFetch: SILENT,
  jwksSkipped: SILENT,
  jwksStale: SILENT,
  revocationError: SILENT,
  revocationFailOpen: SILENT,
  cacheEvict: SILENT,
  introspectionRequest: SILENT,
  introspectionLimited: SILENT,
});

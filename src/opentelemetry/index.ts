// tokenwarden/opentelemetry: OpenTelemetry metrics and spans from tokenwarden's
// node:diagnostics_channel events. It only listens: the verifier knows nothing of it.
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import type { Span } from '@opentelemetry/api';
import { CHANNELS } from '../events/channels.js';
import type { JwksFetchEvent } from '../events/jwks.js';
import type { VerifyContext } from '../events/verify.js';
import { createMetricRecorder, type MetricRecorder } from './metrics.js';
import { resolveInstrumentOptions, type InstrumentOptions } from './options.js';
import { verdictOf } from './outcome.js';
import { createSpanRecorder, type SpanRecorder } from './spans.js';

export type { HealthSource, InstrumentOptions } from './options.js';
export type { FetchOutcome, VerificationOutcome } from './names.js';
export { ATTRIBUTE, METRIC, SPAN } from './names.js';

/** What {@link instrument} returns: stop recording with `close()`, or with `using`. */
export interface Instrumentation {
  /** Unsubscribes from the channels and stops observing the verifiers; calling it again does nothing. */
  close(): void;
  /** The same as `close()`, for `using instrumentation = instrument()`. */
  [Symbol.dispose](): void;
}

/** What a verification in progress needs at its end. */
interface InFlight {
  /** `performance.now()` when it started. */
  readonly started: number;
  readonly span: Span | undefined;
}

/**
 * Records OpenTelemetry metrics and spans for every verification and every key-set fetch of
 * every tokenwarden verifier in the process, from the `tokenwarden:verify` and
 * `tokenwarden:jwks:fetch` channels (docs/events.md). Call it once, at start-up, after the
 * OpenTelemetry SDK is set up; `close()` stops it. Metrics and spans are described in
 * docs/observability.md. Node only: web runtimes have no diagnostics channels.
 *
 * @example
 * ```ts
 * import { createVerifier } from 'tokenwarden';
 * import { instrument } from 'tokenwarden/opentelemetry';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'orders-api' });
 * // Global providers from your OpenTelemetry SDK set-up; `verifiers` adds tokenwarden.jwks.age.
 * const instrumentation = instrument({ verifiers: [verifier] });
 * process.on('SIGTERM', () => instrumentation.close());
 * ```
 */
export function instrument(options?: InstrumentOptions): Instrumentation {
  const { meterProvider, tracerProvider, verifiers } = resolveInstrumentOptions(options);
  const metrics: MetricRecorder | undefined = meterProvider === undefined ? undefined : createMetricRecorder(meterProvider, verifiers);
  const spans: SpanRecorder | undefined = tracerProvider === undefined ? undefined : createSpanRecorder(tracerProvider);

  // Keyed by the trace's context object, one per verification; a verification already running
  // when instrument() was called has no entry and is not recorded.
  const inFlight = new WeakMap<VerifyContext, InFlight>();
  const ignore = (): void => undefined;
  const handlers = {
    start(context: VerifyContext) {
      inFlight.set(context, { started: performance.now(), span: spans?.start() });
    },
    end: ignore,
    asyncStart: ignore,
    // The error event comes before asyncEnd, so the context holds the error by now.
    asyncEnd(context: VerifyContext) {
      const state = inFlight.get(context);
      if (state === undefined) return;
      inFlight.delete(context);
      const verdict = verdictOf(context);
      metrics?.verification(context, verdict, (performance.now() - state.started) / 1000);
      if (state.span !== undefined) spans?.end(state.span, context, verdict);
    },
    error: ignore,
  };
  const onFetch = (message: unknown): void => {
    const event = message as JwksFetchEvent;
    metrics?.fetch(event);
    spans?.fetch(event);
  };

  const verify = tracingChannel<unknown, VerifyContext>(CHANNELS.verify);
  verify.subscribe(handlers);
  subscribe(CHANNELS.jwksFetch, onFetch);

  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    verify.unsubscribe(handlers);
    unsubscribe(CHANNELS.jwksFetch, onFetch);
    metrics?.close();
  };
  return { close, [Symbol.dispose]: close };
}

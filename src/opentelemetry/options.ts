import { metrics, trace, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { VerifierHealth } from '../events/health.js';
import { boolean, fail, knownKeys, optionsObject, unusable } from '../lib/options.js';

/** What `instrument()` needs of a verifier: its `health()`, to observe the age of its key sets. */
export interface HealthSource {
  health(): VerifierHealth;
}

/** Options of {@link instrument}. */
export interface InstrumentOptions {
  /**
   * Where metrics go.
   * @default the global MeterProvider of `@opentelemetry/api` (`metrics.getMeterProvider()`), read once, when `instrument()` is called
   */
  meterProvider?: MeterProvider;
  /**
   * Where spans go.
   * @default the global TracerProvider of `@opentelemetry/api` (`trace.getTracerProvider()`), read once, when `instrument()` is called
   */
  tracerProvider?: TracerProvider;
  /**
   * Verifiers whose key sets' age `tokenwarden.jwks.age` reports, read through their
   * `health()` each time metrics are collected. Verifications and fetches are recorded for every
   * verifier in the process whether listed here or not; only the age needs a verifier to ask.
   * @default [] (no `tokenwarden.jwks.age`)
   */
  verifiers?: readonly HealthSource[];
  /**
   * Record metrics.
   * @default true
   */
  metrics?: boolean;
  /**
   * Record spans.
   * @default true
   */
  spans?: boolean;
}

export interface ResolvedInstrumentOptions {
  readonly meterProvider: MeterProvider | undefined;
  readonly tracerProvider: TracerProvider | undefined;
  readonly verifiers: readonly HealthSource[];
}

const KNOWN = ['meterProvider', 'tracerProvider', 'verifiers', 'metrics', 'spans'] as const;

function hasMethod(value: unknown, method: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function';
}

/** Checks the options once; a provider is resolved only for the signals recorded. */
export function resolveInstrumentOptions(value: unknown): ResolvedInstrumentOptions {
  const options = value === undefined ? {} : optionsObject('instrument', value);
  knownKeys('', options, KNOWN);
  const recordMetrics = boolean('metrics', options.metrics, true);
  const recordSpans = boolean('spans', options.spans, true);
  if (!recordMetrics && !recordSpans) unusable('metrics', 'and "spans" cannot both be false: nothing would be recorded');

  if (options.meterProvider !== undefined && !hasMethod(options.meterProvider, 'getMeter')) fail('meterProvider', 'a MeterProvider');
  if (options.tracerProvider !== undefined && !hasMethod(options.tracerProvider, 'getTracer')) fail('tracerProvider', 'a TracerProvider');
  if (options.meterProvider !== undefined && !recordMetrics) unusable('meterProvider', 'is set but "metrics" is false');
  if (options.tracerProvider !== undefined && !recordSpans) unusable('tracerProvider', 'is set but "spans" is false');

  let verifiers: readonly HealthSource[] = [];
  if (options.verifiers !== undefined) {
    if (!Array.isArray(options.verifiers) || options.verifiers.some((item) => !hasMethod(item, 'health'))) {
      fail('verifiers', 'an array of verifiers (objects with a health() method)');
    }
    if (!recordMetrics && options.verifiers.length > 0) unusable('verifiers', 'is set but "metrics" is false: the key-set age is a metric');
    verifiers = [...new Set(options.verifiers as HealthSource[])];
  }

  return {
    meterProvider: recordMetrics ? ((options.meterProvider as MeterProvider | undefined) ?? metrics.getMeterProvider()) : undefined,
    tracerProvider: recordSpans ? ((options.tracerProvider as TracerProvider | undefined) ?? trace.getTracerProvider()) : undefined,
    verifiers,
  };
}

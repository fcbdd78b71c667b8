import { ValueType, type Attributes, type MeterProvider, type ObservableCallback } from '@opentelemetry/api';
import type { JwksFetchEvent } from '../events/jwks.js';
import type { VerifyContext } from '../events/verify.js';
import { ATTRIBUTE, DURATION_BUCKETS, FETCH_BUCKETS, METRIC, SCOPE, type FetchOutcome } from './names.js';
import type { HealthSource } from './options.js';
import type { Verdict } from './outcome.js';

/** Records what the channels publish as metrics. */
export interface MetricRecorder {
  verification(context: VerifyContext, verdict: Verdict, seconds: number): void;
  fetch(event: JwksFetchEvent): void;
  /** Stops observing the verifiers' key-set age. */
  close(): void;
}

/** The verifications counted under one attribute set. */
interface Series {
  readonly attributes: Attributes;
  count: number;
}

/**
 * The instruments, created once. Every attribute value is bounded: an outcome, an error code
 * (a closed set), a configured issuer, a fetch reason, a boolean. Never a kid (anyone can send
 * any), a `sub` or a client id: each would make a time series per value.
 */
export function createMetricRecorder(provider: MeterProvider, verifiers: readonly HealthSource[]): MetricRecorder {
  const meter = provider.getMeter(SCOPE);
  // Observable: the counts are kept here and handed over when metrics are collected, so a
  // verification pays an increment rather than a second pass through the SDK's attribute
  // hashing (the duration histogram already pays one).
  const verifications = meter.createObservableCounter(METRIC.verifications, {
    description: 'Access tokens verified, by outcome (accepted, refused, unavailable), refusal code and issuer.',
    unit: '{verification}',
    valueType: ValueType.INT,
  });
  const verificationDuration = meter.createHistogram(METRIC.verificationDuration, {
    description: 'How long verifyAccessToken took, key-set fetches and revocation checks it awaited included.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });
  const fetches = meter.createCounter(METRIC.jwksFetches, {
    description: 'Key-set fetch attempts, by outcome (success, failure), reason and issuer.',
    unit: '{fetch}',
    valueType: ValueType.INT,
  });
  const fetchDuration = meter.createHistogram(METRIC.jwksFetchDuration, {
    description: 'How long a key-set fetch attempt took, discovery included.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...FETCH_BUCKETS] },
  });

  // One series per distinct attribute set, reused: the combinations are few (see above), and
  // the SDK then reads an object it has seen rather than a new one per verification. Looked up
  // by issuer, then by code (or outcome, for a verification without one), then by cache use,
  // without building a key string per verification.
  const seriesByIssuer = new Map<string | undefined, Map<string, (Series | undefined)[]>>();
  const allSeries: Series[] = [];
  function seriesOf(context: VerifyContext, { outcome, code }: Verdict): Series {
    let byCode = seriesByIssuer.get(context.issuer);
    if (byCode === undefined) seriesByIssuer.set(context.issuer, (byCode = new Map()));
    // A code always has the same outcome (its HTTP status does not change), so it alone is a key.
    let slots = byCode.get(code ?? outcome);
    if (slots === undefined) byCode.set(code ?? outcome, (slots = []));
    const slot = context.cached === undefined ? 2 : Number(context.cached);
    let series = slots[slot];
    if (series === undefined) {
      const attributes: Attributes = { [ATTRIBUTE.outcome]: outcome };
      if (code !== undefined) attributes[ATTRIBUTE.code] = code;
      if (context.issuer !== undefined) attributes[ATTRIBUTE.issuer] = context.issuer;
      if (context.cached !== undefined) attributes[ATTRIBUTE.cached] = context.cached;
      series = slots[slot] = { attributes: Object.freeze(attributes), count: 0 };
      allSeries.push(series);
    }
    return series;
  }
  const observeCounts: ObservableCallback = (result) => {
    for (const { attributes, count } of allSeries) result.observe(count, attributes);
  };
  verifications.addCallback(observeCounts);

  let observeAge: ObservableCallback | undefined;
  const age = verifiers.length === 0 ? undefined : meter.createObservableGauge(METRIC.jwksAge, {
    description: "Seconds since the issuer's key set was last fetched successfully (the oldest, when several verifiers use the issuer).",
    unit: 's',
  });
  if (age !== undefined) {
    observeAge = (result) => {
      const now = Date.now() / 1000;
      const oldest = new Map<string, number>();
      for (const verifier of verifiers) {
        for (const { issuer, fetchedAt } of verifier.health().issuers) {
          if (fetchedAt === undefined) continue;
          const seconds = Math.max(0, now - fetchedAt);
          oldest.set(issuer, Math.max(seconds, oldest.get(issuer) ?? 0));
        }
      }
      for (const [issuer, seconds] of oldest) result.observe(seconds, { [ATTRIBUTE.issuer]: issuer });
    };
    age.addCallback(observeAge);
  }

  return {
    verification(context, verdict, seconds) {
      const series = seriesOf(context, verdict);
      series.count++;
      verificationDuration.record(seconds, series.attributes);
    },
    fetch(event) {
      const outcome: FetchOutcome = event.error === undefined ? 'success' : 'failure';
      const attributes: Attributes = { [ATTRIBUTE.outcome]: outcome, [ATTRIBUTE.reason]: event.reason, [ATTRIBUTE.issuer]: event.issuer };
      fetches.add(1, attributes);
      fetchDuration.record(event.durationMs / 1000, attributes);
    },
    close() {
      verifications.removeCallback(observeCounts);
      if (age !== undefined && observeAge !== undefined) age.removeCallback(observeAge);
    },
  };
}

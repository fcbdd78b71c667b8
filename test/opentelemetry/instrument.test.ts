// instrument() against the real OpenTelemetry SDK with in-memory exporters: verifications
// against a test issuer on loopback, refusals and a key-set outage, read back as an exporter
// would send them.
import { tracingChannel } from 'node:diagnostics_channel';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { DataPoint, Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, createVerifier, type Verifier } from '../../src/index.js';
import { instrument, type Instrumentation, type InstrumentOptions } from '../../src/opentelemetry/index.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { expectRefusal } from '../helpers/refusal.js';
import { createSdk, useContextManager, type Sdk } from './sdk.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
let sdk: Sdk;
let instrumentation: Instrumentation | undefined;
let stopContext: () => void;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
  stopContext = useContextManager();
});
afterEach(async () => {
  instrumentation?.close();
  instrumentation = undefined;
  issuer.override(undefined);
  vi.useRealTimers();
  await sdk?.shutdown();
});
afterAll(async () => {
  stopContext?.();
  await issuer?.close();
});

function newVerifier(): Verifier {
  return createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri });
}

function attach(options: InstrumentOptions = {}): Sdk {
  sdk = createSdk();
  const providers = {
    ...(options.metrics === false ? {} : { meterProvider: sdk.meterProvider }),
    ...(options.spans === false ? {} : { tracerProvider: sdk.tracerProvider }),
  };
  instrumentation = instrument({ ...providers, ...options });
  return sdk;
}

/** The value of the data point with exactly these attributes. */
function valueAt<T>(points: readonly DataPoint<unknown>[], attributes: Record<string, unknown>): T | undefined {
  return points.find((point) => JSON.stringify(Object.entries(point.attributes).sort()) === JSON.stringify(Object.entries(attributes).sort()))
    ?.value as T | undefined;
}

describe('instrument() with the OpenTelemetry SDK', () => {
  it('counts an accepted verification and times it in seconds, by issuer and cache use', async () => {
    attach();
    const verifier = newVerifier();
    const token = await issuer.sign({ scope: 'orders:read' });
    // Verified in full twice, then served from the verified-token cache (docs/verified-token-cache.md).
    for (let i = 0; i < 3; i++) await verifier.verifyAccessToken(token);

    const full = { 'tokenwarden.outcome': 'accepted', 'tokenwarden.issuer': issuer.issuer, 'tokenwarden.cached': false };
    const cached = { ...full, 'tokenwarden.cached': true };
    const counts = await sdk.points('tokenwarden.verifications');
    expect(valueAt(counts, full)).toBe(2);
    expect(valueAt(counts, cached)).toBe(1);
    const metrics = await sdk.metrics();
    const duration = metrics.find((metric) => metric.descriptor.name === 'tokenwarden.verification.duration');
    expect(duration?.descriptor.unit).toBe('s');
    const histogram = valueAt<Histogram>(duration?.dataPoints ?? [], full);
    expect(histogram?.count).toBe(2);
    // A first verification waits for the key set, yet takes well under a second on loopback.
    expect(histogram?.sum).toBeGreaterThan(0);
    expect(histogram?.sum).toBeLessThan(5);
    expect(histogram?.buckets.boundaries[0]).toBeLessThan(0.0001);
  });

  it('counts refusals by code, and a token of an unconfigured issuer without an issuer', async () => {
    attach();
    const verifier = newVerifier();
    await verifier.warmUp();
    await expectRefusal(verifier, await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600 }), 'token_expired');
    await expectRefusal(verifier, await issuer.sign({ aud: 'someone-else' }), 'audience_invalid');
    await expectRefusal(verifier, await issuer.sign({ iss: 'https://elsewhere.test' }), 'issuer_invalid');

    const counts = await sdk.points('tokenwarden.verifications');
    const refused = (code: string) => ({ 'tokenwarden.outcome': 'refused', 'tokenwarden.code': code, 'tokenwarden.issuer': issuer.issuer, 'tokenwarden.cached': false });
    expect(valueAt(counts, refused('token_expired'))).toBe(1);
    expect(valueAt(counts, refused('audience_invalid'))).toBe(1);
    expect(valueAt(counts, { 'tokenwarden.outcome': 'refused', 'tokenwarden.code': 'issuer_invalid', 'tokenwarden.cached': false })).toBe(1);
    expect(counts).toHaveLength(3);
  });

  it('records a span per verification with the issuer, the key and the cache use, as a child of the active span', async () => {
    attach();
    const verifier = newVerifier();
    const token = await issuer.sign();
    const parent = sdk.tracerProvider.getTracer('test').startSpan('GET /orders');
    await context.with(trace.setSpan(context.active(), parent), () => verifier.verifyAccessToken(token));
    parent.end();

    const [span] = sdk.spansNamed('tokenwarden.verify');
    expect(span?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span?.spanContext().traceId).toBe(parent.spanContext().traceId);
    const kid = issuer.jwks().keys[0]?.kid;
    expect(span?.attributes).toEqual({
      'tokenwarden.outcome': 'accepted',
      'tokenwarden.issuer': issuer.issuer,
      'tokenwarden.cached': false,
      'tokenwarden.alg': 'RS256',
      'tokenwarden.kid': kid,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.instrumentationScope.name).toBe('tokenwarden');
  });

  it('marks the span of a refusal as an error named by its code', async () => {
    attach();
    const verifier = newVerifier();
    await verifier.warmUp();
    await expectRefusal(verifier, await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600 }), 'token_expired');

    const [span] = sdk.spansNamed('tokenwarden.verify');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'token_expired' });
    expect(span?.attributes).toMatchObject({ 'tokenwarden.outcome': 'refused', 'tokenwarden.code': 'token_expired', 'error.type': 'token_expired' });
  });

  it('records each key-set fetch as a count, a duration and a span with its URL, reason, status and keys', async () => {
    attach();
    const verifier = newVerifier();
    await verifier.verifyAccessToken(await issuer.sign());

    const fetched = { 'tokenwarden.outcome': 'success', 'tokenwarden.jwks.reason': 'initial', 'tokenwarden.issuer': issuer.issuer };
    expect(valueAt(await sdk.points('tokenwarden.jwks.fetches'), fetched)).toBe(1);
    expect(valueAt<Histogram>(await sdk.points('tokenwarden.jwks.fetch.duration'), fetched)?.count).toBe(1);
    const [span] = sdk.spansNamed('tokenwarden.jwks.fetch');
    expect(span?.attributes).toMatchObject({
      'tokenwarden.issuer': issuer.issuer,
      'tokenwarden.jwks.reason': 'initial',
      'url.full': issuer.jwksUri,
      'http.response.status_code': 200,
      'tokenwarden.jwks.keys': issuer.jwks().keys.length,
      'tokenwarden.jwks.metadata': 'none',
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    // Started back at the fetch's beginning, so it lasts as long as the fetch did.
    const [seconds = 0, nanos = 0] = span?.duration ?? [];
    expect(seconds + nanos / 1e9).toBeGreaterThan(0);
  });

  it('reports a key-set outage: unavailable verifications, failed fetches and error spans', async () => {
    attach();
    issuer.override({ status: 500, body: 'down' });
    const verifier = newVerifier();
    await expectRefusal(verifier, await issuer.sign(), 'jwks_unavailable');

    const counts = await sdk.points('tokenwarden.verifications');
    expect(valueAt(counts, { 'tokenwarden.outcome': 'unavailable', 'tokenwarden.code': 'jwks_unavailable', 'tokenwarden.issuer': issuer.issuer, 'tokenwarden.cached': false })).toBe(1);
    const fetches = await sdk.points('tokenwarden.jwks.fetches');
    expect(valueAt(fetches, { 'tokenwarden.outcome': 'failure', 'tokenwarden.jwks.reason': 'initial', 'tokenwarden.issuer': issuer.issuer })).toBe(1);
    const [fetch] = sdk.spansNamed('tokenwarden.jwks.fetch');
    expect(fetch?.status.code).toBe(SpanStatusCode.ERROR);
    expect(fetch?.status.message).toMatch(/500/);
    expect(fetch?.attributes).toMatchObject({ 'http.response.status_code': 500, 'error.type': '500' });
    const [verify] = sdk.spansNamed('tokenwarden.verify');
    expect(verify?.attributes).toMatchObject({ 'tokenwarden.outcome': 'unavailable', 'error.type': 'jwks_unavailable' });
  });

  it('observes the age of each verifier key set from health(), only once one was fetched', async () => {
    const verifier = newVerifier();
    const idle = createVerifier({ issuer: 'https://idle.example', audience: AUDIENCE, jwksUri: 'https://idle.example/jwks' });
    attach({ verifiers: [verifier, idle] });
    expect(await sdk.points('tokenwarden.jwks.age')).toEqual([]);

    await verifier.warmUp();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 42_000);
    const points = await sdk.points('tokenwarden.jwks.age');
    expect(points).toHaveLength(1);
    expect(points[0]?.attributes).toEqual({ 'tokenwarden.issuer': issuer.issuer });
    expect(points[0]?.value).toBeGreaterThanOrEqual(42);
    expect(points[0]?.value).toBeLessThan(47);
  });

  it('records metrics only, or spans only, when told', async () => {
    attach({ spans: false });
    await newVerifier().verifyAccessToken(await issuer.sign());
    expect(sdk.spans()).toEqual([]);
    expect(await sdk.points('tokenwarden.verifications')).toHaveLength(1);
    instrumentation?.close();
    await sdk.shutdown();

    attach({ metrics: false });
    await newVerifier().verifyAccessToken(await issuer.sign());
    expect(sdk.spansNamed('tokenwarden.verify')).toHaveLength(1);
    expect(await sdk.metrics()).toEqual([]);
  });

  it('stops recording and unsubscribes on close(), and with `using`', async () => {
    const channel = tracingChannel(CHANNELS.verify);
    const before = channel.hasSubscribers;
    attach();
    expect(channel.hasSubscribers).toBe(true);
    instrumentation?.close();
    instrumentation?.close();
    expect(channel.hasSubscribers).toBe(before);
    await newVerifier().verifyAccessToken(await issuer.sign());
    expect(sdk.spans()).toEqual([]);
    expect(await sdk.points('tokenwarden.verifications')).toEqual([]);

    {
      using scoped = instrument({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider });
      expect(scoped).toBeDefined();
      expect(channel.hasSubscribers).toBe(true);
    }
    expect(channel.hasSubscribers).toBe(before);
  });

  it('uses the global providers when none is given', async () => {
    sdk = createSdk();
    expect(trace.setGlobalTracerProvider(sdk.tracerProvider)).toBe(true);
    try {
      instrumentation = instrument({ metrics: false });
      await newVerifier().verifyAccessToken(await issuer.sign());
      expect(sdk.spansNamed('tokenwarden.verify')).toHaveLength(1);
    } finally {
      trace.disable();
    }
  });
});

describe('instrument() options', () => {
  it.each([
    [{ meterProvider: {} }, TypeError, /"meterProvider" must be a MeterProvider/],
    [{ tracerProvider: 'global' }, TypeError, /"tracerProvider" must be a TracerProvider/],
    [{ verifiers: [{}] }, TypeError, /"verifiers" must be an array of verifiers/],
    [{ verifiers: {} }, TypeError, /"verifiers" must be an array of verifiers/],
    [{ metrics: 'yes' }, TypeError, /"metrics" must be a boolean/],
    [{ metrics: false, spans: false }, TypeError, /"metrics" and "spans" cannot both be false/],
    [{ metrics: false, verifiers: [newVerifierStub()] }, TypeError, /"verifiers" is set but "metrics" is false/],
    [{ spanz: true }, TypeError, /unknown option "spanz"/],
    ['spans', TypeError, /instrument needs an options object/],
  ])('refuses %j, naming the option', (options, type, message) => {
    expect(() => instrument(options as never)).toThrow(type);
    expect(() => instrument(options as never)).toThrow(message);
  });
});

function newVerifierStub(): { health(): ReturnType<Verifier['health']> } {
  return { health: () => ({ ready: true, issuers: [] }) };
}

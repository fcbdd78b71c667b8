// Nothing the OpenTelemetry integration exports carries a token or its signature, and no metric
// attribute names a person, a client or a kid: good and bad tokens, an outage and a made-up kid
// go through an instrumented verifier, and every exported span and metric is written out and
// searched.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVerifier, type Verifier } from '../../src/index.js';
import { instrument } from '../../src/opentelemetry/index.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { tamper } from '../adapters/support.js';
import { leaksOf, WINDOW } from '../helpers/leaks.js';
import { outcomeOf } from '../helpers/refusal.js';
import { createSdk, type Sdk } from './sdk.js';

const AUDIENCE = 'orders-api';
const SUB = 'alice-subject-5c1d';
const CLIENT = 'billing-client-7f2e';
const MADE_UP_KID = 'made-up-kid-0123456789';
let issuer: TestIssuer;
let sdk: Sdk;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
  sdk = createSdk();
});
afterAll(async () => {
  vi.useRealTimers();
  await sdk?.shutdown();
  await issuer?.close();
});

async function run(verifier: Verifier, token: string, tokens: string[]): Promise<void> {
  tokens.push(token);
  await outcomeOf(verifier.verifyAccessToken(token));
}

describe('what the OpenTelemetry integration exports', () => {
  it('never contains a token or its signature, and no metric attribute holds a sub, a client id or a kid', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, jwks: { maxAge: 60, cooldown: 30 } });
    const instrumentation = instrument({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider, verifiers: [verifier] });
    const tokens: string[] = [];
    let metrics: Awaited<ReturnType<Sdk['metrics']>>;
    try {
      const good = await issuer.sign({ sub: SUB, client_id: CLIENT, scope: 'orders:read' });
      for (let again = 0; again < 3; again++) await run(verifier, good, tokens);
      await run(verifier, tamper(await issuer.sign({ sub: SUB })), tokens);
      await run(verifier, await issuer.sign({ sub: SUB, exp: Math.floor(Date.now() / 1000) - 600 }), tokens);
      await run(verifier, await issuer.sign({ aud: 'another-api' }), tokens);
      await run(verifier, await issuer.sign({}, { header: { kid: MADE_UP_KID } }), tokens);
      await run(verifier, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', tokens);
      await run(verifier, 'not.a.token-at-all-but-long-enough', tokens);
      issuer.override({ status: 500, body: '{"error":"down"}' });
      vi.setSystemTime(Date.now() + 120_000);
      await run(verifier, await issuer.sign({ sub: SUB, client_id: CLIENT }), tokens);
      // Collected while instrumented: the key-set age is observed only then.
      metrics = await sdk.metrics();
    } finally {
      issuer.override(undefined);
      instrumentation.close();
    }

    const spans = sdk.spans();
    expect(spans.map((span) => span.name)).toEqual(expect.arrayContaining(['tokenwarden.verify', 'tokenwarden.jwks.fetch']));
    expect(metrics.map((metric) => metric.descriptor.name)).toEqual(
      expect.arrayContaining(['tokenwarden.verifications', 'tokenwarden.verification.duration', 'tokenwarden.jwks.fetches', 'tokenwarden.jwks.age']),
    );
    const spanText = JSON.stringify(
      spans.map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events, links: span.links, resource: span.resource.attributes })),
    );
    const metricText = JSON.stringify(metrics);
    expect(leaksOf(spanText + metricText, tokens)).toEqual([]);

    const metricAttributes = JSON.stringify(metrics.flatMap((metric) => metric.dataPoints.map((point) => point.attributes)));
    for (const personal of [SUB, CLIENT, MADE_UP_KID]) expect(metricAttributes).not.toContain(personal);
    // The kid is on spans (bounded to 128 characters by the event), never sub or client_id.
    expect(spanText).toContain(MADE_UP_KID);
    for (const personal of [SUB, CLIENT]) expect(spanText).not.toContain(personal);
    // The search would find a leak: one signature's last characters in a span are enough.
    const signature = (tokens[0] as string).slice(-WINDOW);
    expect(leaksOf(`${spanText}${signature}`, tokens)).not.toEqual([]);
  });
});

// `"opentelemetry": true` against the real OpenTelemetry SDK with in-memory exporters, set up
// as an operator's `node --import` file would: global providers, then the sidecar.
import { metrics, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { METRIC, SPAN, ATTRIBUTE } from '../../src/opentelemetry/index.js';
import { startGateway } from '../../src/gateway/service.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { createSdk, useContextManager, type Sdk } from '../opentelemetry/sdk.js';
import { configFor } from './support.js';

let issuer: TestIssuer;
let sdk: Sdk;
let stopContext: () => void;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
  stopContext = useContextManager();
  sdk = createSdk();
  metrics.setGlobalMeterProvider(sdk.meterProvider);
  trace.setGlobalTracerProvider(sdk.tracerProvider);
});

afterAll(async () => {
  metrics.disable();
  trace.disable();
  stopContext?.();
  await sdk?.shutdown();
  await issuer?.close();
});

const check = (port: number, headers: Record<string, string>): Promise<Response> =>
  fetch(`http://127.0.0.1:${port}/check`, { headers: { 'x-original-uri': '/orders', 'x-original-method': 'GET', ...headers } });

describe('the sidecar with "opentelemetry": true', () => {
  it('records a span and the verification metrics for each check, into the SDK the operator set up', async () => {
    const service = await startGateway(configFor(issuer, { opentelemetry: true }), { write: () => undefined });
    try {
      const token = await issuer.sign({ scope: 'orders:read' });
      expect((await check(service.address.port, { authorization: `Bearer ${token}` })).status).toBe(200);
      expect((await check(service.address.port, { authorization: 'Bearer not-a-jwt' })).status).toBe(401);
      const spans = sdk.spansNamed(SPAN.verify);
      expect(spans.map((span) => span.attributes[ATTRIBUTE.outcome])).toEqual(['accepted', 'refused']);
      const counted = await sdk.points(METRIC.verifications);
      expect(counted.map((point) => point.attributes[ATTRIBUTE.outcome]).sort()).toEqual(['accepted', 'refused']);
      expect(await sdk.points(METRIC.jwksAge)).toHaveLength(1);
    } finally {
      await service.close();
    }
    // Closed with the service: later verifications are not recorded.
    const before = sdk.spansNamed(SPAN.verify).length;
    const other = await startGateway(configFor(issuer), { write: () => undefined });
    try {
      await check(other.address.port, { authorization: 'Bearer not-a-jwt' });
    } finally {
      await other.close();
    }
    expect(sdk.spansNamed(SPAN.verify)).toHaveLength(before);
  });

  it('refuses to start, saying what to install, when @opentelemetry/api is not installed', async () => {
    vi.resetModules();
    vi.doMock('@opentelemetry/api', () => {
      throw new Error("Cannot find package '@opentelemetry/api'");
    });
    try {
      const { startGateway: start } = await import('../../src/gateway/service.js');
      await expect(start(configFor(issuer, { opentelemetry: true }), { write: () => undefined })).rejects.toThrow(
        'opentelemetry is true, and @opentelemetry/api is not installed: npm install @opentelemetry/api',
      );
    } finally {
      vi.doUnmock('@opentelemetry/api');
      vi.resetModules();
    }
  });
});

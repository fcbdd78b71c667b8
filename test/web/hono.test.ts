// The Hono adapter on the web runtime (global fetch, jose over WebCrypto): this project swaps
// src/runtime/node.ts for src/runtime/web.ts, as the package's non-node export condition does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/hono.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from '../adapters/contract.js';
import { honoInProcess, honoServer } from '../adapters/hono-app.js';
import { expectWebRuntime } from './support.js';

adapterContract('hono', honoInProcess, 'web runtime, app.request');
adapterContract('hono', honoServer, 'web runtime, @hono/node-server on loopback');

describe('hono on the web runtime', () => {
  let issuer: TestIssuer;
  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('fetches keys with the global fetch, not undici', async () => {
    await expectWebRuntime(issuer);
  });

  it('verifies through the adapter with keys fetched by the global fetch', async () => {
    const { Hono } = await import('hono');
    const auth = createAuth({ verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } });
    const app = new Hono().get('/orders', auth.protect(requireScopes('orders:read')), (c) => c.json({ sub: c.get('auth').sub }));
    const token = await issuer.sign({ sub: 'edge-user', scope: 'orders:read' });
    const before = issuer.requests.jwks;
    const response = await app.request('/orders', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'edge-user' });
    expect(issuer.requests.jwks).toBe(before + 1);
  });
});

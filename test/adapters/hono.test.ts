import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/hono.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from './contract.js';
import { honoInProcess, honoServer } from './hono-app.js';

adapterContract('hono', honoInProcess, 'app.request');
adapterContract('hono', honoServer, '@hono/node-server on loopback');

describe('hono specifics', () => {
  let issuer: TestIssuer;
  let app: Hono;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
    const auth = createAuth<{ tenant: string }>({
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
      errorResponse: (answer, c) => c.text(`refused: ${answer.body.error}`, answer.status, answer.headers),
    });
    app = new Hono();
    app.onError((_error, c) => c.json({ handledBy: 'hono' }, 500));
    // App-wide protection, then a route that only adds its guard; c.get('auth') is typed by the
    // route's own middleware.
    app.use('/api/*', auth.protect());
    app.get('/api/orders', auth.protect(requireScopes('orders:read')), (c) =>
      c.json({ tenant: c.get('auth').tenant, sub: c.var.auth.sub }),
    );
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('lets a route guard build on app-wide protection, with the claims in c.get("auth")', async () => {
    const token = await issuer.sign({ sub: 'alice', tenant: 'acme', scope: 'orders:read' });
    const response = await app.request('/api/orders', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tenant: 'acme', sub: 'alice' });
  });

  it('applies the route guard after app-wide protection let the token through', async () => {
    const token = await issuer.sign({ scope: 'profile' });
    const response = await app.request('/api/orders', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('scope="orders:read"');
  });

  it('sends refusals through a custom errorResponse, keeping status and challenge', async () => {
    const response = await app.request('/api/orders');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="orders-api"');
    expect(await response.text()).toBe('refused: unauthorized');
  });
});

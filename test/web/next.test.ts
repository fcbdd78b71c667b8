// The Next.js adapter on the web runtime (global fetch, jose over WebCrypto), called with web
// Requests as Next.js calls route handlers and middleware.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth } from '../../src/adapters/next.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from '../adapters/contract.js';
import { nextInProcess } from '../adapters/next-app.js';
import { expectWebRuntime } from './support.js';

adapterContract('next', nextInProcess, 'web runtime, route handlers called with web Requests');

describe('next on the web runtime', () => {
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

  it('guards middleware and route handlers with plain Request/Response', async () => {
    const { withAuth, middleware } = createAuth({
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
    });
    const GET = withAuth(async (_request: Request, claims) => Response.json({ sub: claims.sub }));
    const proxy = middleware(requireScopes('orders:read'));
    const token = await issuer.sign({ sub: 'edge-user', scope: 'orders:read' });
    const request = new Request('https://app.example.com/api/orders', { headers: { authorization: `Bearer ${token}` } });

    expect(await proxy(request)).toBeUndefined();
    const response = await GET(request, undefined);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'edge-user' });
    expect((await proxy(new Request('https://app.example.com/api/orders')))?.status).toBe(401);
  });
});

import { NextRequest, NextResponse } from 'next/server.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireClaims, requireScopes } from '../../src/index.js';
import { createAuth, type NextRouteAuth } from '../../src/adapters/next.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from './contract.js';
import { nextInProcess } from './next-app.js';

adapterContract('next', nextInProcess, 'route handlers called with web Requests');

describe('next specifics', () => {
  let issuer: TestIssuer;
  let auth: NextRouteAuth<{ tenant: string }>;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
    auth = createAuth<{ tenant: string }>({
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
    });
  });
  afterAll(async () => {
    await issuer?.close();
  });

  const request = (token?: string): NextRequest =>
    new NextRequest('http://localhost/api/orders/42', token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('passes claims as the second argument and the route context (params) as the third', async () => {
    const GET = auth.withAuth(async (req: NextRequest, claims, { params }: { params: Promise<{ id: string }> }) => {
      const { id } = await params;
      return NextResponse.json({ id, tenant: claims.tenant, path: req.nextUrl.pathname });
    }, requireScopes('orders:read'));
    const response = await GET(request(await issuer.sign({ tenant: 'acme', scope: 'orders:read' })), {
      params: Promise.resolve({ id: '42' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: '42', tenant: 'acme', path: '/api/orders/42' });
  });

  it('takes requirements as one guard or a list', async () => {
    const handler = async (): Promise<Response> => Response.json({ ok: true });
    const one = auth.withAuth(handler, requireScopes('orders:read'));
    const list = auth.withAuth(handler, [requireScopes('orders:read'), requireClaims<{ tenant: string }>((c) => c.tenant === 'acme')]);
    const token = await issuer.sign({ tenant: 'globex', scope: 'orders:read' });
    expect((await one(request(token), undefined)).status).toBe(200);
    expect((await list(request(token), undefined)).status).toBe(403);
  });

  it('lets the error of a misconfigured route reach Next.js (the handler rejects; Next answers 500)', async () => {
    const GET = auth.withAuth(
      async () => Response.json({ ok: true }),
      requireClaims(() => {
        throw new TypeError('predicate bug');
      }),
    );
    const token = await issuer.sign();
    const outcome = GET(request(token), undefined);
    await expect(outcome).rejects.toThrow(TypeError);
    await expect(outcome).rejects.not.toThrow(token);
  });

  it('middleware(): undefined lets the request continue, a refusal is the Response to return', async () => {
    const guard = auth.middleware(requireScopes('orders:read'));
    const proxy = async (req: NextRequest): Promise<Response> => (await guard(req)) ?? NextResponse.next();

    const allowed = await proxy(request(await issuer.sign({ scope: 'orders:read' })));
    expect(allowed.headers.get('x-middleware-next')).toBe('1');

    const refused = await proxy(request(await issuer.sign({ scope: 'profile' })));
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(await refused.json()).toMatchObject({ error: 'insufficient_scope' });

    const anonymous = await guard(request());
    expect(anonymous?.status).toBe(401);
  });

  it('sends refusals through a custom errorResponse', async () => {
    const custom = createAuth({
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
      errorResponse: (answer, req) =>
        new Response(`refused ${new URL(req.url).pathname}: ${answer.body.error}`, { status: answer.status, headers: answer.headers }),
    });
    const GET = custom.withAuth(async () => Response.json({ ok: true }));
    const response = await GET(request('not-a-jwt'), undefined);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await response.text()).toBe('refused /api/orders/42: invalid_token');
  });

  it('refuses a non-function handler or non-guard requirements at construction', () => {
    expect(() => auth.withAuth('nope' as unknown as () => Response)).toThrow(TypeError);
    expect(() => auth.withAuth(async () => Response.json({}), 'orders:read' as never)).toThrow(/requirements of withAuth/);
    expect(() => auth.middleware('orders:read' as never)).toThrow(/arguments of middleware\(\)/);
  });
});

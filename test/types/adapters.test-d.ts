// Type tests: where each adapter puts the claims, and that your claims type flows from the
// verifier (or the createAuth generic) to handlers without casts. Checked by `tsc --noEmit`
// (tsconfig includes test/) and by `vitest --typecheck`.
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import type { NextRequest } from 'next/server.js';
import { createServer } from 'node:http';
import { describe, expectTypeOf, it } from 'vitest';
import {
  createVerifier,
  requireClaims,
  requireScopes,
  type AccessTokenClaims,
  type Guard,
  type Verifier,
} from '../../src/index.js';
import { createAuth as expressAuth } from '../../src/adapters/express.js';
import { createAuth as fastifyAuth } from '../../src/adapters/fastify.js';
import { createAuth as honoAuth } from '../../src/adapters/hono.js';
import { createAuth as koaAuth } from '../../src/adapters/koa.js';
import { createAuth as nextAuth } from '../../src/adapters/next.js';
import { createAuth as nodeAuth, type AuthenticatedRequest } from '../../src/adapters/node.js';

interface OrgClaims {
  tenant: string;
  org: { id: number };
}
type Claims = AccessTokenClaims & OrgClaims;

const verifier: Verifier<OrgClaims> = createVerifier<OrgClaims>({ issuer: 'https://auth.example.com', audience: 'api' });

describe('express', () => {
  it('types req.auth as the claims, set only behind protect()', () => {
    const auth = expressAuth({ verifier });
    const app = express();
    app.get('/orders', auth.protect(requireScopes('orders:read')), (req, res) => {
      expectTypeOf(req.auth).toEqualTypeOf<AccessTokenClaims | undefined>();
      res.json({ sub: req.auth?.sub });
    });
  });

  it('flows the verifier’s claims type to auth.claims(req)', () => {
    const auth = expressAuth({ verifier });
    express().get('/', auth.protect(), (req, res) => {
      const claims = auth.claims(req);
      expectTypeOf(claims).toEqualTypeOf<Claims>();
      expectTypeOf(claims.org.id).toEqualTypeOf<number>();
      res.end();
    });
  });
});

describe('fastify', () => {
  it('types request.auth through the decorated request', () => {
    const auth = fastifyAuth({ verifier });
    const app = Fastify();
    app.get<{ Params: { id: string } }>('/orders/:id', { onRequest: auth.protect() }, async (request) => {
      expectTypeOf(request.auth).toEqualTypeOf<AccessTokenClaims | null>();
      expectTypeOf(request.params.id).toEqualTypeOf<string>();
      expectTypeOf(auth.claims(request).tenant).toEqualTypeOf<string>();
      return null;
    });
    app.addHook('onRequest', auth.protect());
    app.addHook('preHandler', auth.protect(requireScopes('a')));
  });
});

describe('koa', () => {
  it('types ctx.state.auth for the middleware that follows in the chain', () => {
    const auth = koaAuth({ verifier });
    new Koa().use(auth.protect()).use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<Claims>();
      expectTypeOf(ctx.state.auth.tenant).toEqualTypeOf<string>();
    });
  });
});

describe('hono', () => {
  it("types c.get('auth') through the middleware's Env, without global augmentation", () => {
    const auth = honoAuth({ verifier });
    new Hono().get('/orders', auth.protect(), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<Claims>();
      expectTypeOf(c.var.auth.org.id).toEqualTypeOf<number>();
      return c.json({ tenant: c.get('auth').tenant });
    });
  });

  it('types app-wide protection for chained routes', () => {
    const auth = honoAuth<{ tenant: string }>({ verifier: { issuer: 'https://auth.example.com', audience: 'api' } });
    new Hono().use(auth.protect()).get('/', (c) => {
      expectTypeOf(c.get('auth').tenant).toEqualTypeOf<string>();
      return c.text('ok');
    });
  });
});

describe('next', () => {
  it('passes typed claims as the second argument and keeps request and context types', () => {
    const { withAuth } = nextAuth({ verifier });
    const GET = withAuth(async (request, claims, context: { params: Promise<{ id: string }> }) => {
      expectTypeOf(request).toEqualTypeOf<NextRequest>();
      expectTypeOf(claims).toEqualTypeOf<Claims>();
      expectTypeOf(context.params).toEqualTypeOf<Promise<{ id: string }>>();
      return Response.json({ tenant: claims.tenant });
    }, requireScopes('orders:read'));
    expectTypeOf(GET).parameters.toEqualTypeOf<[NextRequest, { params: Promise<{ id: string }> }]>();
    expectTypeOf(GET).returns.toEqualTypeOf<Promise<Response>>();
  });

  it('gives middleware a Request-to-optional-Response function', () => {
    const { middleware } = nextAuth({ verifier });
    expectTypeOf(middleware()).toEqualTypeOf<(request: Request) => Promise<Response | undefined>>();
  });
});

describe('node:http', () => {
  it('types req.auth in a protected listener', () => {
    const auth = nodeAuth({ verifier });
    createServer(
      auth.protect((req, res) => {
        expectTypeOf(req).toEqualTypeOf<AuthenticatedRequest<OrgClaims>>();
        expectTypeOf(req.auth.tenant).toEqualTypeOf<string>();
        res.end(req.auth.sub);
      }),
    );
  });
});

describe('guards', () => {
  it('accepts generic guards wherever claims are more specific, and typed predicates', () => {
    expectTypeOf(requireScopes('a')).toEqualTypeOf<Guard>();
    expectTypeOf(requireScopes('a')).toExtend<Guard<OrgClaims>>();
    const sameTenant = requireClaims<OrgClaims>((claims) => claims.tenant === 'acme');
    expressAuth({ verifier, guards: [requireScopes('a'), sameTenant] });
  });

  it('refuses a guard written for incompatible claims', () => {
    const numericTenant = requireClaims<{ tenant: number }>((claims) => claims.tenant === 1);
    // @ts-expect-error: the verifier's tenant is a string
    expressAuth({ verifier, guards: [numericTenant] });
  });

  it('infers the claims type of a requireClaims predicate from createAuth', () => {
    honoAuth<OrgClaims>({
      verifier,
      guards: [
        requireClaims((claims) => {
          expectTypeOf(claims.org.id).toEqualTypeOf<number>();
          return claims.org.id > 0;
        }),
      ],
    });
  });
});

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa, { type Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth, type KoaAuthOptions } from '../../src/adapters/koa.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from './contract.js';
import { httpSend, METADATA_PATH, PUBLIC_PATH, READY_PATH, ROUTES, type Harness, type TestClaims } from './support.js';

async function listen(app: Koa): Promise<Harness> {
  const server = await new Promise<Server>((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    send: httpSend(`http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// Koa's own error handling, the way applications usually take it over: an outer middleware.
const frameworkErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch {
    ctx.status = 500;
    ctx.body = { handledBy: 'koa' };
  }
};

/** Dispatches on the path only: Koa has no router of its own. */
function route(path: string, ...stack: Middleware[]): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path) return next();
    let index = -1;
    const run = async (i: number): Promise<void> => {
      if (i <= index) throw new Error('next() called twice');
      index = i;
      const layer = stack[i];
      if (layer !== undefined) await layer(ctx, () => run(i + 1));
    };
    return run(0);
  };
}

function build(options: KoaAuthOptions<TestClaims>): Koa {
  const auth = createAuth(options);
  const app = new Koa();
  app.silent = true;
  app.use(frameworkErrors);
  app.use(route(PUBLIC_PATH, (ctx) => void (ctx.body = { public: true })));
  app.use(route(METADATA_PATH, auth.metadata()));
  app.use(route(READY_PATH, auth.ready()));
  for (const { path, guards } of ROUTES) {
    app.use(
      route(path, auth.protect(...guards), (ctx) => {
        ctx.body = { sub: (ctx.state as { auth?: TestClaims & { sub?: string } }).auth?.sub, path };
      }),
    );
  }
  return app;
}

adapterContract('koa', (options) => listen(build(options)));

describe('koa specifics', () => {
  let issuer: TestIssuer;
  let harness: Harness;
  const errors: unknown[] = [];

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
    const auth = createAuth<{ tenant: string }>({
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
      errorResponse: (answer, ctx) => {
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.type = 'text/plain';
        ctx.body = `refused: ${answer.body.error}`;
      },
    });
    // No error middleware here: Koa's default handler answers, and reports on 'error'.
    const app = new Koa();
    app.on('error', (error: unknown) => errors.push(error));
    app.use(route('/unprotected-claims', (ctx) => void (ctx.body = { tenant: auth.claims(ctx).tenant })));
    // A use() chain types ctx.state.auth for what follows.
    app
      .use(auth.protect())
      .use(auth.protect(requireScopes('orders:read')))
      .use((ctx) => {
        ctx.body = { tenant: ctx.state.auth.tenant, sub: ctx.state.auth.sub, same: auth.claims(ctx) === ctx.state.auth };
      });
    harness = await listen(app);
  });
  afterAll(async () => {
    await harness?.close();
    await issuer?.close();
  });

  it('puts the claims on ctx.state.auth; a later protect() only adds its guard', async () => {
    const token = await issuer.sign({ sub: 'alice', tenant: 'acme', scope: 'orders:read' });
    const reply = await harness.send('/orders', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenant: 'acme', sub: 'alice', same: true });
  });

  it('applies the later guard after the first protect() let the token through', async () => {
    const token = await issuer.sign({ tenant: 'acme', scope: 'profile' });
    const reply = await harness.send('/orders', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(403);
    expect(reply.header('www-authenticate')).toContain('scope="orders:read"');
  });

  it('sends refusals through a custom errorResponse, keeping status and challenge', async () => {
    const reply = await harness.send('/orders');
    expect(reply.status).toBe(401);
    expect(reply.header('www-authenticate')).toBe('Bearer realm="orders-api"');
    expect(reply.body).toBe('refused: unauthorized');
  });

  it("leaves a configuration mistake to Koa's default handler: 500 and an 'error' event", async () => {
    const before = errors.length;
    const reply = await harness.send('/unprotected-claims');
    expect(reply.status).toBe(500);
    expect(errors.length).toBe(before + 1);
    expect(String(errors.at(-1))).toContain('no protect() of this auth');
  });
});

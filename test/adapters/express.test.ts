import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth, type ExpressAuthOptions } from '../../src/adapters/express.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from './contract.js';
import { httpSend, METADATA_PATH, PUBLIC_PATH, READY_PATH, ROUTES, type Harness, type TestClaims } from './support.js';

async function listen(app: express.Express): Promise<Harness> {
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

const frameworkErrors: ErrorRequestHandler = (_error, _req, res, _next) => {
  res.status(500).json({ handledBy: 'express' });
};

function build(options: ExpressAuthOptions<TestClaims>): express.Express {
  const auth = createAuth(options);
  const app = express();
  app.get(PUBLIC_PATH, (_req, res) => {
    res.json({ public: true });
  });
  app.get(METADATA_PATH, auth.metadata());
  app.get(READY_PATH, auth.ready());
  for (const { path, guards } of ROUTES) {
    app.get(path, auth.protect(...guards), (req, res) => {
      res.json({ sub: req.auth?.sub, path });
    });
  }
  app.use(frameworkErrors);
  return app;
}

adapterContract('express', (options) => listen(build(options)));

describe('express specifics', () => {
  let issuer: TestIssuer;
  let harness: Harness;
  const verifierOptions = (): ExpressAuthOptions['verifier'] => ({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri });

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
    const auth = createAuth<{ tenant: string }>({
      verifier: verifierOptions(),
      errorResponse: (answer, _req, res) => {
        res.status(answer.status).set(answer.headers).type('text/plain').send(`refused: ${answer.body.error}`);
      },
    });
    const app = express();
    // App-wide protection, then a route that only adds a guard.
    app.use('/api', auth.protect());
    app.get('/api/orders', auth.protect(requireScopes('orders:read')), (req, res) => {
      res.json({ tenant: auth.claims(req).tenant });
    });
    app.get('/unprotected-claims', (req, res) => {
      res.json({ tenant: auth.claims(req).tenant });
    });
    app.use(frameworkErrors);
    harness = await listen(app);
  });
  afterAll(async () => {
    await harness?.close();
    await issuer?.close();
  });

  it('lets a route guard build on app-wide protection, with typed claims from auth.claims(req)', async () => {
    const token = await issuer.sign({ tenant: 'acme', scope: 'orders:read' });
    const reply = await harness.send('/api/orders', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenant: 'acme' });
  });

  it('applies the route guard after app-wide protection let the token through', async () => {
    const token = await issuer.sign({ tenant: 'acme', scope: 'profile' });
    const reply = await harness.send('/api/orders', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(403);
    expect(reply.header('www-authenticate')).toContain('scope="orders:read"');
  });

  it('sends refusals through a custom errorResponse, keeping status and challenge', async () => {
    const reply = await harness.send('/api/orders');
    expect(reply.status).toBe(401);
    expect(reply.header('www-authenticate')).toBe('Bearer realm="orders-api"');
    expect(reply.header('content-type')).toContain('text/plain');
    expect(reply.body).toBe('refused: unauthorized');
  });

  it('turns auth.claims(req) on a route no protect() guarded into a 500 from the error handler', async () => {
    const reply = await harness.send('/unprotected-claims');
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ handledBy: 'express' });
  });

  it('refuses wrong options at construction with TypeError naming them', () => {
    expect(() => createAuth({ verifier: verifierOptions(), cookie: 'bad cookie' })).toThrow(/"cookie"/);
    expect(() => createAuth({ verifier: verifierOptions(), realm: 'caf\u00e9' })).toThrow(/"realm"/);
    expect(() => createAuth({ verifier: verifierOptions(), errorResponse: 'x' } as unknown as ExpressAuthOptions)).toThrow(/"errorResponse"/);
    expect(() => createAuth({ verifier: verifierOptions(), guards: ['x'] } as unknown as ExpressAuthOptions)).toThrow(TypeError);
    expect(() => createAuth({ verifier: verifierOptions(), realms: 'x' } as unknown as ExpressAuthOptions)).toThrow(/unknown option "realms"/);
  });

  it('refuses a route guard that is not a function when the route is declared', () => {
    const auth = createAuth({ verifier: verifierOptions() });
    expect(() => auth.protect('orders:read' as never)).toThrow(/arguments of protect\(\)/);
  });
});

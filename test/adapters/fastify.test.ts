import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth, type FastifyAuthOptions } from '../../src/adapters/fastify.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from './contract.js';
import { httpSend, METADATA_PATH, PUBLIC_PATH, READY_PATH, ROUTES, type Harness, type HeaderList, type Send, type TestClaims } from './support.js';

async function build(options: FastifyAuthOptions<TestClaims>): Promise<FastifyInstance> {
  const auth = createAuth(options);
  const app = Fastify();
  app.setErrorHandler(async (_error, _request, reply) => reply.code(500).send({ handledBy: 'fastify' }));
  await app.register(auth.plugin);
  app.get(PUBLIC_PATH, async () => ({ public: true }));
  app.get(METADATA_PATH, auth.metadata());
  app.get(READY_PATH, auth.ready());
  for (const { path, guards } of ROUTES) {
    app.get(path, { onRequest: auth.protect(...guards) }, async (request) => ({ sub: request.auth?.sub, path }));
  }
  await app.ready();
  return app;
}

function injectSend(app: FastifyInstance): Send {
  return async (path, headers: HeaderList = []) => {
    const grouped: Record<string, string | string[]> = {};
    for (const [name, value] of headers) {
      const key = name.toLowerCase();
      const previous = grouped[key];
      grouped[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const response = await app.inject({ method: 'GET', url: path, headers: grouped });
    return {
      status: response.statusCode,
      header: (name) => {
        const value = response.headers[name.toLowerCase()];
        return value === undefined ? null : String(value);
      },
      body: String(response.headers['content-type']).includes('application/json') ? response.json() : response.body,
    };
  };
}

adapterContract('fastify', async (options) => {
  const app = await build(options);
  return { send: injectSend(app), close: () => app.close() };
}, 'inject');

// The same contract over a real listening socket.
adapterContract('fastify', async (options) => {
  const app = await build(options);
  const origin = await app.listen({ port: 0, host: '127.0.0.1' });
  return { send: httpSend(origin), close: () => app.close() };
});

describe('fastify specifics', () => {
  let issuer: TestIssuer;
  let app: FastifyInstance;
  let harness: Harness;

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
    const auth = createAuth<{ tenant: string }>({
      verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
      errorResponse: (answer, _request, reply) =>
        reply.code(answer.status).headers(answer.headers).type('text/plain').send(`refused: ${answer.body.error}`),
    });
    app = Fastify();
    app.setErrorHandler(async (_error, _request, reply) => reply.code(500).send({ handledBy: 'fastify' }));
    await app.register(auth.plugin);
    await app.register(async (api) => {
      // Instance-wide protection in an encapsulated context, then a route that adds a guard.
      api.addHook('onRequest', auth.protect());
      api.get('/api/orders', { onRequest: auth.protect(requireScopes('orders:read')) }, async (request) => ({
        tenant: auth.claims(request).tenant,
        sub: request.auth?.sub,
      }));
    });
    app.get('/unprotected-claims', async (request) => ({ tenant: auth.claims(request).tenant }));
    const origin = await app.listen({ port: 0, host: '127.0.0.1' });
    harness = { send: httpSend(origin), close: () => app.close() };
  });
  afterAll(async () => {
    await harness?.close();
    await issuer?.close();
  });

  it('decorates request.auth with null through a fastify-plugin named tokenwarden', () => {
    expect(app.hasRequestDecorator('auth')).toBe(true);
    expect(app.hasPlugin('tokenwarden')).toBe(true);
  });

  it('lets a route hook build on instance-wide protection, with typed claims from auth.claims(request)', async () => {
    const token = await issuer.sign({ sub: 'alice', tenant: 'acme', scope: 'orders:read' });
    const reply = await harness.send('/api/orders', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenant: 'acme', sub: 'alice' });
  });

  it('applies the route guard after instance-wide protection let the token through', async () => {
    const token = await issuer.sign({ tenant: 'acme', scope: 'profile' });
    const reply = await harness.send('/api/orders', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(403);
    expect(reply.header('www-authenticate')).toContain('scope="orders:read"');
  });

  it('sends refusals through a custom errorResponse, keeping status and challenge', async () => {
    const reply = await harness.send('/api/orders');
    expect(reply.status).toBe(401);
    expect(reply.header('www-authenticate')).toBe('Bearer realm="orders-api"');
    expect(reply.body).toBe('refused: unauthorized');
  });

  it('turns auth.claims(request) on an unprotected route into a 500 from the error handler', async () => {
    const reply = await harness.send('/unprotected-claims');
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ handledBy: 'fastify' });
  });

  it('answers 500 through the error handler when the plugin was never registered', async () => {
    const auth = createAuth({ verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } });
    const bare = Fastify();
    bare.setErrorHandler(async (error, _request, reply) => reply.code(500).send({ handledBy: 'fastify', message: (error as Error).message }));
    bare.get('/me', { onRequest: auth.protect() }, async () => ({ ok: true }));
    const token = await issuer.sign();
    const response = await bare.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ handledBy: 'fastify', message: expect.stringContaining('auth.plugin') });
    expect(response.body).not.toContain(token);
    await bare.close();
  });

  it('lets two auths register their plugin on one instance', async () => {
    const options = { verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri } };
    const twice = Fastify();
    await twice.register(createAuth(options).plugin);
    await twice.register(createAuth(options).plugin);
    await expect(twice.ready()).resolves.toBeDefined();
    await twice.close();
  });
});

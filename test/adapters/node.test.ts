import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireScopes } from '../../src/index.js';
import { createAuth, type NodeAuthOptions } from '../../src/adapters/node.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { adapterContract } from './contract.js';
import { httpSend, METADATA_PATH, PUBLIC_PATH, READY_PATH, ROUTES, type Harness, type TestClaims } from './support.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => unknown;

async function listen(listener: Listener): Promise<Harness> {
  const server = await new Promise<Server>((resolve) => {
    const started = createServer((req, res) => void listener(req, res)).listen(0, '127.0.0.1', () => resolve(started));
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

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function build(options: NodeAuthOptions<TestClaims>): Listener {
  // node:http has no error handling: the adapter's serverError option is where it goes.
  const auth = createAuth({ ...options, serverError: (_error, _req, res) => json(res, 500, { handledBy: 'node' }) });
  const routes = new Map<string, Listener>();
  routes.set(PUBLIC_PATH, (_req, res) => json(res, 200, { public: true }));
  routes.set(METADATA_PATH, auth.metadata());
  routes.set(READY_PATH, auth.ready());
  for (const { path, guards } of ROUTES) {
    routes.set(path, auth.protect((req, res) => json(res, 200, { sub: req.auth.sub, path }), ...guards));
  }
  return (req, res) => {
    const handler = routes.get(new URL(req.url ?? '/', 'http://localhost').pathname);
    return handler === undefined ? json(res, 404, {}) : handler(req, res);
  };
}

adapterContract('node', async (options) => listen(build(options)));

describe('node:http specifics', () => {
  let issuer: TestIssuer;
  let harness: Harness;
  const options = (): NodeAuthOptions<{ tenant: string }> => ({
    verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
  });

  beforeAll(async () => {
    issuer = await createTestIssuer({ audience: 'orders-api' });
  });
  afterEach(async () => {
    await harness?.close();
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await issuer?.close();
  });

  it('puts typed claims on req.auth', async () => {
    const auth = createAuth(options());
    harness = await listen(auth.protect((req, res) => json(res, 200, { tenant: req.auth.tenant }), requireScopes('orders:read')));
    const token = await issuer.sign({ tenant: 'acme', scope: 'orders:read' });
    const reply = await harness.send('/', [['authorization', `Bearer ${token}`]]);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ tenant: 'acme' });
  });

  it('by default logs a handler error and answers 500 without details', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const auth = createAuth(options());
    harness = await listen(
      auth.protect(() => {
        throw new TypeError('handler bug');
      }),
    );
    const reply = await harness.send('/', [['authorization', `Bearer ${await issuer.sign()}`]]);
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ error: 'server_error', error_description: 'The server failed to process the request' });
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: 'handler bug' }));
  });

  it('sends refusals through a custom errorResponse', async () => {
    const auth = createAuth({
      ...options(),
      errorResponse: (answer, _req, res) => {
        res.writeHead(answer.status, { ...answer.headers, 'content-type': 'text/plain' }).end(`refused: ${answer.body.error}`);
      },
    });
    harness = await listen(auth.protect((_req, res) => json(res, 200, {})));
    const reply = await harness.send('/');
    expect(reply.status).toBe(401);
    expect(reply.header('www-authenticate')).toBe('Bearer realm="orders-api"');
    expect(reply.body).toBe('refused: unauthorized');
  });
});

describe('node:http options', () => {
  const verifier = { issuer: 'https://auth.example.com', audience: 'orders-api', jwksUri: 'https://auth.example.com/jwks' };

  it.each<[string, unknown, RegExp]>([
    ['serverError', 'log', /option "serverError" must be a function/],
    ['errorResponse', 42, /option "errorResponse" must be a function/],
  ])('refuses a %s that is not a function, naming the option', (name, value, message) => {
    expect(() => createAuth({ verifier, [name]: value } as unknown as NodeAuthOptions)).toThrow(message);
  });
});

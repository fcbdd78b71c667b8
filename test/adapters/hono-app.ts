// The Hono test app, shared by the Node run (test/adapters) and the web-runtime run (test/web).
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { createAuth, type HonoAuthOptions } from '../../src/adapters/hono.js';
import { httpSend, METADATA_PATH, PUBLIC_PATH, READY_PATH, requestSend, ROUTES, type Harness, type TestClaims } from './support.js';

export function buildHonoApp(options: HonoAuthOptions<TestClaims>): Hono {
  const auth = createAuth(options);
  const app = new Hono();
  app.onError((_error, c) => c.json({ handledBy: 'hono' }, 500));
  app.get(PUBLIC_PATH, (c) => c.json({ public: true }));
  app.get(METADATA_PATH, auth.metadata());
  app.get(READY_PATH, auth.ready());
  for (const { path, guards } of ROUTES) {
    app.get(path, auth.protect(...guards), (c) => c.json({ sub: c.get('auth').sub, path }));
  }
  return app;
}

/** Through `app.request()`, in process. */
export async function honoInProcess(options: HonoAuthOptions<TestClaims>): Promise<Harness> {
  const app = buildHonoApp(options);
  return { send: requestSend((request) => app.request(request)), close: async () => undefined };
}

/** Through a real server from @hono/node-server on loopback. */
export async function honoServer(options: HonoAuthOptions<TestClaims>): Promise<Harness> {
  const app = buildHonoApp(options);
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    send: httpSend(`http://127.0.0.1:${port}`),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

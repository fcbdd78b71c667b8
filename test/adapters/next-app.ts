// Next.js route handlers for the tests, shared by the Node run (test/adapters) and the
// web-runtime run (test/web). Requests are dispatched by path to the exported-style handlers;
// a handler that throws stands for Next's own 500.
import { createAuth, type NextRouteAuthOptions } from '../../src/adapters/next.js';
import { METADATA_PATH, PUBLIC_PATH, READY_PATH, requestSend, ROUTES, type Harness, type TestClaims } from './support.js';

type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Response | Promise<Response>;

export function buildNextRoutes(options: NextRouteAuthOptions<TestClaims>): ReadonlyMap<string, RouteHandler> {
  const { withAuth, metadata, ready } = createAuth(options);
  const routes = new Map<string, RouteHandler>();
  routes.set(PUBLIC_PATH, () => Response.json({ public: true }));
  routes.set(METADATA_PATH, metadata());
  routes.set(READY_PATH, ready());
  for (const { path, guards } of ROUTES) {
    routes.set(
      path,
      withAuth(async (_request: Request, claims) => Response.json({ sub: claims.sub, path }), guards),
    );
  }
  return routes;
}

/** Calls the route handlers with real web Requests, the way Next.js does. */
export async function nextInProcess(options: NextRouteAuthOptions<TestClaims>): Promise<Harness> {
  const routes = buildNextRoutes(options);
  const send = requestSend(async (request) => {
    const handler = routes.get(new URL(request.url).pathname);
    if (handler === undefined) return new Response('not found', { status: 404 });
    try {
      return await handler(request, { params: Promise.resolve({}) });
    } catch {
      // What Next.js does with a route handler that throws: a 500 of its own.
      return Response.json({ handledBy: 'next' }, { status: 500 });
    }
  });
  return { send, close: async () => undefined };
}

// Shared pieces of the adapter tests: the routes every adapter's test app mounts, and ways to
// send a request to an app (real HTTP on loopback, Fastify inject, a web Request).
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { insufficientScope, requireAnyScope, requireClaims, requireRoles, requireScopes, type Guard } from '../../src/index.js';

/** Claims the test routes read. */
export interface TestClaims {
  tenant?: unknown;
  refunds?: unknown;
}

/** The description the user-written guard of `/refunds` gives the client. */
export const REFUNDS_REFUSED = 'Refunds need the orders:write scope';

/**
 * The routes of every adapter test app. Each answers 200 `{ sub, path }` from the claims it
 * was handed. `/broken` has a guard with a bug: the framework's error handler must answer it
 * (500 `{ handledBy: <framework> }`), never tokenwarden.
 */
export const ROUTES: readonly { readonly path: string; readonly guards: readonly Guard<TestClaims>[] }[] = [
  { path: '/me', guards: [] },
  { path: '/orders', guards: [requireScopes('orders:read', 'orders:write')] },
  { path: '/any', guards: [requireAnyScope('orders:read', 'orders:admin')] },
  { path: '/admin', guards: [requireRoles('admin', { claim: 'realm_access.roles' })] },
  { path: '/tenant', guards: [requireClaims<TestClaims>(async (claims) => claims.tenant === 'acme')] },
  {
    // A guard a user writes, with insufficientScope naming the scope a client should ask for.
    path: '/refunds',
    guards: [
      (claims) => {
        if (claims.refunds === true) return;
        throw insufficientScope(`token of ${String(claims.sub)} may not refund`, {
          requiredScopes: ['orders:write'],
          description: REFUNDS_REFUSED,
        });
      },
    ],
  },
  {
    path: '/broken',
    guards: [
      requireClaims(() => {
        throw new TypeError('predicate bug');
      }),
    ],
  },
];

export const PUBLIC_PATH = '/public';
export const METADATA_PATH = '/.well-known/oauth-protected-resource';
/** Where every test app mounts its `auth.ready()` handler. */
export const READY_PATH = '/ready';

/** What a test sees of an answer. */
export interface Reply {
  readonly status: number;
  header(name: string): string | null;
  readonly body: unknown;
}

export type HeaderList = readonly (readonly [string, string])[];
export type Send = (path: string, headers?: HeaderList) => Promise<Reply>;

/** A running test app. */
export interface Harness {
  readonly send: Send;
  close(): Promise<void>;
}

function parseBody(contentType: string | null | undefined, text: string): unknown {
  return contentType?.includes('application/json') ? (JSON.parse(text) as unknown) : text;
}

async function fromResponse(response: Response): Promise<Reply> {
  const text = await response.text();
  return {
    status: response.status,
    header: (name) => response.headers.get(name),
    body: parseBody(response.headers.get('content-type'), text),
  };
}

/**
 * Real HTTP to `origin`: fetch, or node:http when a header name repeats (fetch would join
 * the values into one line; node:http sends one line each).
 */
export function httpSend(origin: string): Send {
  return async (path, headers = []) => {
    const names = headers.map(([name]) => name.toLowerCase());
    if (new Set(names).size === names.length) {
      return fromResponse(await fetch(`${origin}${path}`, { headers: headers.map(([n, v]): [string, string] => [n, v]) }));
    }
    const grouped: Record<string, string[]> = {};
    for (const [name, value] of headers) (grouped[name.toLowerCase()] ??= []).push(value);
    return new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(`${origin}${path}`, { headers: grouped }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => {
              const value = res.headers[name.toLowerCase()];
              return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
            },
            body: parseBody(res.headers['content-type'], text),
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  };
}

/** In process, through a fetch-style handler taking a web Request. */
export function requestSend(handle: (request: Request) => Response | Promise<Response>): Send {
  return async (path, headers = []) => {
    const request = new Request(`http://localhost${path}`, { headers: new Headers(headers.map(([n, v]): [string, string] => [n, v])) });
    return fromResponse(await handle(request));
  };
}

/** A loopback port nothing listens on: connections to it are refused at once. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

/** Flips one character of a token's signature, keeping it a well-formed JWS. */
export function tamper(token: string): string {
  const last = token.at(-2) === 'A' ? 'B' : 'A';
  return `${token.slice(0, -2)}${last}${token.slice(-1)}`;
}

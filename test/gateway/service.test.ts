import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../../src/verifier.js';
import { startGateway, type GatewayService } from '../../src/gateway/service.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { configFor } from './support.js';

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
});

afterAll(async () => {
  await issuer?.close();
});

const base = (service: GatewayService): string => `http://127.0.0.1:${service.address.port}`;

/** A check as the shipped nginx config sends it. */
function check(service: GatewayService, uri: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base(service)}/check`, { headers: { 'x-original-uri': uri, 'x-original-method': 'GET', ...headers } });
}

async function withService<T>(extra: Record<string, unknown>, run: (service: GatewayService, lines: string[]) => Promise<T>): Promise<T> {
  const lines: string[] = [];
  const service = await startGateway(configFor(issuer, extra), { write: (line) => void lines.push(line) });
  try {
    return await run(service, lines);
  } finally {
    await service.close();
  }
}

describe('the sidecar service', () => {
  it('answers /healthz while up, and /readyz 503 until the key set is fetched, then 200', async () => {
    await withService({}, async (service) => {
      expect(await (await fetch(`${base(service)}/healthz`)).json()).toEqual({ status: 'ok' });
      const first = await fetch(`${base(service)}/readyz`);
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).not.toBeNull();
      await service.warmUp();
      const ready = await fetch(`${base(service)}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { ready: boolean }).ready).toBe(true);
    });
  });

  it('refuses forwarding headers from a peer that is not a trusted proxy, and logs it', async () => {
    await withService({ trustedProxies: ['10.0.0.0/8'], routes: [{ prefix: '/', anonymous: true }] }, async (service, lines) => {
      const forged = await fetch(`${base(service)}/check`, { headers: { 'x-original-uri': '/public', 'x-original-method': 'GET' } });
      expect(forged.status).toBe(400);
      expect(await forged.json()).toEqual({ error: 'invalid_request', error_description: 'Forwarding headers are accepted only from the configured proxies' });
      expect(JSON.parse(lines[0] as string)).toMatchObject({ event: 'refused', status: 400, code: 'untrusted_forwarding' });
      // Without forwarding headers it is judged as it arrived.
      expect((await fetch(`${base(service)}/anything`)).status).toBe(200);
    });
  });

  it('denies a request no rule matches when default is "deny", before reading any token', async () => {
    await withService({ default: 'deny', routes: [{ path: '/orders' }] }, async (service, lines) => {
      const check = (uri: string, token?: string): Promise<Response> =>
        fetch(`${base(service)}/check`, { headers: { 'x-original-uri': uri, 'x-original-method': 'GET', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
      const token = await issuer.sign({});
      expect((await check('/orders', token)).status).toBe(200);
      const denied = await check('/other', token);
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toBeNull();
      expect(JSON.parse(denied.headers.get('x-auth-error-body') as string)).toEqual({ error: 'access_denied', error_description: 'No route rule allows this request' });
      expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ code: 'route_denied', path: '/other', route: 'default' });
    });
  });

  it('says nothing in the log when logRefusals is false', async () => {
    await withService({ logRefusals: false }, async (service, lines) => {
      expect((await check(service, '/x')).status).toBe(401);
      expect(lines).toEqual([]);
    });
  });

  it('logs a failed key-set fetch from the events, naming the issuer and never a token', async () => {
    const down = await createTestIssuer({ audience: 'orders-api' });
    down.override({ status: 500, body: 'boom' });
    const lines: string[] = [];
    const service = await startGateway(configFor(down), { write: (line) => void lines.push(line) });
    try {
      const token = await down.sign({});
      expect((await check(service, '/x', { authorization: `Bearer ${token}` })).status).toBe(503);
      const fetchLine = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((line) => line.event === 'jwks_fetch_failed');
      expect(fetchLine).toMatchObject({ issuer: down.issuer, status: 500 });
      expect(lines.join('\n').includes(token)).toBe(false);
    } finally {
      await service.close();
      await down.close();
    }
  });

  it('on close, finishes a check in flight on a keep-alive connection, then closes it', async () => {
    // A key-set fetch that waits for us: the check is in flight when close() starts.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let fetching: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (fetching = resolve));
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: 'orders-api',
      jwksUri: issuer.jwksUri,
      jwks: {
        fetch: async (input, init) => {
          fetching();
          await held;
          return fetch(input, init);
        },
      },
    });
    const service = await startGateway(configFor(issuer), { write: () => undefined, verifier });
    const token = await issuer.sign({ sub: 'alice' });
    const agent = new Agent({ keepAlive: true });
    const pending = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const req = request(
        `${base(service)}/check`,
        { agent, headers: { authorization: `Bearer ${token}`, 'x-original-uri': '/x', 'x-original-method': 'GET' } },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        },
      );
      req.once('error', reject);
      req.end();
    });
    await started;
    const closing = service.close();
    release();
    const answer = await pending;
    await closing;
    expect(answer).toEqual({ status: 200, connection: 'close' });
    expect(await fetch(`${base(service)}/healthz`).then(() => 'answered', () => 'refused')).toBe('refused');
    agent.destroy();
  });

  it('on close, cuts a check still running after shutdownTimeout', async () => {
    const verifier = createVerifier({
      issuer: issuer.issuer,
      audience: 'orders-api',
      jwksUri: issuer.jwksUri,
      jwks: { fetch: () => new Promise<never>(() => undefined), timeout: 300 },
    });
    const service = await startGateway(configFor(issuer, { shutdownTimeout: 0.2 }), { write: () => undefined, verifier });
    const token = await issuer.sign({});
    const pending = check(service, '/x', { authorization: `Bearer ${token}` }).then(() => 'answered', () => 'cut');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await service.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await pending).toBe('cut');
  });
});

// client.fetch against tokenwarden-protected services on loopback, with tokens from a real
// oidc-provider: bearer and DPoP-bound tokens, a service that demands DPoP nonces, and a
// service that refuses a token it once took (revoked), which the client replaces once.
import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/adapters/express.js';
import { createTokenClient, type TokenClient, type TokenClientOptions } from '../../src/client/index.js';
import { createMemoryRevocationStore } from '../../src/revocation/memory.js';
import { createVerifier } from '../../src/verifier.js';
import { close, listen } from '../helpers/listen.js';
import { AUDIENCE, SECRET, startAuthorizationServer, type TestAuthorizationServer } from './support.js';

let as: TestAuthorizationServer;
const servers: Server[] = [];
const revocation = createMemoryRevocationStore();
/** What each service saw: the scheme of every request's Authorization header. */
const seen: Record<string, string[]> = { plain: [], nonces: [], revoking: [] };
const urls: Record<string, string> = {};

async function service(name: string, dpop: NonNullable<Parameters<typeof createVerifier>[0]['dpop']>, withRevocation = false): Promise<void> {
  const verifier = createVerifier({ issuer: as.issuer, audience: AUDIENCE, jwksUri: `${as.issuer}/jwks`, dpop, ...(withRevocation ? { revocation } : {}) });
  const auth = createAuth({ verifier });
  const app = express();
  app.use((req, _res, next) => {
    seen[name]?.push(String(req.headers.authorization).split(' ')[0] as string);
    next();
  });
  app.all('/orders', express.text(), auth.protect(), (req, res) => {
    res.json({ client: req.auth?.client_id, sub: req.auth?.sub, act: req.auth?.act, method: req.method, body: typeof req.body === 'string' ? req.body : null });
  });
  const server = createServer(app);
  servers.push(server);
  urls[name] = `http://127.0.0.1:${await listen(server)}/orders`;
}

beforeAll(async () => {
  as = await startAuthorizationServer();
  await service('plain', {});
  await service('nonces', { nonce: { secret: 'n'.repeat(32) } });
  await service('revoking', {}, true);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => close(server)));
  await as.close();
});

const clients: TokenClient[] = [];
afterAll(() => Promise.all(clients.map((client) => client.close())));
function clientWith(extra: Partial<TokenClientOptions> = {}): TokenClient {
  const client = createTokenClient({ issuer: as.issuer, clientId: 'basic-client', clientSecret: SECRET, resource: AUDIENCE, ...extra } as TokenClientOptions);
  clients.push(client);
  return client;
}

describe('client.fetch', () => {
  it('calls a protected service with its bearer token', async () => {
    const client = clientWith();
    const response = await client.fetch(urls.plain as string);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ client: 'basic-client' });
    expect(seen.plain?.at(-1)).toBe('Bearer');
  });

  it('sends a DPoP-bound token with a fresh proof on every request', async () => {
    const client = clientWith({ dpop: true });
    for (let i = 0; i < 2; i++) {
      const response = await client.fetch(urls.plain as string, { method: 'POST', body: `order ${i}`, headers: { 'content-type': 'text/plain' } });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ client: 'basic-client', method: 'POST', body: `order ${i}` });
    }
    expect(seen.plain?.slice(-2)).toEqual(['DPoP', 'DPoP']);
  });

  it('sends the request once more with the nonce a service demands, and uses that nonce next time', async () => {
    const client = clientWith({ dpop: true });
    const before = seen.nonces?.length ?? 0;
    const response = await client.fetch(urls.nonces as string, { method: 'POST', body: 'first', headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ body: 'first' });
    expect((seen.nonces?.length ?? 0) - before).toBe(2);
    expect((await client.fetch(urls.nonces as string)).status).toBe(200);
    expect((seen.nonces?.length ?? 0) - before).toBe(3);
  });

  it('gets a new token once when the service answers 401 invalid_token', async () => {
    const client = clientWith();
    const first = await client.getToken();
    const { jti, exp } = JSON.parse(Buffer.from(first.split('.')[1] as string, 'base64url').toString()) as { jti: string; exp: number };
    revocation.revoke(jti, exp, as.issuer);
    const grants = as.tokenRequests();
    const response = await client.fetch(urls.revoking as string);
    expect(response.status).toBe(200);
    expect(as.tokenRequests() - grants).toBe(1);
    expect(await client.getToken()).not.toBe(first);
  });

  it('returns the second 401 as it is instead of trying again', async () => {
    const client = clientWith();
    const revokeEverything = async () => {
      const token = await client.getToken();
      const { sub } = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { sub: string };
      revocation.revokeSubject(sub, Math.floor(Date.now() / 1000) + 3600, as.issuer);
    };
    await revokeEverything();
    const before = seen.revoking?.length ?? 0;
    const response = await client.fetch(urls.revoking as string);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    expect((seen.revoking?.length ?? 0) - before).toBe(2);
  });

  it('sends a token exchanged for the subject token instead of its own when asked', async () => {
    const caller = clientWith({ clientId: 'jwt-client', privateKey: as.clientKey, clientSecret: undefined } as unknown as Partial<TokenClientOptions>);
    const subjectToken = await caller.getToken();
    const response = await clientWith().fetch(urls.plain as string, {}, { exchange: { subjectToken, audience: AUDIENCE } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: 'jwt-client', act: { sub: 'basic-client' } });
  });

  it('refuses to send a token over plain http to a host that is not loopback', async () => {
    await expect(clientWith().fetch('http://orders.example.com/orders')).rejects.toThrow(/must use https/);
  });

  it('does not follow a redirect, so the token stays with the server it was meant for', async () => {
    const target = createServer((req, res) => res.end(String(req.headers.authorization !== undefined)));
    const redirecting = createServer((_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${(target.address() as { port: number }).port}/` }).end());
    servers.push(target, redirecting);
    await listen(target);
    const response = await clientWith().fetch(`http://127.0.0.1:${await listen(redirecting)}/`);
    expect(response.status).toBe(302);
  });
});

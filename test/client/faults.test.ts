// How getToken() fails when the issuer does: real loopback servers that are down, slow, failing,
// redirecting or answering too much, and the retry schedule under a fake clock.
import { createServer } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTokenClient, type TokenClient, type TokenClientOptions } from '../../src/client/index.js';
import { startFakeIssuer, tokenResponse, type FakeIssuer } from './fake-issuer.js';
import { close, listen } from '../helpers/listen.js';

const open: { client?: TokenClient; issuer?: FakeIssuer }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  for (const { client, issuer } of open.splice(0)) {
    await client?.close();
    await issuer?.close();
  }
});

function clientOf(issuer: string | FakeIssuer, extra: Partial<TokenClientOptions> = {}): TokenClient {
  const client = createTokenClient({
    issuer: typeof issuer === 'string' ? issuer : issuer.issuer,
    clientId: 'svc',
    clientSecret: 'a-secret-that-is-long-enough-here',
    retryDelay: 0,
    ...extra,
  } as TokenClientOptions);
  open.push({ client, ...(typeof issuer === 'string' ? {} : { issuer }) });
  return client;
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('getToken() when the issuer fails', () => {
  it('reports an issuer that is down as issuer_unavailable', async () => {
    const server = createServer();
    const port = await listen(server);
    await close(server);
    const error = await rejection(clientOf(`http://127.0.0.1:${port}`, { retries: 1 }).getToken());
    expect(error).toMatchObject({ code: 'issuer_unavailable' });
    expect(error.message).toContain('metadata could not be read');
  });

  it('gives up on a token endpoint slower than the timeout, retries, and says so', async () => {
    const issuer = await startFakeIssuer(() => 'hang');
    const error = await rejection(clientOf(issuer, { timeout: 0.2, retries: 1 }).getToken());
    expect(error).toMatchObject({ code: 'issuer_unavailable' });
    expect(error.message).toContain('did not answer within 0.2 s');
    expect(issuer.requests).toHaveLength(2);
  });

  it('reports a 500 as issuer_unavailable after the configured retries', async () => {
    const issuer = await startFakeIssuer(() => ({ status: 500, body: 'oops' }));
    expect(await rejection(clientOf(issuer, { retries: 2 }).getToken())).toMatchObject({ code: 'issuer_unavailable', status: 500 });
    expect(issuer.requests).toHaveLength(3);
  });

  it('reports wrong credentials as invalid_client without retrying', async () => {
    const issuer = await startFakeIssuer(() => ({ status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } }));
    const error = await rejection(clientOf(issuer, { retries: 2 }).getToken());
    expect(error).toMatchObject({ code: 'invalid_client', status: 401, oauthError: 'invalid_client' });
    expect(error.message).toContain('client authentication failed');
    expect(issuer.requests).toHaveLength(1);
  });

  it('treats 429 as issuer_unavailable and retries it', async () => {
    const issuer = await startFakeIssuer((index) => (index === 0 ? { status: 429, body: { error: 'slow_down' } } : tokenResponse('after-429')));
    expect(await clientOf(issuer, { retries: 1 }).getToken()).toBe('after-429');
  });

  it('does not follow a redirect from the token endpoint', async () => {
    const elsewhere = await startFakeIssuer();
    const issuer = await startFakeIssuer(() => ({ status: 307, headers: { location: `${elsewhere.issuer}/token` } }));
    open.push({ issuer: elsewhere });
    expect(await rejection(clientOf(issuer, { retries: 0 }).getToken())).toMatchObject({ code: 'issuer_unavailable', status: 307 });
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('refuses an answer larger than maxBytes', async () => {
    const issuer = await startFakeIssuer(() => ({ status: 200, body: { access_token: 'x'.repeat(5000), token_type: 'Bearer', expires_in: 60 } }));
    const error = await rejection(clientOf(issuer, { retries: 0, maxBytes: 1024 }).getToken());
    expect(error).toMatchObject({ code: 'issuer_unavailable' });
    expect(error.message).toContain('larger than 1024 bytes');
  });

  it('refuses a body that is not a token response, without its content in the error', async () => {
    const issuer = await startFakeIssuer(() => ({ status: 200, body: { access_token: 'secret-looking-token', expires_in: 60 } }));
    const error = await rejection(clientOf(issuer, { retries: 0 }).getToken());
    expect(error).toMatchObject({ code: 'issuer_unavailable' });
    expect(error.message).not.toContain('secret-looking-token');
    expect(error.cause).toBeUndefined();
  });

  it('refuses metadata naming another issuer', async () => {
    const issuer = await startFakeIssuer();
    issuer.metadataIssuer = `${issuer.issuer}/`;
    const error = await rejection(clientOf(issuer, { retries: 0 }).getToken());
    expect(error).toMatchObject({ code: 'issuer_unavailable' });
    expect(error.message).toContain('does not match the configured issuer');
    expect(issuer.requests).toHaveLength(0);
  });

  it('waits with doubling, jittered backoff between retries', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const issuer = await startFakeIssuer((index) => (index < 2 ? { status: 503 } : tokenResponse('third-time')));
    const token = clientOf(issuer, { retries: 2, retryDelay: 1 }).getToken();
    // Each wait: retryDelay × 2^n × (1 − 0.5/2) = 750 ms, then 1500 ms.
    await vi.waitFor(() => expect(issuer.requests).toHaveLength(1), { timeout: 5000, interval: 5 });
    await vi.advanceTimersByTimeAsync(740);
    expect(issuer.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(20);
    await vi.waitFor(() => expect(issuer.requests).toHaveLength(2), { timeout: 5000, interval: 5 });
    await vi.advanceTimersByTimeAsync(1490);
    expect(issuer.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(20);
    expect(await token).toBe('third-time');
    expect(issuer.requests).toHaveLength(3);
  });
});

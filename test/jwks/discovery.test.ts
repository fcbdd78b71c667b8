import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { metadataUrls } from '../../src/jwks/discovery.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { createVerifier, type VerifierOptions } from '../../src/verifier.js';
import { closeServers, notFound, sendJson, startServer, type LoopbackServer } from '../helpers/jwks-server.js';
import { AUDIENCE, at, causeOf, keySet, makeKey, movingIssuer, OIDC, settle, useFakeClock, verifierFor, type TestKey } from './support.js';
import { refusal } from '../helpers/refusal.js';

const issuers: TestIssuer[] = [];
async function testIssuer(options: { discovery?: boolean } = {}): Promise<TestIssuer> {
  const issuer = await createTestIssuer({ algorithm: 'ES256', audience: AUDIENCE, ...options });
  issuers.push(issuer);
  return issuer;
}

beforeEach(useFakeClock);
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
  await closeServers();
});

const RFC8414 = '/.well-known/oauth-authorization-server';

/**
 * An authorization server whose issuer has a path. `metadata` maps a request path to the
 * metadata served there (everything else is a 404); the key set is at /keys.
 */
async function serverWithPath(
  path: string,
  key: TestKey,
  metadata: (issuer: string, server: LoopbackServer) => Record<string, unknown>,
): Promise<{ server: LoopbackServer; issuer: string }> {
  let routes: Record<string, unknown> = {};
  const server = await startServer((req, res) => {
    if (req.url === '/keys') return sendJson(res, 200, keySet(key));
    const body = routes[req.url ?? ''];
    return body === undefined ? notFound(req, res) : sendJson(res, 200, body);
  });
  const issuer = server.origin + path;
  routes = metadata(issuer, server);
  return { server, issuer };
}

describe('discovery', () => {
  it('finds the key set through OpenID Connect metadata', async () => {
    const issuer = await testIssuer();
    const verifier = verifierFor({ issuer: issuer.issuer });

    const claims = await verifier.verifyAccessToken(await issuer.sign({ sub: 'discovered' }));

    expect(claims.sub).toBe('discovered');
    expect(issuer.requests).toEqual({ metadata: 1, jwks: 1 });
  });

  it('falls back to RFC 8414 metadata, inserted before the path of the issuer', async () => {
    const key = await makeKey();
    const { server, issuer } = await serverWithPath('/tenants/blue', key, (iss, srv) => ({
      [`${RFC8414}/tenants/blue`]: { issuer: iss, jwks_uri: srv.url('/keys') },
    }));
    const verifier = verifierFor({ issuer });

    const claims = await verifier.verifyAccessToken(await key.sign(issuer, { sub: 'rfc8414' }));

    expect(claims.sub).toBe('rfc8414');
    expect(server.requests.map((req) => req.path)).toEqual([`/tenants/blue${OIDC}`, `${RFC8414}/tenants/blue`, '/keys']);
  });

  it('reads OpenID Connect metadata under the path of the issuer first', async () => {
    const key = await makeKey();
    const { server, issuer } = await serverWithPath('/realms/demo', key, (iss, srv) => ({
      [`/realms/demo${OIDC}`]: { issuer: iss, jwks_uri: srv.url('/keys') },
      [`${RFC8414}/realms/demo`]: { issuer: iss, jwks_uri: srv.url('/not-used') },
    }));
    const verifier = verifierFor({ issuer });

    await verifier.verifyAccessToken(await key.sign(issuer));

    expect(server.requests.map((req) => req.path)).toEqual([`/realms/demo${OIDC}`, '/keys']);
  });

  it.each([
    ['a trailing slash', (issuer: string) => `${issuer}/`],
    ['another path', (issuer: string) => `${issuer}/other`],
    ['another host', (issuer: string) => issuer.replace('127.0.0.1', 'localhost')],
  ])('does not use metadata whose issuer differs by %s', async (_name, alter) => {
    const key = await makeKey();
    const { server, issuer } = await serverWithPath('/t', key, (iss, srv) => ({
      [`/t${OIDC}`]: { issuer: alter(iss), jwks_uri: srv.url('/keys') },
      [`${RFC8414}/t`]: { issuer: alter(iss), jwks_uri: srv.url('/keys') },
    }));
    const verifier = verifierFor({ issuer });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(issuer)), 'jwks_unavailable');

    expect(causeOf(error)).toMatch(/"issuer" does not match/);
    expect(server.count('/keys')).toBe(0);
    expect(server.count()).toBe(2);
  });

  it('does not use metadata without a jwks_uri', async () => {
    const key = await makeKey();
    const { server, issuer } = await serverWithPath('', key, (iss) => ({ [OIDC]: { issuer: iss } }));
    const verifier = verifierFor({ issuer });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(issuer)), 'jwks_unavailable');

    expect(causeOf(error)).toMatch(/no "jwks_uri"/);
    expect(server.count('/keys')).toBe(0);
  });

  it('refuses a discovered jwks_uri that is plain http to a non-loopback host, without requesting it', async () => {
    const key = await makeKey();
    const { server, issuer } = await serverWithPath('', key, (iss) => ({
      [OIDC]: { issuer: iss, jwks_uri: 'http://keys.example.com/jwks.json' },
    }));
    const requested: string[] = [];
    const verifier = verifierFor(
      { issuer },
      {
        // A spy over the real global fetch (to the loopback server) records every URL asked for.
        fetch: (input, init) => {
          requested.push(input);
          return fetch(input, init);
        },
      },
    );

    const error = await refusal(verifier.verifyAccessToken(await key.sign(issuer)), 'jwks_unavailable');

    expect(causeOf(error)).toMatch(/must use https/);
    expect(requested).toEqual([server.url(OIDC), server.url(RFC8414)]);
    expect(server.count('/keys')).toBe(0);
  });

  it('refuses metadata that is not a JSON object', async () => {
    const key = await makeKey();
    const server = await startServer((_req, res) => sendJson(res, 200, '["not", "metadata"]'));
    const verifier = verifierFor({ issuer: server.origin });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(server.origin)), 'jwks_unavailable');

    expect(causeOf(error)).toMatch(/discovery failed .*not a JSON object/);
    expect(server.count()).toBe(2);
  });

  it('reuses the jwks_uri while the metadata is fresh, and reads the metadata again once it is stale', async () => {
    const issuer = await testIssuer();
    const verifier = verifierFor({ issuer: issuer.issuer }, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await issuer.sign());
    at(300);
    await verifier.verifyAccessToken(await issuer.sign({}, { header: { kid: 'unknown-kid' } })).catch(() => undefined);
    await settle(verifier);
    expect(issuer.requests).toEqual({ metadata: 1, jwks: 2 });
    // The set fetched at 300 goes stale at 900; the metadata (read at 0) is stale by then.
    at(901);

    await verifier.verifyAccessToken(await issuer.sign());
    await settle(verifier);

    expect(issuer.requests).toEqual({ metadata: 2, jwks: 3 });
  });

  it('discovers again after fetching the key set fails', async () => {
    const issuer = await testIssuer();
    const verifier = verifierFor({ issuer: issuer.issuer });
    await verifier.verifyAccessToken(await issuer.sign());
    issuer.override({ status: 500, body: '{}' });
    at(601);
    await verifier.verifyAccessToken(await issuer.sign());
    await settle(verifier);
    expect(issuer.requests).toEqual({ metadata: 2, jwks: 2 });
    issuer.override(undefined);

    at(632);
    await verifier.verifyAccessToken(await issuer.sign());
    await settle(verifier);

    expect(issuer.requests).toEqual({ metadata: 3, jwks: 3 });
  });

  it('bounds metadata by maxBytes too', async () => {
    const key = await makeKey();
    const { server, issuer } = await serverWithPath('', key, (iss, srv) => ({
      [OIDC]: { issuer: iss, jwks_uri: srv.url('/keys'), padding: 'p'.repeat(2048) },
    }));
    const verifier = verifierFor({ issuer }, { maxBytes: 1024 });

    const error = await refusal(verifier.verifyAccessToken(await key.sign(issuer)), 'jwks_unavailable');

    expect(causeOf(error)).toMatch(/larger than 1024 bytes/);
    expect(server.count('/keys')).toBe(0);
  });

  it('builds both metadata locations from the issuer (unit)', () => {
    expect(metadataUrls(new URL('https://auth.example.com')).map(String)).toEqual([
      'https://auth.example.com/.well-known/openid-configuration',
      'https://auth.example.com/.well-known/oauth-authorization-server',
    ]);
    expect(metadataUrls(new URL('https://auth.example.com/realms/a/')).map(String)).toEqual([
      'https://auth.example.com/realms/a/.well-known/openid-configuration',
      'https://auth.example.com/.well-known/oauth-authorization-server/realms/a',
    ]);
  });
});

describe('where keys may be fetched from', () => {
  const base = { issuer: 'https://auth.example.com', audience: AUDIENCE };

  it.each(['http://example.com/jwks.json', 'http://10.0.0.1/jwks.json', 'ftp://127.0.0.1/jwks.json'])(
    'throws TypeError at createVerifier for the jwksUri %s',
    (jwksUri) => {
      expect(() => createVerifier({ ...base, jwksUri })).toThrow(TypeError);
      expect(() => createVerifier({ ...base, jwksUri })).toThrow(/must use https/);
    },
  );

  it('throws TypeError at createVerifier for a plain-http entry in the jwksUri map', () => {
    const options: VerifierOptions = {
      issuer: ['https://a.example.com', 'https://b.example.com'],
      audience: AUDIENCE,
      jwksUri: { 'https://a.example.com': 'https://a.example.com/jwks', 'https://b.example.com': 'http://b.example.com/jwks' },
    };
    expect(() => createVerifier(options)).toThrow(TypeError);
  });

  it.each([
    'http://127.0.0.1:8080/jwks.json',
    'http://127.1.2.3/jwks.json',
    'http://localhost:8080/jwks.json',
    'http://[::1]:8080/jwks.json',
    'https://example.com/jwks.json',
  ])('accepts the jwksUri %s', (jwksUri) => {
    const verifier = createVerifier({ ...base, jwksUri });
    expect(verifier.issuers).toEqual([base.issuer]);
  });
});

describe('several issuers', () => {
  it('keeps one key source per issuer, each fetched once', async () => {
    const a = await testIssuer();
    const b = await testIssuer();
    const verifier = createVerifier({
      issuer: [a.issuer, b.issuer],
      audience: AUDIENCE,
      jwksUri: { [a.issuer]: a.jwksUri, [b.issuer]: b.jwksUri },
    });

    const tokens = [await a.sign({ sub: 'from-a' }), await b.sign({ sub: 'from-b' })];
    const claims = await Promise.all([...tokens, ...tokens].map((token) => verifier.verifyAccessToken(token)));

    expect(claims.map((claim) => claim.sub)).toEqual(['from-a', 'from-b', 'from-a', 'from-b']);
    expect(a.requests).toEqual({ metadata: 0, jwks: 1 });
    expect(b.requests).toEqual({ metadata: 0, jwks: 1 });
  });

  it("never verifies one issuer's token with another issuer's key", async () => {
    const a = await testIssuer();
    const b = await testIssuer();
    const verifier = createVerifier({
      issuer: [a.issuer, b.issuer],
      audience: AUDIENCE,
      jwksUri: { [a.issuer]: a.jwksUri, [b.issuer]: b.jwksUri },
    });
    await verifier.warmUp();

    // Signed by B with B's kid, but claiming to come from A.
    const forged = await b.sign({ iss: a.issuer });
    await refusal(verifier.verifyAccessToken(forged), 'jwks_unavailable');
    at(31);
    const error = await refusal(verifier.verifyAccessToken(forged), 'key_not_found');

    expect(error.status).toBe(401);
    expect(a.requests.jwks).toBe(2);
    expect(b.requests.jwks).toBe(1);
  });

  it('makes no request at all for a token whose iss is not configured', async () => {
    const a = await testIssuer();
    const b = await testIssuer();
    const stranger = await testIssuer();
    const verifier = createVerifier({ issuer: [a.issuer, b.issuer], audience: AUDIENCE });

    const error = await refusal(verifier.verifyAccessToken(await stranger.sign()), 'issuer_invalid');

    expect(error.status).toBe(401);
    for (const issuer of [a, b, stranger]) expect(issuer.requests).toEqual({ metadata: 0, jwks: 0 });
  });

  it('uses the jwksUri map for the issuers it names and discovery for the others', async () => {
    const mapped = await testIssuer({ discovery: false });
    const discovered = await testIssuer();
    const verifier = createVerifier({
      issuer: [mapped.issuer, discovered.issuer],
      audience: AUDIENCE,
      jwksUri: { [mapped.issuer]: mapped.jwksUri },
    });

    await verifier.verifyAccessToken(await mapped.sign());
    await verifier.verifyAccessToken(await discovered.sign());

    expect(mapped.requests).toEqual({ metadata: 0, jwks: 1 });
    expect(discovered.requests).toEqual({ metadata: 1, jwks: 1 });
  });

  it('warms up every issuer with one request each', async () => {
    const a = await testIssuer();
    const b = await testIssuer();
    const verifier = createVerifier({ issuer: [a.issuer, b.issuer], audience: AUDIENCE });

    await Promise.all([verifier.warmUp(), verifier.warmUp()]);
    await verifier.verifyAccessToken(await a.sign());
    await verifier.verifyAccessToken(await b.sign());

    expect(a.requests).toEqual({ metadata: 1, jwks: 1 });
    expect(b.requests).toEqual({ metadata: 1, jwks: 1 });
  });

  it('keeps an outage of one issuer from affecting another', async () => {
    const up = await testIssuer();
    const down = await testIssuer();
    down.override({ status: 503, body: '{}' });
    const verifier = createVerifier({
      issuer: [up.issuer, down.issuer],
      audience: AUDIENCE,
      jwksUri: { [up.issuer]: up.jwksUri, [down.issuer]: down.jwksUri },
    });

    await refusal(verifier.verifyAccessToken(await down.sign()), 'jwks_unavailable');
    const claims = await verifier.verifyAccessToken(await up.sign({ sub: 'unaffected' }));

    expect(claims.sub).toBe('unaffected');
    expect(up.requests.jwks).toBe(1);
    expect(down.requests.jwks).toBe(1);
  });
});

/**
 * An issuer whose metadata can move its key set between /keys-a and /keys-b, both kept up;
 * `metadataIssuer` and `metadataStatus` let a test serve wrong or failing metadata.
 */
describe('an issuer that moves its key set', () => {
  it('follows the move once the metadata is stale, and stops trusting the keys left at the old location', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const { server, issuer, state } = await movingIssuer(a, b);
    const verifier = verifierFor({ issuer }, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await a.sign(issuer));
    state.location = '/keys-b';
    at(601);

    // The stale set still answers this one at once, and the background refresh reads the metadata.
    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier);

    const claims = await verifier.verifyAccessToken(await b.sign(issuer, { sub: 'moved' }));
    expect(claims.sub).toBe('moved');
    at(640);
    await refusal(verifier.verifyAccessToken(await a.sign(issuer)), 'key_not_found');
    expect(server.count('/keys-a')).toBe(1);
    expect(server.count('/keys-b')).toBe(2);
    expect(server.count(OIDC)).toBe(2);
  });

  it("honours the metadata's own Cache-Control", async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const { server, issuer, state } = await movingIssuer(a, b, { 'cache-control': 'max-age=60' });
    const verifier = verifierFor({ issuer }, { maxAge: 30, cooldown: 30 });
    await verifier.verifyAccessToken(await a.sign(issuer));
    state.location = '/keys-b';
    at(31);
    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier);
    expect(server.count(OIDC)).toBe(1);
    expect(server.count('/keys-a')).toBe(2);
    at(62);

    await verifier.verifyAccessToken(await a.sign(issuer)).catch(() => undefined);
    await settle(verifier);

    expect(server.count(OIDC)).toBe(2);
    await expect(verifier.verifyAccessToken(await b.sign(issuer))).resolves.toBeDefined();
  });

  it('keeps fetching from where the keys were when the metadata cannot be read', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const { server, issuer, state } = await movingIssuer(a, b);
    const verifier = verifierFor({ issuer }, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await a.sign(issuer));
    state.metadataStatus = 500;
    at(601);

    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier);

    expect(server.count(OIDC)).toBe(2);
    expect(server.count('/keys-a')).toBe(2);
    // The refresh succeeded from the old location: the set is fresh again, and serves.
    at(700);
    await expect(verifier.verifyAccessToken(await a.sign(issuer))).resolves.toBeDefined();
    expect(server.count('/keys-a')).toBe(2);
  });

  it('never moves on the word of metadata that names another issuer', async () => {
    const [a, b] = [await makeKey(), await makeKey()];
    const { server, issuer, state } = await movingIssuer(a, b);
    const verifier = verifierFor({ issuer }, { maxAge: 600, cooldown: 30 });
    await verifier.verifyAccessToken(await a.sign(issuer));
    state.location = '/keys-b';
    state.metadataIssuer = 'https://attacker.example';
    at(601);

    await verifier.verifyAccessToken(await a.sign(issuer));
    await settle(verifier);

    expect(server.count('/keys-b')).toBe(0);
    expect(server.count('/keys-a')).toBe(2);
    at(640);
    await refusal(verifier.verifyAccessToken(await b.sign(issuer)), 'key_not_found');
    expect(server.count('/keys-b')).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenError, createVerifier, requireScopes, type AccessTokenClaims, type IssuerHealth, type Verifier } from '../../src/index.js';
import { createCore, nodeSource, webSource, type AuthOptions } from '../../src/adapters/core.js';
import { PRESENTED_CREDENTIAL } from '../../src/dpop/request.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';

let issuer: TestIssuer;
const options = (extra: Partial<AuthOptions> = {}): AuthOptions => ({
  verifier: { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri },
  ...extra,
});

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
});
afterAll(async () => {
  await issuer.close();
});

describe('adapter options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a missing verifier', { verifier: undefined }, /"verifier"/],
    ['a verifier that is neither a verifier nor options', { verifier: 'x' }, /"verifier"/],
    ['bad verifier options (checked by createVerifier)', { verifier: { issuer: [], audience: 'a' } }, /"issuer"/],
    ['a realm with a quote-breaking control character', { realm: 'a\nb' }, /"realm"/],
    ['an empty realm', { realm: '' }, /"realm"/],
    ['a cookie name with a space', { cookie: 'access token' }, /"cookie"/],
    ['a resourceMetadata over plain http to a remote host', { resourceMetadata: 'http://api.example.com/x' }, /"resourceMetadata"/],
    ['a resourceMetadata with a fragment', { resourceMetadata: 'https://api.example.com/x#y' }, /"resourceMetadata"/],
    ['guards that are not a list', { guards: requireScopes('a') }, /"guards"/],
    ['a misspelt option', { cookies: 'at' }, /unknown option "cookies"/],
    ['a misspelt metadata option', { metadata: { scopes: ['a'] } }, /unknown option "metadata.scopes"/],
    ['a metadata resource that is not a URL', { metadata: { resource: 'orders-api' } }, /"metadata.resource"/],
  ])('throws TypeError at construction for %s', (_name, extra, message) => {
    const build = (): unknown => createCore({ ...options(), ...extra } as AuthOptions, []);
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });

  it.each([0, 86401, 1.5])('throws for a retryAfter of %s', (retryAfter) => {
    expect(() => createCore(options({ retryAfter }), [])).toThrow(/"retryAfter"/);
  });

  it('refuses to build metadata when no resource can be derived, at metadata() time', () => {
    const core = createCore(options(), []);
    expect(() => core.metadata()).toThrow(/"metadata.resource"/);
    expect(createCore(options({ metadata: { resource: 'https://api.example.com' } }), []).metadata()).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: [issuer.issuer],
      bearer_methods_supported: ['header'],
    });
  });

  it('publishes configured authorization servers, name and documentation', () => {
    const core = createCore(
      options({
        metadata: {
          resource: 'https://api.example.com',
          authorizationServers: ['https://login.example.com'],
          resourceName: 'Orders',
          resourceDocumentation: 'https://docs.example.com/orders',
        },
      }),
      [],
    );
    expect(core.metadata()).toMatchObject({
      authorization_servers: ['https://login.example.com'],
      resource_name: 'Orders',
      resource_documentation: 'https://docs.example.com/orders',
    });
  });
});

describe('protecting a request', () => {
  it('uses a verifier instance as given, any object with the Verifier shape', async () => {
    const seen: string[] = [];
    const stub: Verifier = {
      issuers: ['https://auth.example.com'],
      audiences: ['stub-api'],
      verifyRequest: async () => {
        throw new Error('not used by this test');
      },
      warmUp: async () => undefined,
      health: () => ({ ready: true, issuers: [] }),
      verifyAccessToken: async <Extra extends object>(token: string) => {
        seen.push(token);
        return { iss: 'https://auth.example.com', aud: 'stub-api', exp: 0, sub: 'stubbed' } as AccessTokenClaims & Extra;
      },
    };
    const check = createCore({ verifier: stub }, []).protect([]);
    const outcome = await check({}, { authorization: 'Bearer abc', cookie: undefined });
    expect(outcome.claims?.sub).toBe('stubbed');
    expect(seen).toEqual(['abc']);
  });

  it('verifies once per request object: a second protect() of the same auth only runs its guards', async () => {
    let calls = 0;
    const verifier = createVerifier({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri });
    const counting: Verifier = {
      ...verifier,
      issuers: verifier.issuers,
      audiences: verifier.audiences,
      verifyAccessToken: (token) => {
        calls++;
        return verifier.verifyAccessToken(token);
      },
    };
    const core = createCore({ verifier: counting }, []);
    const carrier = {};
    const source = { authorization: `Bearer ${await issuer.sign({ scope: 'a' })}`, cookie: undefined };
    expect((await core.protect([])(carrier, source)).claims).toBeDefined();
    const second = await core.protect([requireScopes('b')])(carrier, source);
    expect(second.answer?.status).toBe(403);
    expect(calls).toBe(1);
  });

  it('never trusts claims verified by another auth (another verifier) for the same request', async () => {
    const ours = createCore(options(), []);
    const theirs = createCore({ verifier: { issuer: issuer.issuer, audience: 'billing-api', jwksUri: issuer.jwksUri } }, []);
    const carrier = {};
    const source = { authorization: `Bearer ${await issuer.sign()}`, cookie: undefined };
    expect((await ours.protect([])(carrier, source)).claims).toBeDefined();
    const refused = await theirs.protect([])(carrier, source);
    expect(refused.answer?.status).toBe(401);
    expect(refused.answer?.error?.code).toBe('audience_invalid');
  });

  it('runs the auth-wide guards before the route guards', async () => {
    const order: string[] = [];
    const core = createCore(
      options({
        guards: [
          () => {
            order.push('auth');
          },
        ],
      }),
      [],
    );
    await core.protect([
      () => {
        order.push('route');
      },
    ])({}, { authorization: `Bearer ${await issuer.sign()}`, cookie: undefined });
    expect(order).toEqual(['auth', 'route']);
  });

  it('rethrows errors that are not refusals, and answers AccessTokenErrors from guards', async () => {
    const token = await issuer.sign();
    const bug = createCore(options(), []).protect([
      () => {
        throw new RangeError('bug');
      },
    ]);
    await expect(bug({}, { authorization: `Bearer ${token}`, cookie: undefined })).rejects.toThrow(RangeError);
    const revoked = createCore(options(), []).protect([
      () => {
        throw new AccessTokenError('token_revoked', 'listed');
      },
    ]);
    const outcome = await revoked({}, { authorization: `Bearer ${token}`, cookie: undefined });
    expect(outcome.answer?.status).toBe(401);
    expect(outcome.answer?.body.error_description).toBe('The access token has been revoked');
  });

  it('claimsOf names the mistake when no protect() let the request through', () => {
    expect(() => createCore(options(), []).claimsOf({}, 'auth.claims(req)')).toThrow(/auth.claims\(req\)/);
  });
});

describe('token sources', () => {
  it('reads every Authorization header line from rawHeaders on Node', () => {
    const source = nodeSource({
      headers: { authorization: 'Bearer a', cookie: 'x=1' },
      rawHeaders: ['Authorization', 'Bearer a', 'Host', 'h', 'authorization', 'Bearer b'],
    });
    expect(source).toMatchObject({ authorization: ['Bearer a', 'Bearer b'], cookie: 'x=1' });
  });

  it('hands the credential it read down with the request, so verifyRequest does not parse Authorization again', () => {
    const credential = { kind: 'token', scheme: 'Bearer', token: 'a' } as const;
    const node = nodeSource({ headers: { authorization: 'Bearer a', host: 'api.example.com' }, method: 'GET', url: '/orders' });
    expect(node.request?.(credential)).toMatchObject({ method: 'GET', url: 'http://api.example.com/orders', [PRESENTED_CREDENTIAL]: credential });
    const web = webSource(new Request('https://api.example.com/orders', { headers: { authorization: 'Bearer a' } }));
    expect(web.request?.(credential)?.[PRESENTED_CREDENTIAL]).toBe(credential);
  });

  it('falls back to headers when rawHeaders has no Authorization line', () => {
    expect(nodeSource({ headers: { authorization: 'Bearer a' }, rawHeaders: [] }).authorization).toBe('Bearer a');
  });

  it('reads web Headers', () => {
    const headers = new Headers([
      ['authorization', 'Bearer a'],
      ['cookie', 'x=1'],
    ]);
    const source = webSource(new Request('https://api.example.com/orders?x=1', { method: 'POST', headers }));
    expect(source).toMatchObject({ authorization: 'Bearer a', cookie: 'x=1' });
    expect(source.request?.({ kind: 'token', scheme: 'Bearer', token: 'a' })).toMatchObject({ method: 'POST', url: 'https://api.example.com/orders?x=1' });
  });
});

describe('readiness', () => {
  const entry = (issuerName: string, usable: boolean, nextAttemptAt: number | undefined): IssuerHealth => ({
    issuer: issuerName,
    jwksUri: `${issuerName}/jwks`,
    kids: usable ? ['k1'] : [],
    fetchedAt: undefined,
    freshUntil: undefined,
    nextAttemptAt,
    stale: false,
    usable,
    lastError: usable ? undefined : 'answered HTTP 500',
  });
  /** A verifier whose health is `issuers`, counting the fetches a probe asks for. */
  const stub = (issuers: IssuerHealth[]) => {
    const state = { warmUps: 0 };
    const verifier: Verifier = {
      issuers: issuers.map((item) => item.issuer),
      audiences: ['stub-api'],
      verifyRequest: async () => {
        throw new Error('not used by this test');
      },
      warmUp: async () => {
        state.warmUps++;
        throw new AccessTokenError('jwks_unavailable', 'still down');
      },
      health: () => ({ ready: issuers.every((item) => item.usable), issuers }),
      verifyAccessToken: () => Promise.reject(new Error('not used')),
    };
    return { verifier, state };
  };

  it('answers 200 with the health and starts no fetch when every issuer is usable', () => {
    const { verifier, state } = stub([entry('https://a.example', true, undefined)]);
    const answer = createCore({ verifier }, []).readiness()();
    expect(answer).toEqual({ status: 200, headers: { 'cache-control': 'no-store' }, body: verifier.health() });
    expect(state.warmUps).toBe(0);
  });

  it('answers 503 with Retry-After from the soonest next attempt of an issuer without usable keys, and starts the fetch', () => {
    const now = Date.now() / 1000;
    const { verifier, state } = stub([
      entry('https://ready.example', true, now + 5),
      entry('https://later.example', false, now + 40),
      entry('https://sooner.example', false, now + 20),
    ]);
    const answer = createCore({ verifier }, []).readiness()();
    expect(answer.status).toBe(503);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(20);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(state.warmUps).toBe(1);
  });

  it('answers Retry-After: 1 when an issuer without keys may be fetched now', () => {
    const { verifier } = stub([entry('https://a.example', false, Date.now() / 1000 + 30), entry('https://b.example', false, undefined)]);
    expect(createCore({ verifier }, []).readiness()().headers['retry-after']).toBe('1');
  });

  it('refuses, when ready() is called, a verifier without health()', () => {
    const { verifier } = stub([]);
    const { health: _health, ...withoutHealth } = verifier;
    const core = createCore({ verifier: withoutHealth as Verifier }, []);
    expect(() => core.readiness()).toThrow(/option "verifier" must be a verifier with health\(\)/);
  });
});

// Opaque tokens through the verifier: which tokens are introspected, how the request is made,
// and that an active answer meets the same claim rules, custom check and revocation as a JWT.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDpopKey, createTestIssuer } from '../../src/testing/index.js';
import { createVerifier } from '../../src/verifier.js';
import { closeServers } from '../helpers/jwks-server.js';
import { expectRefusal, refusal } from '../helpers/refusal.js';
import {
  AUDIENCE,
  CLIENT_ID,
  CLIENT_SECRET,
  activeClaims,
  at,
  now,
  opaqueToken,
  serveIntrospection,
  useFakeClock,
  verifierFor,
} from './support.js';

afterEach(async () => {
  vi.useRealTimers();
  await closeServers();
});

describe('which tokens are introspected', () => {
  it('introspects an opaque token and answers its claims, with iss filled in when the answer has none', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    const { iss: _iss, ...withoutIss } = activeClaims(target.issuer);
    target.active.set(token, withoutIss);
    const verifier = verifierFor(target);

    const claims = await verifier.verifyAccessToken(token);

    expect(claims).toMatchObject({ iss: target.issuer, sub: 'user-1', scope: 'orders:read', aud: AUDIENCE });
    expect(claims).not.toHaveProperty('active');
    expect(Object.isFrozen(claims)).toBe(true);
    expect(target.requests()).toBe(1);
  });

  it('sends the token as a form with the hint, and the client as HTTP Basic (RFC 6749 §2.3.1 encoding)', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    const verifier = verifierFor(target, { clientId: 'rs:1', clientSecret: 'p@ss word:é' });

    await verifier.verifyAccessToken(token);

    const [seen] = target.seen;
    expect(seen?.form.get('token')).toBe(token);
    expect(seen?.form.get('token_type_hint')).toBe('access_token');
    expect(seen?.accept).toBe('application/json');
    const decoded = Buffer.from((seen?.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
    expect(decoded).toBe('rs%3A1:p%40ss+word%3A%C3%A9');
  });

  it('verifies JWTs locally and never introspects them by default; with tokens: "all" it introspects them too', async () => {
    const issuer = await createTestIssuer({ audience: AUDIENCE });
    try {
      const target = await serveIntrospection();
      const jwt = await issuer.sign();
      target.active.set(jwt, activeClaims(issuer.issuer, { sub: 'from-introspection' }));
      const base = { issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri };
      const introspection = { endpoint: target.endpoint, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET };

      const local = createVerifier({ ...base, introspection });
      expect((await local.verifyAccessToken(jwt)).sub).not.toBe('from-introspection');
      expect(target.requests()).toBe(0);

      const all = createVerifier({ ...base, introspection: { ...introspection, tokens: 'all' } });
      expect((await all.verifyAccessToken(jwt)).sub).toBe('from-introspection');
      expect(target.requests()).toBe(1);
    } finally {
      await issuer.close();
    }
  });

  it('keeps refusing opaque tokens as malformed when introspection is not configured', async () => {
    const target = await serveIntrospection();
    const verifier = createVerifier({ issuer: target.issuer, audience: AUDIENCE, jwksUri: `${target.issuer}/jwks.json` });

    await expectRefusal(verifier, opaqueToken(), 'token_malformed');
    expect(target.requests()).toBe(0);
  });

  it.each([
    ['an empty token', ''],
    ['a token with spaces', 'abc def'],
    ['a token with a quote', 'abc"def'],
    ['a token longer than maxTokenLength', 'a'.repeat(8193)],
  ])('refuses %s as malformed without asking the issuer', async (_name, token) => {
    const target = await serveIntrospection();
    const verifier = verifierFor(target);

    await refusal(verifier.verifyAccessToken(token), 'token_malformed');
    expect(target.requests()).toBe(0);
  });

  it('finds the endpoint through the issuer metadata when none is configured', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    const verifier = createVerifier({
      issuer: target.issuer,
      audience: AUDIENCE,
      jwksUri: `${target.issuer}/jwks.json`,
      introspection: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });

    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(opaqueToken()).catch(() => undefined);

    expect(target.server.count('/.well-known/openid-configuration')).toBe(1);
    expect(target.requests()).toBe(2);
  });
});

describe('the answer', () => {
  it('refuses an inactive token with token_inactive (401)', async () => {
    const target = await serveIntrospection();
    const verifier = verifierFor(target);

    const error = await expectRefusal(verifier, opaqueToken(), 'token_inactive');
    expect(error.status).toBe(401);
  });

  it.each([
    ['an expired token', { exp: 1000 }, 'token_expired'],
    ['another audience', { aud: 'someone-else' }, 'audience_invalid'],
    ['another issuer', { iss: 'https://other.example.com' }, 'issuer_invalid'],
    ['no exp', { exp: undefined }, 'claim_invalid'],
    ['a future nbf', { nbf: 4_000_000_000 }, 'token_not_yet_valid'],
    ['a numeric sub', { sub: 42 }, 'claim_invalid'],
    ['a scope array', { scope: ['a'] }, 'claim_invalid'],
    ['a numeric username', { username: 7 }, 'claim_invalid'],
  ] as const)('refuses an active answer with %s by the same rules as a JWT', async (_name, change, code) => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, { ...activeClaims(target.issuer), ...change });
    const verifier = verifierFor(target);

    await expectRefusal(verifier, token, code);
  });

  it('checks requiredClaims, expectClaims and clientId on introspected claims, and ignores typ', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));

    await expectRefusal(verifierFor(target, {}, { requiredClaims: ['jti'] }), token, 'claim_invalid');
    await expectRefusal(verifierFor(target, {}, { expectClaims: { token_type: 'Bearer' } }), token, 'claim_invalid');
    await expectRefusal(verifierFor(target, {}, { clientId: 'another-app' }), token, 'audience_invalid');
    await expect(verifierFor(target, {}, { typ: 'at+jwt', clientId: 'web-app' }).verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('runs validate and the revocation checker with the introspected header', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer, { jti: 'j-1' }));
    const headers: unknown[] = [];
    const verifier = verifierFor(target, {}, {
      validate: (_claims, header) => void headers.push(header),
      revocation: { isRevoked: (claims, header) => (headers.push(header), claims.jti === 'j-1') },
    });

    await expectRefusal(verifier, token, 'token_revoked');
    expect(headers).toEqual([
      { alg: 'none', introspected: true },
      { alg: 'none', introspected: true },
    ]);
  });

  it('accepts a DPoP-bound opaque token (cnf.jkt from introspection, RFC 9449 §6.2) with its proof in verifyRequest only', async () => {
    const target = await serveIntrospection();
    const key = await createDpopKey();
    const other = await createDpopKey();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer, { cnf: { jkt: key.jkt }, token_type: 'DPoP' }));
    const verifier = verifierFor(target);
    const url = 'https://api.example.com/orders';
    const request = (proof: string) => ({ method: 'GET', url, headers: { authorization: `DPoP ${token}`, dpop: proof } });

    await expect(verifier.verifyRequest(request(key.proof({ method: 'GET', url, accessToken: token })))).resolves.toMatchObject({ sub: 'user-1' });
    await refusal(verifier.verifyRequest(request(other.proof({ method: 'GET', url, accessToken: token }))), 'token_binding_invalid');
    await expectRefusal(verifier, token, 'token_binding_invalid');
  });

  it('refuses a token bound to a key (cnf) in verifyAccessToken, as it does a bound JWT', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer, { cnf: { jkt: 'x'.repeat(43) } }));

    await expectRefusal(verifierFor(target), token, 'token_binding_invalid');
  });
});

describe('the cache', () => {
  it('asks the issuer once for a token presented many times, concurrent presentations included', async () => {
    useFakeClock();
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    const verifier = verifierFor(target);

    await Promise.all(Array.from({ length: 20 }, () => verifier.verifyAccessToken(token)));
    for (let i = 0; i < 5; i++) await verifier.verifyAccessToken(token);

    expect(target.requests()).toBe(1);
  });

  it('keeps an active answer for maxAge, then asks again and sees a revocation', async () => {
    useFakeClock();
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer, { exp: now() + 3600 }));
    const verifier = verifierFor(target, { cache: { maxAge: 60 } });

    await verifier.verifyAccessToken(token);
    target.active.delete(token);
    at(59);
    await verifier.verifyAccessToken(token);
    expect(target.requests()).toBe(1);

    at(60);
    await expectRefusal(verifier, token, 'token_inactive');
    expect(target.requests()).toBe(2);
  });

  it('never serves an active answer past exp, even within maxAge', async () => {
    useFakeClock();
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer, { exp: now() + 30 }));
    const verifier = verifierFor(target, { cache: { maxAge: 600 } }, { clockTolerance: 0 });

    await verifier.verifyAccessToken(token);
    at(30);
    await expectRefusal(verifier, token, 'token_expired');
    expect(target.requests()).toBe(2);
  });

  it('keeps an inactive answer for inactiveMaxAge only', async () => {
    useFakeClock();
    const target = await serveIntrospection();
    const token = opaqueToken();
    const verifier = verifierFor(target, { cache: { inactiveMaxAge: 10 } });

    await expectRefusal(verifier, token, 'token_inactive');
    at(9);
    await expectRefusal(verifier, token, 'token_inactive');
    expect(target.requests()).toBe(1);

    target.active.set(token, activeClaims(target.issuer));
    at(10);
    await verifier.verifyAccessToken(token);
    expect(target.requests()).toBe(2);
  });

  it('is bounded by maxEntries: the least recently used answer is asked for again', async () => {
    const target = await serveIntrospection();
    const tokens = [opaqueToken(), opaqueToken(), opaqueToken()];
    for (const token of tokens) target.active.set(token, activeClaims(target.issuer));
    const verifier = verifierFor(target, { cache: { maxEntries: 2 } });

    for (const token of tokens) await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(tokens[2] as string);
    expect(target.requests()).toBe(3);
    await verifier.verifyAccessToken(tokens[0] as string);
    expect(target.requests()).toBe(4);
  });

  it('asks on every verification with cache: false', async () => {
    const target = await serveIntrospection();
    const token = opaqueToken();
    target.active.set(token, activeClaims(target.issuer));
    const verifier = verifierFor(target, { cache: false });

    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(token);
    expect(target.requests()).toBe(2);
  });
});

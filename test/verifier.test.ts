import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccessTokenError, createVerifier, isAccessTokenError, type Algorithm, type VerifierOptions } from '../src/index.js';
import { createTestIssuer, type TestIssuer } from '../src/testing/index.js';
import { refusal } from './helpers/refusal.js';

let issuer: TestIssuer;
let base: VerifierOptions;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
  base = { issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri };
});
afterAll(async () => {
  await issuer.close();
});

describe('createVerifier options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no issuer', { issuer: undefined }, /"issuer"/],
    ['an empty issuer list', { issuer: [] }, /"issuer"/],
    ['no audience', { audience: undefined }, /"audience"/],
    ['a numeric audience', { audience: 7 }, /"audience"/],
    ['HS256 in algorithms', { algorithms: ['HS256'] }, /HMAC and "none" are never accepted/],
    ['none in algorithms', { algorithms: ['none'] }, /"algorithms"/],
    ['an empty algorithm list', { algorithms: [] }, /"algorithms"/],
    ['a plain-http jwksUri to a remote host', { jwksUri: 'http://auth.example.com/jwks' }, /https/],
    ['a jwksUri with credentials', { jwksUri: 'https://user:pw@auth.example.com/jwks' }, /credentials/],
    ['a jwksUri that is not a URL', { jwksUri: 'not a url' }, /valid URL/],
    ['a misspelt option', { audiance: 'x' }, /unknown option "audiance"/],
    ['a misspelt jwks option', { jwks: { coolDown: 1 } }, /unknown option "jwks.coolDown"/],
    ['a string clockTolerance', { clockTolerance: '5' }, /"clockTolerance"/],
    ['an empty typ', { typ: ' ' }, /"typ"/],
    ['a revocation checker without isRevoked', { revocation: {} }, /"revocation"/],
    ['a non-function fetch', { jwks: { fetch: 'x' } }, /"jwks.fetch"/],
    ['an empty required claim name', { requiredClaims: [''] }, /"requiredClaims" must be an array of non-empty strings/],
    ['requiredClaims as a string', { requiredClaims: 'sub' }, /"requiredClaims" must be an array of non-empty strings/],
  ])('throws TypeError at construction for %s', (_name, overrides, message) => {
    expect(() => createVerifier({ ...base, ...overrides } as VerifierOptions)).toThrow(TypeError);
    expect(() => createVerifier({ ...base, ...overrides } as VerifierOptions)).toThrow(message);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a negative clockTolerance', { clockTolerance: -1 }, /"clockTolerance" must be between 0 and 3600 seconds/],
    ['a clockTolerance over an hour', { clockTolerance: 3601 }, /"clockTolerance" must be between 0 and 3600 seconds/],
    ['a maxTokenAge of 0', { maxTokenAge: 0 }, /"maxTokenAge" must be between 1 and/],
    ['a zero jwks timeout', { jwks: { timeout: 0 } }, /"jwks.timeout"/],
    ['a tiny maxBytes', { jwks: { maxBytes: 10 } }, /"jwks.maxBytes"/],
  ])('throws RangeError at construction for %s, stating the range', (_name, overrides, message) => {
    expect(() => createVerifier({ ...base, ...overrides } as VerifierOptions)).toThrow(RangeError);
    expect(() => createVerifier({ ...base, ...overrides } as VerifierOptions)).toThrow(message);
  });

  it('accepts an empty requiredClaims list, its documented default', () => {
    expect(() => createVerifier({ ...base, requiredClaims: [] })).not.toThrow();
  });

  it.each(['https://auth.example.com/?tenant=a', 'https://auth.example.com/?', 'https://auth.example.com/#x', 'https://auth.example.com#'])(
    'refuses the issuer %s for discovery at construction: an issuer identifier has no query or fragment (RFC 8414)',
    (issuer) => {
      expect(() => createVerifier({ issuer, audience: 'a' })).toThrow(TypeError);
      expect(() => createVerifier({ issuer, audience: 'a' })).toThrow(/option "issuer" .* must not have a (query|fragment)/);
      // With its key set named, the issuer is only compared with `iss`, never used for a request.
      expect(() => createVerifier({ issuer, audience: 'a', jwksUri: 'https://auth.example.com/jwks' })).not.toThrow();
    },
  );

  it('refuses an issuer that cannot be used for discovery when no jwksUri is given', () => {
    expect(() => createVerifier({ issuer: 'auth-server', audience: 'a' })).toThrow(/cannot be used for discovery/);
    expect(() => createVerifier({ issuer: 'http://auth.example.com', audience: 'a' })).toThrow(TypeError);
  });

  it('needs a jwksUri map keyed by configured issuers when there are several', () => {
    const two = { ...base, issuer: [issuer.issuer, 'https://other.test'] };
    expect(() => createVerifier({ ...two, jwksUri: issuer.jwksUri })).toThrow(/map from issuer/);
    expect(() => createVerifier({ ...two, jwksUri: { 'https://unknown.test': 'https://x.test/jwks' } })).toThrow(/configured issuers/);
    expect(() => createVerifier({ ...two, jwksUri: { [issuer.issuer]: issuer.jwksUri } })).not.toThrow();
  });

  it('refuses a clockTolerance longer than the revocation store keeps entries past exp', () => {
    const revocation = { isRevoked: () => false, clockTolerance: 10 };
    expect(() => createVerifier({ ...base, revocation, clockTolerance: 30 })).toThrow(RangeError);
    expect(() => createVerifier({ ...base, revocation, clockTolerance: 10 })).not.toThrow();
  });

  it('exposes its issuers and audiences', () => {
    const verifier = createVerifier({ ...base, audience: ['a', 'b', 'a'] });
    expect(verifier.issuers).toEqual([issuer.issuer]);
    expect(verifier.audiences).toEqual(['a', 'b']);
  });
});

describe('verifyAccessToken', () => {
  it.each<Algorithm>(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])(
    'verifies a %s token signed by the issuer and returns its claims',
    async (alg) => {
      const own = await createTestIssuer({ algorithm: alg, audience: 'orders-api' });
      try {
        const verifier = createVerifier({ issuer: own.issuer, audience: 'orders-api', jwksUri: own.jwksUri });
        const claims = await verifier.verifyAccessToken(await own.sign({ sub: 'alice', scope: 'orders:read' }));
        expect(claims).toMatchObject({ iss: own.issuer, sub: 'alice', aud: 'orders-api', scope: 'orders:read' });
      } finally {
        await own.close();
      }
    },
  );

  it('finds the keys through OpenID discovery when no jwksUri is given', async () => {
    const verifier = createVerifier({ issuer: issuer.issuer, audience: 'orders-api' });
    await expect(verifier.verifyAccessToken(await issuer.sign())).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses a token signed with an algorithm outside the allowlist', async () => {
    const verifier = createVerifier({ ...base, algorithms: ['ES256'] });
    const error = await refusal(verifier.verifyAccessToken(await issuer.sign()));
    expect(error.code).toBe('algorithm_not_allowed');
    expect(error.status).toBe(401);
  });

  it('types custom claims through the generic parameter', async () => {
    const verifier = createVerifier<{ tenant: string }>(base);
    const claims = await verifier.verifyAccessToken(await issuer.sign({ tenant: 't-1' }));
    const tenant: string = claims.tenant;
    expect(tenant).toBe('t-1');
  });

  it('enforces typ, requiredClaims and maxTokenAge from the options', async () => {
    const verifier = createVerifier({ ...base, typ: 'application/at+jwt', requiredClaims: ['tenant'], maxTokenAge: 60 });
    expect((await refusal(verifier.verifyAccessToken(await issuer.sign({ tenant: 't' }, { header: { typ: 'JWT' } })))).code).toBe(
      'type_invalid',
    );
    expect((await refusal(verifier.verifyAccessToken(await issuer.sign()))).code).toBe('claim_invalid');
    const old = Math.floor(Date.now() / 1000) - 120;
    expect((await refusal(verifier.verifyAccessToken(await issuer.sign({ tenant: 't', iat: old })))).code).toBe('token_expired');
    await expect(verifier.verifyAccessToken(await issuer.sign({ tenant: 't' }))).resolves.toBeDefined();
  });

  it("holds tokens to RFC 9068 with the README's typ and requiredClaims, refusing an ID token from the same issuer", async () => {
    const verifier = createVerifier({ ...base, typ: 'at+jwt', requiredClaims: ['sub', 'client_id', 'iat', 'jti'] });
    const accessToken = await issuer.sign({ client_id: 'web-app' });
    await expect(verifier.verifyAccessToken(accessToken)).resolves.toMatchObject({ client_id: 'web-app' });
    // An ID token: typ JWT (or none), and no client_id.
    const idToken = await issuer.sign({ nonce: 'n-1' }, { header: { typ: 'JWT' } });
    expect((await refusal(verifier.verifyAccessToken(idToken))).code).toBe('type_invalid');
    for (const missing of ['sub', 'client_id', 'iat', 'jti']) {
      const token = await issuer.sign({ client_id: 'web-app', [missing]: undefined });
      const error = await refusal(verifier.verifyAccessToken(token));
      expect(error.code).toBe('claim_invalid');
      expect(error.message).toContain(`"${missing}"`);
    }
  });

  it('checks time claims against the clock at verification time', async () => {
    const verifier = createVerifier(base);
    const token = await issuer.sign({}, { expiresIn: 60 });
    await verifier.verifyAccessToken(token);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 66_000);
      expect((await refusal(verifier.verifyAccessToken(token))).code).toBe('token_expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a token from an issuer it does not trust without fetching anything', async () => {
    const stranger = await createTestIssuer({ audience: 'orders-api' });
    try {
      const verifier = createVerifier(base);
      const error = await refusal(verifier.verifyAccessToken(await stranger.sign()));
      expect(error.code).toBe('issuer_invalid');
      expect(stranger.requests.jwks + stranger.requests.metadata).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  it('keeps one key source per issuer', async () => {
    const second = await createTestIssuer({ audience: 'orders-api' });
    try {
      const verifier = createVerifier({
        issuer: [issuer.issuer, second.issuer],
        audience: 'orders-api',
        jwksUri: { [issuer.issuer]: issuer.jwksUri, [second.issuer]: second.jwksUri },
      });
      await verifier.verifyAccessToken(await issuer.sign());
      await verifier.verifyAccessToken(await second.sign());
      // A token claiming the first issuer but signed with the second's key must not verify
      // (within the cooldown its kid is not decided yet: 503, never accepted).
      const forged = await second.sign({ iss: issuer.issuer });
      expect((await refusal(verifier.verifyAccessToken(forged))).code).toBe('jwks_unavailable');
      expect(second.requests.jwks).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('never puts the token in an error message', async () => {
    const verifier = createVerifier(base);
    const token = await issuer.sign({ aud: 'elsewhere' });
    const inputs = [token, `${token}x`, token.replace('.', '..'), `${token.slice(0, -4)}AAAA`, token.split('.').slice(0, 2).join('.')];
    for (const input of inputs) {
      const error = await refusal(verifier.verifyAccessToken(input));
      for (const part of input.split('.')) if (part.length > 8) expect(error.message).not.toContain(part);
      expect(error.message).not.toContain(input);
    }
  });

  it('answers every bad input with AccessTokenError, never TypeError', async () => {
    const verifier = createVerifier(base);
    for (const input of [undefined, null, 42, {}, [], '', '...', 'Bearer x.y.z', '\u0000.\u0000.\u0000']) {
      const error = await refusal(verifier.verifyAccessToken(input as string));
      expect(error.code).toBe('token_malformed');
      expect(isAccessTokenError(error)).toBe(true);
    }
  });

  it('warms up by fetching every key set once', async () => {
    const fresh = await createTestIssuer({ audience: 'orders-api' });
    try {
      const verifier = createVerifier({ issuer: fresh.issuer, audience: 'orders-api', jwksUri: fresh.jwksUri });
      await verifier.warmUp();
      await verifier.warmUp();
      await verifier.verifyAccessToken(await fresh.sign());
      expect(fresh.requests.jwks).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

describe('revocation', () => {
  it('is consulted only for tokens whose signature and claims are valid', async () => {
    const isRevoked = vi.fn(() => false);
    const verifier = createVerifier({ ...base, revocation: { isRevoked } });
    await refusal(verifier.verifyAccessToken(await issuer.sign({ aud: 'other' })));
    const token = await issuer.sign();
    await refusal(verifier.verifyAccessToken(`${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(342)}`));
    expect(isRevoked).not.toHaveBeenCalled();
    await verifier.verifyAccessToken(token);
    expect(isRevoked).toHaveBeenCalledTimes(1);
    expect(isRevoked.mock.calls[0]).toMatchObject([{ sub: 'user-1' }, { alg: 'RS256' }]);
  });

  it.each<[string, () => boolean | Promise<boolean>, string]>([
    ['true', () => true, 'token_revoked'],
    ['a resolved true', async () => true, 'token_revoked'],
    ['a throw', () => { throw new Error('store down'); }, 'revocation_unavailable'],
    ['a rejection', async () => { throw new Error('store down'); }, 'revocation_unavailable'],
    ['a non-boolean answer', () => undefined as unknown as boolean, 'revocation_unavailable'],
  ])('answers %s from the checker with %s', async (_name, isRevoked, code) => {
    const verifier = createVerifier({ ...base, revocation: { isRevoked } });
    const error = await refusal(verifier.verifyAccessToken(await issuer.sign()));
    expect(error.code).toBe(code);
    expect(error.status).toBe(code === 'token_revoked' ? 401 : 503);
  });

  it('gives revocation_unavailable when the checker does not answer in time', async () => {
    const verifier = createVerifier({ ...base, revocationTimeout: 0.05, revocation: { isRevoked: () => new Promise(() => {}) } });
    const started = Date.now();
    const error = await refusal(verifier.verifyAccessToken(await issuer.sign()));
    expect(error.code).toBe('revocation_unavailable');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('accepts the token when the checker fails only if revocationFailOpen is set', async () => {
    const failing = { isRevoked: async (): Promise<boolean> => { throw new Error('down'); } };
    const open = createVerifier({ ...base, revocation: failing, revocationFailOpen: true });
    await expect(open.verifyAccessToken(await issuer.sign())).resolves.toMatchObject({ sub: 'user-1' });
    const revoked = createVerifier({ ...base, revocation: { isRevoked: () => true }, revocationFailOpen: true });
    expect((await refusal(revoked.verifyAccessToken(await issuer.sign()))).code).toBe('token_revoked');
  });
});

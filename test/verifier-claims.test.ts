// The claim options providers need, end to end against a loopback issuer: clientId for tokens
// without an audience, expectClaims, and the validate hook (cached verifications included).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccessTokenError, createMemoryRevocationStore, createVerifier, type AccessTokenClaims, type VerifierOptions } from '../src/index.js';
import { createTestIssuer, type TestIssuer } from '../src/testing/index.js';
import { nodeSignatures } from '../src/token/signature-node.js';
import { refusal } from './helpers/refusal.js';

let issuer: TestIssuer;
let base: Pick<VerifierOptions, 'issuer' | 'jwksUri'>;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: 'orders-api' });
  base = { issuer: issuer.issuer, jwksUri: issuer.jwksUri };
});
afterAll(async () => {
  await issuer.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('clientId', () => {
  it('verifies a Cognito-style access token: no aud, client_id and token_use', async () => {
    const verifier = createVerifier({ ...base, clientId: ['web-app', 'cli'], expectClaims: { token_use: 'access' } });
    const token = await issuer.sign({ aud: undefined, client_id: 'cli', token_use: 'access' });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ client_id: 'cli' });
    // The ID token of the same pool: its client is in aud, and token_use says what it is.
    const idToken = await issuer.sign({ aud: 'cli', token_use: 'id' });
    await refusal(verifier.verifyAccessToken(idToken), 'audience_invalid');
    await refusal(verifier.verifyAccessToken(await issuer.sign({ aud: undefined, client_id: 'cli', token_use: 'id' })), 'claim_invalid');
    expect(verifier.audiences).toEqual([]);
  });

  it("verifies a Keycloak-style token by azp and a claim typ of Bearer, whatever its aud", async () => {
    const verifier = createVerifier({ ...base, clientId: 'orders-frontend', expectClaims: { typ: 'Bearer' } });
    const token = await issuer.sign({ aud: 'account', azp: 'orders-frontend', typ: 'Bearer' });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ azp: 'orders-frontend' });
    const error = await refusal(verifier.verifyAccessToken(await issuer.sign({ aud: 'account', azp: 'orders-frontend', typ: 'ID' })), 'claim_invalid');
    expect(error.message).toContain('"typ"');
    expect(error.message).not.toContain('ID');
  });

  it('verifies an Ory Hydra token with an empty aud array when only clientId is set, and refuses it when audience is set', async () => {
    const token = await issuer.sign({ aud: [], client_id: 'app' });
    await expect(createVerifier({ ...base, clientId: 'app' }).verifyAccessToken(token)).resolves.toMatchObject({ aud: [] });
    await refusal(createVerifier({ ...base, audience: 'orders-api', clientId: 'app' }).verifyAccessToken(token), 'claim_invalid');
  });

  it('refuses, with both set, a token matching only one of them', async () => {
    const verifier = createVerifier({ ...base, audience: 'orders-api', clientId: 'app' });
    await expect(verifier.verifyAccessToken(await issuer.sign({ client_id: 'app' }))).resolves.toBeDefined();
    await refusal(verifier.verifyAccessToken(await issuer.sign({ client_id: 'other' })), 'audience_invalid');
    await refusal(verifier.verifyAccessToken(await issuer.sign({ aud: 'billing', client_id: 'app' })), 'audience_invalid');
  });

  it('leaves verifiers with an audience as they were: aud still required', async () => {
    const verifier = createVerifier({ ...base, audience: 'orders-api' });
    await refusal(verifier.verifyAccessToken(await issuer.sign({ aud: undefined, client_id: 'app' })), 'audience_invalid');
    await refusal(verifier.verifyAccessToken(await issuer.sign({ aud: [] })), 'claim_invalid');
  });
});

describe('claim options at construction', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['neither audience nor clientId', {}, /"audience"/],
    ['an empty clientId list', { clientId: [] }, /"clientId"/],
    ['a numeric clientId', { clientId: 7 }, /"clientId"/],
    ['expectClaims as an array', { audience: 'a', expectClaims: ['token_use'] }, /"expectClaims"/],
    ['an expected object value', { audience: 'a', expectClaims: { token_use: { a: 1 } } }, /"expectClaims.token_use"/],
    ['an empty list of expected values', { audience: 'a', expectClaims: { ver: [] } }, /"expectClaims.ver"/],
    ['an expected NaN', { audience: 'a', expectClaims: { ver: Number.NaN } }, /"expectClaims.ver"/],
    ['a validate that is not a function', { audience: 'a', validate: 'no' }, /"validate"/],
  ])('throws TypeError for %s', (_name, overrides, message) => {
    const options = { ...base, ...overrides } as VerifierOptions;
    expect(() => createVerifier(options)).toThrow(TypeError);
    expect(() => createVerifier(options)).toThrow(message);
  });
});

describe('the validate option', () => {
  it('sees the claims and header after the built-in checks, and refuses what it throws on as claim_invalid with the cause', async () => {
    const seen: unknown[] = [];
    const reason = new Error('tenant suspended');
    const verifier = createVerifier({
      ...base,
      audience: 'orders-api',
      validate: (claims, header) => {
        seen.push([claims.sub, header.alg]);
        if (claims.tenant === 'suspended') throw reason;
      },
    });
    await verifier.verifyAccessToken(await issuer.sign({ tenant: 'ok' }));
    const error = await refusal(verifier.verifyAccessToken(await issuer.sign({ tenant: 'suspended' })), 'claim_invalid');
    expect(error.message).toBe('tenant suspended');
    expect(error.cause).toBe(reason);
    expect(error.description).toBeUndefined();
    // Built-in checks come first: an expired token never reaches validate.
    await refusal(verifier.verifyAccessToken(await issuer.sign({ tenant: 'ok', exp: Math.floor(Date.now() / 1000) - 60 })), 'token_expired');
    expect(seen).toEqual([['user-1', 'RS256'], ['user-1', 'RS256']]);
  });

  it('passes the user\'s own AccessTokenError on as it is, from a throw or a rejection', async () => {
    const own = new AccessTokenError('insufficient_scope', 'no orders for this tenant', { description: 'Orders need a paid plan' });
    const sync = createVerifier({ ...base, audience: 'orders-api', validate: () => { throw own; } });
    const async = createVerifier({ ...base, audience: 'orders-api', validate: async () => Promise.reject(own) });
    expect(await refusal(sync.verifyAccessToken(await issuer.sign()))).toBe(own);
    expect(await refusal(async.verifyAccessToken(await issuer.sign()))).toBe(own);
  });

  it.each<[string, () => unknown, RegExp]>([
    ['a string', () => { throw 'nope'; }, /the validate option refused the token/],
    ['undefined', () => { throw undefined; }, /the validate option refused the token/],
    ['an Error without message', () => { throw new Error(); }, /the validate option refused the token/],
    ['a rejected promise of a number', () => Promise.reject(42), /the validate option refused the token/],
    ['a TypeError of a bug', () => (undefined as unknown as { x: { y: number } }).x.y, /Cannot read properties of undefined/],
  ])('turns %s thrown by validate into claim_invalid, never a crash', async (_name, validate, message) => {
    const verifier = createVerifier({ ...base, audience: 'orders-api', validate: validate as NonNullable<VerifierOptions['validate']> });
    const error = await refusal(verifier.verifyAccessToken(await issuer.sign()), 'claim_invalid');
    expect(error.message).toMatch(message);
  });

  it('runs on cached verifications too, and before revocation', async () => {
    let refuse = false;
    const calls: string[] = [];
    const store = createMemoryRevocationStore();
    const revocation = { isRevoked: (claims: AccessTokenClaims) => (calls.push('revocation'), store.isRevoked(claims)) };
    const verifier = createVerifier({
      ...base,
      audience: 'orders-api',
      revocation,
      validate: async () => {
        calls.push('validate');
        if (refuse) throw new Error('refused now');
      },
    });
    const token = await issuer.sign();
    await verifier.verifyAccessToken(token);
    await verifier.verifyAccessToken(token);
    const verify = vi.spyOn(nodeSignatures, 'verify');
    await verifier.verifyAccessToken(token);
    // Answered from the cache: no signature check, but validate ran.
    expect(verify).not.toHaveBeenCalled();
    expect(calls).toEqual(['validate', 'revocation', 'validate', 'revocation', 'validate', 'revocation']);
    refuse = true;
    await refusal(verifier.verifyAccessToken(token), 'claim_invalid');
    expect(verify).not.toHaveBeenCalled();
    expect(calls.at(-1)).toBe('validate');
  });
});

// Differential fuzzing against jose's jwtVerify, given the same issuer, audience, algorithms,
// clock tolerance and key set (jose's createLocalJWKSet over the same JWKs): tokenwarden may be
// stricter than jose, never looser, and must accept every well-formed valid token.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SUPPORTED_ALGORITHMS, type Algorithm } from '../../src/index.js';
import { AUDIENCE, ISSUER, forgeToken, forgeVerifier, type PublishedJwk } from '../helpers/forge.js';
import {
  NOW,
  bareJwk,
  build,
  claimsObject,
  createKeyPool,
  extraClaims,
  fcOptions,
  fuzzRuns,
  fuzzTimeout,
  joseDecision,
  scenario,
  tokenwardenDecision,
} from './support.js';

const pool = createKeyPool();

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW * 1000);
});
afterAll(() => {
  vi.useRealTimers();
});

describe('tokenwarden against jose jwtVerify', () => {
  const runs = fuzzRuns(150);
  it(
    'never accepts a token that jose refuses (random key sets, headers, claims and mutations)',
    async () => {
      const seen = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(scenario(pool), async (s) => {
          const { token, keys } = build(pool, s);
          const { verifier } = forgeVerifier(keys, { clockTolerance: s.clockTolerance, algorithms: s.algorithms });
          const ours = await tokenwardenDecision(verifier, token);
          const theirs = await joseDecision(token, keys, s);
          if (!ours.accepted) {
            seen.refused++;
            return;
          }
          seen.accepted++;
          expect(theirs.accepted ? 'accepted' : `refused: ${theirs.message}`, 'jose refused what tokenwarden accepted').toBe(
            'accepted',
          );
          if (theirs.accepted) expect(ours.claims).toEqual(theirs.claims);
        }),
        fcOptions(runs),
      );
      // Both outcomes must be common, or the property would be close to vacuous.
      expect(seen.accepted).toBeGreaterThan(runs / 10);
      expect(seen.refused).toBeGreaterThan(runs / 10);
    },
    fuzzTimeout(runs, 25),
  );

  it('uses a public key published with key_ops ["sign", "verify"] (left out of the scenarios above)', async () => {
    // RFC 7517 §4.3 names sign+verify as a sound combination and the key may verify, so
    // tokenwarden uses it; jose's WebCrypto import refuses a public key listing "sign", which
    // is why the differential scenarios never publish this combination.
    const entry = pool[2] as (typeof pool)[number];
    const keys: PublishedJwk[] = [{ ...bareJwk(entry.key), kid: entry.key.kid, key_ops: ['sign', 'verify'] }];
    const token = forgeToken({
      header: { alg: entry.key.alg, kid: entry.key.kid },
      payload: { iss: ISSUER, aud: AUDIENCE, exp: NOW + 60 },
      key: entry.key.privateKey,
    });
    const { verifier } = forgeVerifier(keys);
    await expect(verifier.verifyAccessToken(token)).resolves.toEqual({ iss: ISSUER, aud: AUDIENCE, exp: NOW + 60 });
  });

  const validRuns = fuzzRuns(100);
  it(
    'accepts every well-formed valid token, with exactly the claims that were signed',
    async () => {
      const valid = fc.record({
        signer: fc.nat({ max: pool.length - 1 }),
        signingAlg: fc.nat(),
        bindAlg: fc.boolean(),
        omitKid: fc.boolean(),
        typ: fc.constantFrom(undefined, 'at+jwt', 'JWT'),
        // Parameters both verifiers must ignore (never fetch, never trust, never choke on).
        headerExtras: fc.subarray<[string, unknown]>([
          ['jku', 'http://127.0.0.1:9/jwks.json'],
          ['x5u', 'http://127.0.0.1:9/cert.pem'],
          ['cty', 'at+jwt'],
          ['custom', { a: [1] }],
        ]),
        aud: fc.constantFrom<unknown>(AUDIENCE, [AUDIENCE], ['other-api', AUDIENCE]),
        expIn: fc.integer({ min: 1, max: 86_400 }),
        nbfAgo: fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }),
        iatAgo: fc.option(fc.double({ min: 0, max: 3600, noNaN: true }), { nil: undefined }),
        // A present `sub` must be a non-empty string (an always-on check jose does not make).
        sub: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        jti: fc.option(fc.uuid(), { nil: undefined }),
        extras: extraClaims,
        clockTolerance: fc.integer({ min: 0, max: 10 }),
        moreAlgorithms: fc.subarray([...SUPPORTED_ALGORITHMS]),
      });
      await fc.assert(
        fc.asyncProperty(valid, async (v) => {
          const signer = pool[v.signer] as (typeof pool)[number];
          const alg = signer.algs[v.signingAlg % signer.algs.length] as Algorithm;
          // Without a kid, a key must be the only one that fits the alg: true of all but the RSA pair.
          const kid = v.omitKid && signer.key.jwk.kty !== 'RSA' ? undefined : signer.key.kid;
          const keys: PublishedJwk[] = pool.map((entry) => ({
            ...bareJwk(entry.key),
            kid: entry.key.kid,
            use: 'sig',
            ...(entry === signer && v.bindAlg ? { alg } : {}),
          }));
          const header: Record<string, unknown> = { alg, ...(kid === undefined ? {} : { kid }) };
          if (v.typ !== undefined) header.typ = v.typ;
          for (const [name, value] of v.headerExtras) header[name] = value;
          const claims = claimsObject(
            {
              iss: ISSUER,
              aud: v.aud,
              exp: NOW + v.expIn,
              nbf: v.nbfAgo === undefined ? undefined : NOW - v.nbfAgo,
              iat: v.iatAgo === undefined ? undefined : NOW - v.iatAgo,
              sub: v.sub,
              jti: v.jti,
            },
            v.extras,
          );
          const token = forgeToken({ header, payload: claims, key: signer.key.privateKey });
          const algorithms = [...new Set([alg, ...v.moreAlgorithms])];
          const { verifier } = forgeVerifier(keys, { clockTolerance: v.clockTolerance, algorithms });
          const ours = await tokenwardenDecision(verifier, token);
          expect(ours.accepted ? 'accepted' : `refused: ${ours.code} (${ours.message})`).toBe('accepted');
          if (ours.accepted) expect(ours.claims).toEqual(JSON.parse(JSON.stringify(claims)));
          // The reference agrees, so the generator really produces valid tokens.
          const theirs = await joseDecision(token, keys, { clockTolerance: v.clockTolerance, algorithms });
          expect(theirs.accepted ? 'accepted' : `refused: ${theirs.message}`).toBe('accepted');
        }),
        fcOptions(validRuns),
      );
    },
    fuzzTimeout(validRuns, 25),
  );
});

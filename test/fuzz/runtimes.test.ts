// The same verifier built twice, as the package ships it: once over node:crypto
// (src/runtime/node.ts, the Node export) and once over jose/WebCrypto (src/runtime/web.ts, the
// export for other runtimes). Both must reach the same decision, with the same code, for every
// scenario of the differential fuzzer.
import { generateKeyPairSync, verify } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as nodeBuild from '../../src/index.js';
import { AUDIENCE, ISSUER, JWKS_URI, accessClaims, forgeToken, jwksStub, signToken, type PublishedJwk } from '../helpers/forge.js';
import { NOW, build, createKeyPool, fcOptions, fuzzRuns, fuzzTimeout, scenario, tokenwardenDecision, type Decision } from './support.js';

type Build = typeof nodeBuild;
let webBuild: Build;

beforeAll(async () => {
  // A second copy of the package whose runtime module is the web one, exactly as the vitest
  // "web" project and the package's non-node export condition swap it.
  vi.resetModules();
  vi.doMock('../../src/runtime/node.js', () => import('../../src/runtime/web.js'));
  webBuild = await import('../../src/index.js');
  vi.doUnmock('../../src/runtime/node.js');
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW * 1000);
});
afterAll(() => {
  vi.useRealTimers();
});

const pool = createKeyPool();

function verifierOf(pkg: Build, keys: readonly unknown[], options: Partial<nodeBuild.VerifierOptions> = {}) {
  const jwks = jwksStub(() => keys);
  return pkg.createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUri: JWKS_URI, ...options, jwks: { fetch: jwks.fetch } });
}

async function decide(pkg: Build, keys: readonly unknown[], token: string, options: Partial<nodeBuild.VerifierOptions> = {}): Promise<Decision> {
  return tokenwardenDecision(verifierOf(pkg, keys, options), token, (error): error is nodeBuild.AccessTokenError =>
    error instanceof pkg.AccessTokenError,
  );
}

const summary = (decision: Decision): string => (decision.accepted ? 'accepted' : decision.code);

describe('node:crypto and jose signature paths', () => {
  it('are two distinct builds of the verifier that skip a corrupt key alike', async () => {
    expect(webBuild.AccessTokenError).not.toBe(nodeBuild.AccessTokenError);
    // A JWK whose point is not on the curve: both runtimes import keys when the key set is
    // fetched, so both find it unusable then, and give the same answer.
    // (Another, sound key sits beside it: a set with no usable key at all is a failed fetch.)
    const entry = pool[2] as (typeof pool)[number];
    const y = Buffer.from(entry.key.jwk.y as string, 'base64url');
    y[31] = (y[31] as number) ^ 0x01;
    const offCurve: PublishedJwk = { ...entry.key.jwk, y: y.toString('base64url') };
    const token = signToken(entry.key, accessClaims({ exp: NOW + 60, iat: NOW }));
    const keys = [offCurve, (pool[5] as (typeof pool)[number]).key.jwk];
    expect(summary(await decide(nodeBuild, keys, token))).toBe('key_not_found');
    expect(summary(await decide(webBuild, keys, token))).toBe('key_not_found');
  });

  it('treat an Ed448 key alike: unusable on both, since jose (WebCrypto) cannot verify Ed448', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed448');
    const ed448: PublishedJwk = { ...publicKey.export({ format: 'jwk' }), kid: 'ed-448', use: 'sig' };
    const token = forgeToken({
      header: { alg: 'EdDSA', kid: 'ed-448' },
      payload: accessClaims({ exp: NOW + 60, iat: NOW }),
      key: privateKey,
    });
    // The signature is sound: node:crypto verifies it.
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(verify(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
    const keys = [ed448, (pool[5] as (typeof pool)[number]).key.jwk];
    expect(summary(await decide(nodeBuild, keys, token))).toBe('key_not_found');
    expect(summary(await decide(webBuild, keys, token))).toBe('key_not_found');
  });

  // Thousands of scenarios in CI: this is the check that the two signature paths never disagree.
  const runs = fuzzRuns(2000);
  it(
    'reach the same decision, with the same code, on random key sets, headers, claims and mutations',
    async () => {
      const seen = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(scenario(pool), async (s) => {
          const { token, keys } = build(pool, s);
          const options = { clockTolerance: s.clockTolerance, algorithms: s.algorithms };
          const [onNode, onWeb] = await Promise.all([decide(nodeBuild, keys, token, options), decide(webBuild, keys, token, options)]);
          expect(summary(onWeb)).toBe(summary(onNode));
          if (onNode.accepted && onWeb.accepted) expect(onWeb.claims).toEqual(onNode.claims);
          if (onNode.accepted) seen.accepted++;
          else seen.refused++;
        }),
        fcOptions(runs),
      );
      expect(seen.accepted).toBeGreaterThan(runs / 10);
      expect(seen.refused).toBeGreaterThan(runs / 10);
    },
    fuzzTimeout(runs, 30),
  );
});

// The JWE corpus through both builds of the verifier, as the package ships them: the Node one
// (src/runtime/node.ts: node:crypto signatures) and the web one (src/runtime/web.ts: jose over
// WebCrypto). Decryption is jose on both; the inner JWS takes each build's own signature path.
// Both must give every case the same answer, and the one the corpus expects.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as nodeBuild from '../../src/index.js';
import { AUDIENCE, ISSUER, JWKS_URI, jwksStub } from '../helpers/forge.js';
import { fcOptions, fuzzRuns, fuzzTimeout } from '../fuzz/support.js';
import { buildJweCorpus, type JweCorpus } from './corpus.js';

type Build = typeof nodeBuild;
let webBuild: Build;
let corpus: JweCorpus;

beforeAll(async () => {
  vi.resetModules();
  vi.doMock('../../src/runtime/node.js', () => import('../../src/runtime/web.js'));
  webBuild = await import('../../src/index.js');
  vi.doUnmock('../../src/runtime/node.js');
  corpus = await buildJweCorpus();
}, 60_000);
afterAll(() => {
  vi.resetModules();
});

function verifierOf(pkg: Build): nodeBuild.Verifier {
  const jwks = jwksStub(() => [corpus.signer.jwk]);
  return pkg.createVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: JWKS_URI,
    jwks: { fetch: jwks.fetch },
    decryption: { keys: corpus.keys.map((key) => key.privateJwk) as never },
  });
}

async function outcome(pkg: Build, verifier: nodeBuild.Verifier, token: string): Promise<string> {
  try {
    await verifier.verifyAccessToken(token);
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(pkg.AccessTokenError);
    return (error as nodeBuild.AccessTokenError).code;
  }
}

describe('the Node and web builds', () => {
  it('are two distinct builds', () => {
    expect(webBuild.AccessTokenError).not.toBe(nodeBuild.AccessTokenError);
  });

  it('give every encrypted token of the corpus the same, expected, answer', async () => {
    const onNode = verifierOf(nodeBuild);
    const onWeb = verifierOf(webBuild);
    const answers: Record<string, [string, string]> = {};
    const expected: Record<string, [string, string]> = {};
    for (const { name, token, code } of corpus.cases) {
      answers[name] = [await outcome(nodeBuild, onNode, token), await outcome(webBuild, onWeb, token)];
      expected[name] = [code, code];
    }
    expect(answers).toEqual(expected);
  });

  it('return the same claims for the tokens both accept', async () => {
    const onNode = verifierOf(nodeBuild);
    const onWeb = verifierOf(webBuild);
    for (const { token, code } of corpus.cases) {
      if (code !== 'accepted') continue;
      expect(await onWeb.verifyAccessToken(token)).toEqual(await onNode.verifyAccessToken(token));
    }
  });

  // Any one character of an accepted token changed, anywhere: refused by both, with one code.
  const runs = fuzzRuns(300);
  it(
    'refuse every accepted token with one character changed, alike',
    async () => {
      const onNode = verifierOf(nodeBuild);
      const onWeb = verifierOf(webBuild);
      const accepted = corpus.cases.filter((entry) => entry.code === 'accepted').map((entry) => entry.token);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.nat(), fc.nat({ max: alphabet.length - 1 }), async (which, where, what) => {
          const token = accepted[which % accepted.length] as string;
          const at = where % token.length;
          const replacement = alphabet[what] as string;
          fc.pre(token[at] !== replacement);
          const mutated = `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
          const node = await outcome(nodeBuild, onNode, mutated);
          expect(node).not.toBe('accepted');
          expect(await outcome(webBuild, onWeb, mutated)).toBe(node);
        }),
        fcOptions(runs),
      );
    },
    fuzzTimeout(runs, 10),
  );
});

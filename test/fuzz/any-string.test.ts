// Whatever string arrives in an Authorization header, verifyAccessToken answers with a verdict:
// claims, or an AccessTokenError with a code of the closed set, its status, and a message that
// does not repeat the token. Never a TypeError, a RangeError or a JSON SyntaxError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessTokenError } from '../../src/index.js';
import { accessClaims, b64u, forgeVerifier, signToken } from '../helpers/forge.js';
import { createKeyPool, fcOptions, fuzzRuns, fuzzTimeout, tokenwardenDecision } from './support.js';

const pool = createKeyPool();
const keys = pool.map((entry) => entry.key.jwk);
const { verifier } = forgeVerifier(keys);
const valid = pool.map((entry) => signToken(entry.key, accessClaims({ exp: Math.floor(Date.now() / 1000) + 3600 })));

/** A verdict must be reached; a refusal must be a well-formed AccessTokenError. */
async function verdict(token: string): Promise<void> {
  const decision = await tokenwardenDecision(verifier, token);
  if (!decision.accepted && token.length >= 16) expect(decision.message).not.toContain(token);
}

const validSegments = valid.flatMap((token) => token.split('.'));

/** Pieces a token is made of, valid or nearly: base64url runs, real segments, JSON, separators. */
const piece: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('.', '..', '=', '==', '+', '/', ' ', '\n', '{', '}', '"', 'eyJ', 'e30', 'bnVsbA', 'W10', 'eyJhbGciOiJub25lIn0'),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,48}$/),
  fc.constantFrom(...validSegments),
  fc.jsonValue({ maxDepth: 2 }).map((value) => b64u(JSON.stringify(value) ?? 'null')),
  fc
    .record({
      alg: fc.constantFrom('RS256', 'ES256', 'EdDSA', 'PS512', 'HS256', 'none', 'RSA-OAEP'),
      kid: fc.constantFrom(...pool.map((entry) => entry.key.kid), 'unknown'),
      crit: fc.option(fc.constantFrom(['b64'], ['exp'], [], 'b64'), { nil: undefined }),
      b64: fc.option(fc.boolean(), { nil: undefined }),
      enc: fc.option(fc.constant('A256GCM'), { nil: undefined }),
    })
    .map((header) => b64u(JSON.stringify(header))),
);

/** Three segments of pieces: the shape every path beyond the segment count needs. */
const threeSegments = fc
  .tuple(fc.array(piece, { maxLength: 3 }), fc.array(piece, { maxLength: 3 }), fc.array(piece, { maxLength: 3 }))
  .map((parts) => parts.map((segment) => segment.join('')).join('.'));

describe('verifyAccessToken on arbitrary input', () => {
  const runs = fuzzRuns(400);
  it.each<[string, fc.Arbitrary<string>]>([
    ['any UTF-16 string', fc.string({ maxLength: 200 })],
    ['any string of Unicode code points', fc.string({ unit: 'binary', maxLength: 200 })],
    ['any string of graphemes', fc.string({ unit: 'grapheme', maxLength: 100 })],
    ['strings made of base64url-ish pieces and dots', fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''))],
    ['three segments of such pieces', threeSegments],
    [
      'real tokens with a character replaced',
      fc
        .tuple(fc.constantFrom(...valid), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }))
        .map(([token, at, replacement]) => token.slice(0, at % token.length) + replacement + token.slice((at % token.length) + 1)),
    ],
  ])(
    'answers %s with claims or an AccessTokenError, never anything else',
    async (_name, input) => {
      await fc.assert(fc.asyncProperty(input, verdict), fcOptions(runs));
    },
    fuzzTimeout(runs, 5),
  );

  it('accepts the untouched tokens the mutations start from', async () => {
    for (const token of valid) await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  const anythingRuns = fuzzRuns(200);
  it(
    'refuses any non-string value as malformed (callers in plain JavaScript)',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.anything().filter((value) => typeof value !== 'string'),
          async (value) => {
            const error: unknown = await verifier.verifyAccessToken(value as string).then(
              () => undefined,
              (reason: unknown) => reason,
            );
            expect(error).toBeInstanceOf(AccessTokenError);
            expect((error as AccessTokenError).code).toBe('token_malformed');
          },
        ),
        fcOptions(anythingRuns),
      );
    },
    fuzzTimeout(anythingRuns, 5),
  );
});

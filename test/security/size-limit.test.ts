// A size bomb must be refused by its length alone, before any base64url or JSON work: the
// decoders are spied on, so "before decoding" is checked by count rather than by timing.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeBase64url, decodeJsonObject } from '../../src/token/decode.js';
import { forgeVerifier, generateKey, signToken } from '../helpers/forge.js';
import { expectRefusal } from '../helpers/refusal.js';

vi.mock('../../src/token/decode.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/token/decode.js')>();
  return {
    ...actual,
    decodeBase64url: vi.fn(actual.decodeBase64url),
    decodeJsonObject: vi.fn(actual.decodeJsonObject),
  };
});

const key = generateKey('ES256');

describe('oversized tokens', () => {
  beforeEach(() => {
    vi.mocked(decodeBase64url).mockClear();
    vi.mocked(decodeJsonObject).mockClear();
  });

  it('decodes the segments of an ordinary token (the spies do see parsing)', async () => {
    const { verifier } = forgeVerifier([key.jwk]);
    await verifier.verifyAccessToken(signToken(key));
    expect(vi.mocked(decodeJsonObject)).toHaveBeenCalledTimes(2);
    expect(vi.mocked(decodeBase64url)).toHaveBeenCalled();
  });

  it('refuses a 1 MB token without decoding any of it or fetching keys', async () => {
    const { verifier, jwks } = forgeVerifier([key.jwk]);
    const [header, , signature] = signToken(key).split('.');
    const token = `${header}.${'eyJ'.repeat(349_526)}.${signature}`;
    expect(token.length).toBeGreaterThan(1_048_576);
    await expectRefusal(verifier, token, 'token_malformed');
    expect(vi.mocked(decodeJsonObject)).not.toHaveBeenCalled();
    expect(vi.mocked(decodeBase64url)).not.toHaveBeenCalled();
    expect(jwks.requests).toEqual([]);
  });

  it('refuses a token one character over maxTokenLength without decoding it', async () => {
    const token = signToken(key);
    const { verifier } = forgeVerifier([key.jwk], { maxTokenLength: token.length - 1 });
    await expectRefusal(verifier, token, 'token_malformed');
    expect(vi.mocked(decodeJsonObject)).not.toHaveBeenCalled();
    expect(vi.mocked(decodeBase64url)).not.toHaveBeenCalled();
  });

  it('accepts the same token when it is exactly maxTokenLength long', async () => {
    const token = signToken(key);
    const { verifier } = forgeVerifier([key.jwk], { maxTokenLength: token.length });
    await expect(verifier.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });
});

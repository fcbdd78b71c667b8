import { describe, expect, it } from 'vitest';
import { AccessTokenError, ERROR_DESCRIPTION, insufficientScope, type ErrorCode } from '../../src/index.js';
import { answerForError, answerForRequest, type AnswerSettings } from '../../src/lib/answer.js';
import { bearerChallenge, quotedString } from '../../src/lib/challenge.js';

const settings: AnswerSettings = { realm: 'api', resourceMetadata: undefined, retryAfter: 30 };

describe('WWW-Authenticate', () => {
  it('writes parameters in RFC 6750 order and leaves unset ones out', () => {
    expect(bearerChallenge({ scope: 'a b', realm: 'api', error: 'insufficient_scope' })).toBe(
      'Bearer realm="api", error="insufficient_scope", scope="a b"',
    );
    expect(bearerChallenge({})).toBe('Bearer');
  });

  it('escapes quotes and backslashes so a value cannot leave its quoted-string', () => {
    expect(quotedString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(bearerChallenge({ realm: 'x", error="forged' })).toBe('Bearer realm="x\\", error=\\"forged"');
  });

  it('replaces control characters and non-ASCII, so no header can be injected', () => {
    const challenge = bearerChallenge({ realm: 'a\r\nSet-Cookie: x=1', error_description: 'caf\u00e9 \u{1f600}' });
    expect(challenge).not.toMatch(/[\r\n]/);
    expect(challenge).toBe('Bearer realm="a??Set-Cookie: x=1", error_description="caf? ??"');
  });
});

describe('answers', () => {
  it('maps every 401 code but the DPoP ones to invalid_token with its plain description', () => {
    const dpopCodes = ['dpop_proof_invalid', 'dpop_nonce_required'];
    const codes = Object.keys(ERROR_DESCRIPTION).filter(
      (code) => new AccessTokenError(code as ErrorCode, 'm').status === 401 && !dpopCodes.includes(code),
    );
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) {
      const answer = answerForError(new AccessTokenError(code as ErrorCode, 'internal detail'), settings);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'invalid_token', error_description: ERROR_DESCRIPTION[code as ErrorCode] });
      expect(answer.headers['www-authenticate']).toBe(
        `Bearer realm="api", error="invalid_token", error_description="${ERROR_DESCRIPTION[code as ErrorCode]}"`,
      );
      expect(JSON.stringify(answer)).not.toContain('internal detail');
    }
  });

  it("sends the refusal's own retryAfter rather than the configured one when it has one", () => {
    const answer = answerForError(new AccessTokenError('jwks_unavailable', 'down', { retryAfter: 12 }), settings);
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual({ 'retry-after': '12' });
  });

  it.each<ErrorCode>(['jwks_unavailable', 'revocation_unavailable'])('answers %s with 503 and Retry-After, no challenge', (code) => {
    const answer = answerForError(new AccessTokenError(code, 'down'), settings);
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual({ 'retry-after': '30' });
    expect(answer.body).toEqual({ error: 'temporarily_unavailable', error_description: ERROR_DESCRIPTION[code] });
  });

  it('answers a guard refusal with 403 and the scope and description it gave', () => {
    const answer = answerForError(insufficientScope('lacks b', { requiredScopes: ['a', 'b'], description: 'missing b' }), settings);
    expect(answer.status).toBe(403);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", error_description="missing b", scope="a b"');
    expect(answer.body).toEqual({ error: 'insufficient_scope', error_description: 'missing b' });
  });

  it('answers a plain insufficient_scope error with the generic description and no scope', () => {
    const answer = answerForError(new AccessTokenError('insufficient_scope', 'x'), settings);
    expect(answer.headers['www-authenticate']).not.toContain('scope="');
    expect(answer.body.error_description).toBe(ERROR_DESCRIPTION.insufficient_scope);
  });

  it('adds resource_metadata to every challenge when configured', () => {
    const withMetadata = { ...settings, resourceMetadata: 'https://api.example.com/.well-known/oauth-protected-resource' };
    for (const answer of [
      answerForRequest('missing', withMetadata),
      answerForRequest('multiple', withMetadata),
      answerForError(new AccessTokenError('token_expired', 'x'), withMetadata),
      answerForError(insufficientScope('x'), withMetadata),
    ]) {
      expect(answer.headers['www-authenticate']).toContain(`resource_metadata="${withMetadata.resourceMetadata}"`);
    }
  });

  it('freezes answers so an errorResponse cannot change them for the next request', () => {
    const answer = answerForRequest('missing', settings);
    expect(Object.isFrozen(answer) && Object.isFrozen(answer.headers) && Object.isFrozen(answer.body)).toBe(true);
  });
});

describe('DPoP challenges (RFC 9449 §7.1, §8)', () => {
  const dpop = { algs: 'ES256 EdDSA', advertise: true, bearer: true };

  it('offers DPoP with its algs beside Bearer when both are taken', () => {
    const answer = answerForRequest('missing', { ...settings, dpop });
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="api", DPoP realm="api", algs="ES256 EdDSA"');
  });

  it('offers DPoP alone when only DPoP is taken, with the error in it', () => {
    const answer = answerForError(new AccessTokenError('token_binding_invalid', 'm'), { ...settings, dpop: { ...dpop, bearer: false } }, 'Bearer');
    expect(answer.headers['www-authenticate']).toBe(
      `DPoP realm="api", error="invalid_token", error_description="${ERROR_DESCRIPTION.token_binding_invalid}", algs="ES256 EdDSA"`,
    );
  });

  it('answers a bad proof with invalid_dpop_proof in the DPoP challenge', () => {
    const answer = answerForError(new AccessTokenError('dpop_proof_invalid', 'm'), { ...settings, dpop }, 'DPoP');
    expect(answer.body.error).toBe('invalid_dpop_proof');
    expect(answer.headers['www-authenticate']).toBe(
      `Bearer realm="api", DPoP realm="api", error="invalid_dpop_proof", error_description="${ERROR_DESCRIPTION.dpop_proof_invalid}", algs="ES256 EdDSA"`,
    );
  });

  it('answers a missing nonce with use_dpop_nonce and the DPoP-Nonce header', () => {
    const error = new AccessTokenError('dpop_nonce_required', 'm', { dpopNonce: 'abc.def' });
    const answer = answerForError(error, { ...settings, dpop: { ...dpop, advertise: false } }, 'DPoP');
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('use_dpop_nonce');
    expect(answer.headers['dpop-nonce']).toBe('abc.def');
    expect(answer.headers['www-authenticate']).toContain('DPoP realm="api", error="use_dpop_nonce"');
  });

  it('keeps the Bearer challenge as it was for a verifier that does not advertise DPoP', () => {
    const answer = answerForError(new AccessTokenError('token_expired', 'm'), { ...settings, dpop: { ...dpop, advertise: false } }, 'Bearer');
    expect(answer.headers['www-authenticate']).toBe(`Bearer realm="api", error="invalid_token", error_description="${ERROR_DESCRIPTION.token_expired}"`);
  });
});

import { describe, expect, it } from 'vitest';
import { createIssuerSelector, resolveIssuers } from '../../src/claims/issuers.js';
import { normalizeTyp, validateClaims, type ClaimRules } from '../../src/claims/validate.js';
import type { JwsHeader } from '../../src/token/parse.js';

const NOW = 1_800_000_000;
const rules: ClaimRules = { audiences: ['orders-api'], clockTolerance: 5, maxTokenAge: undefined, typ: undefined, requiredClaims: [] };
const header: JwsHeader = { alg: 'RS256', typ: 'at+jwt' };
const valid = { iss: 'https://issuer.test', aud: 'orders-api', exp: NOW + 60, iat: NOW - 10, sub: 'alice', jti: 'j1' };

function codeOf(payload: Record<string, unknown>, overrides: Partial<ClaimRules> = {}, tokenHeader: JwsHeader = header): string {
  try {
    validateClaims(tokenHeader, payload, { ...rules, ...overrides }, NOW);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
}

describe('validateClaims', () => {
  it('accepts a token with valid claims', () => {
    expect(codeOf(valid)).toBe('accepted');
  });

  describe('exp', () => {
    it('is required: access tokens must expire', () => {
      expect(codeOf({ ...valid, exp: undefined })).toBe('claim_invalid');
    });
    it('refuses a token past exp beyond the clock tolerance', () => {
      expect(codeOf({ ...valid, exp: NOW - 6 })).toBe('token_expired');
      expect(codeOf({ ...valid, exp: NOW - 5 })).toBe('token_expired');
    });
    it('accepts a token within the clock tolerance after exp', () => {
      expect(codeOf({ ...valid, exp: NOW - 4 })).toBe('accepted');
      expect(codeOf({ ...valid, exp: NOW - 4 }, { clockTolerance: 0 })).toBe('token_expired');
    });
    it.each([
      ['a string', '1900000000'],
      ['an array', [NOW + 60]],
      ['an object', { value: NOW + 60 }],
      ['Infinity (1e400)', Number.POSITIVE_INFINITY],
      ['NaN', Number.NaN],
      ['negative', -1],
      ['null', null],
      ['a boolean', true],
    ])('must be a NumericDate, not %s', (_name, exp) => {
      expect(codeOf({ ...valid, exp })).toBe('claim_invalid');
    });
  });

  describe('nbf and iat', () => {
    it('refuses a token before nbf beyond the tolerance', () => {
      expect(codeOf({ ...valid, nbf: NOW + 6 })).toBe('token_not_yet_valid');
      expect(codeOf({ ...valid, nbf: NOW + 5 })).toBe('accepted');
    });
    it('refuses a token issued in the future beyond the tolerance', () => {
      expect(codeOf({ ...valid, iat: NOW + 6 })).toBe('token_not_yet_valid');
      expect(codeOf({ ...valid, iat: NOW + 5 })).toBe('accepted');
    });
    it.each([['nbf'], ['iat']])('refuses a non-numeric %s', (name) => {
      expect(codeOf({ ...valid, [name]: String(NOW) })).toBe('claim_invalid');
      expect(codeOf({ ...valid, [name]: [NOW] })).toBe('claim_invalid');
      expect(codeOf({ ...valid, [name]: Number.POSITIVE_INFINITY })).toBe('claim_invalid');
    });
  });

  describe('maxTokenAge', () => {
    it('refuses a token older than maxTokenAge plus tolerance', () => {
      expect(codeOf({ ...valid, iat: NOW - 3606 }, { maxTokenAge: 3600 })).toBe('token_expired');
      expect(codeOf({ ...valid, iat: NOW - 3604 }, { maxTokenAge: 3600 })).toBe('accepted');
    });
    it('requires iat when set', () => {
      expect(codeOf({ ...valid, iat: undefined }, { maxTokenAge: 3600 })).toBe('claim_invalid');
      expect(codeOf({ ...valid, iat: undefined })).toBe('accepted');
    });
  });

  describe('aud', () => {
    it('accepts a string or an array containing a configured audience', () => {
      expect(codeOf({ ...valid, aud: ['other', 'orders-api'] })).toBe('accepted');
      expect(codeOf({ ...valid, aud: 'billing' }, { audiences: ['orders-api', 'billing'] })).toBe('accepted');
    });
    it('refuses a token for another audience', () => {
      expect(codeOf({ ...valid, aud: 'billing' })).toBe('audience_invalid');
      expect(codeOf({ ...valid, aud: ['billing', 'shipping'] })).toBe('audience_invalid');
    });
    it('refuses a token without aud', () => {
      expect(codeOf({ ...valid, aud: undefined })).toBe('audience_invalid');
    });
    it.each([
      ['an empty array', []],
      ['a number', 42],
      ['a nested array', [['orders-api']]],
      ['an array with a number', ['orders-api', 1]],
      ['an object', { aud: 'orders-api' }],
    ])('refuses aud as %s', (_name, aud) => {
      expect(codeOf({ ...valid, aud })).toBe('claim_invalid');
    });
  });

  describe('typ', () => {
    it('compares per RFC 7515: case-insensitive, "application/" optional', () => {
      const typRules = { typ: normalizeTyp('at+jwt') };
      for (const typ of ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt']) {
        expect(codeOf(valid, typRules, { alg: 'RS256', typ })).toBe('accepted');
      }
    });
    it('refuses another or a missing typ when one is configured', () => {
      const typRules = { typ: normalizeTyp('application/at+jwt') };
      expect(codeOf(valid, typRules, { alg: 'RS256', typ: 'JWT' })).toBe('type_invalid');
      expect(codeOf(valid, typRules, { alg: 'RS256' })).toBe('type_invalid');
      expect(codeOf(valid, typRules, { alg: 'RS256', typ: 'application/x/at+jwt' })).toBe('type_invalid');
    });
    it('accepts any typ when none is configured', () => {
      expect(codeOf(valid, {}, { alg: 'RS256', typ: 'JWT' })).toBe('accepted');
    });
  });

  describe('requiredClaims and claim types', () => {
    it('refuses a token missing a required claim, or carrying it as null', () => {
      expect(codeOf({ ...valid, jti: undefined }, { requiredClaims: ['sub', 'jti'] })).toBe('claim_invalid');
      expect(codeOf({ ...valid, tenant: null }, { requiredClaims: ['tenant'] })).toBe('claim_invalid');
      expect(codeOf({ ...valid, tenant: 't1' }, { requiredClaims: ['tenant'] })).toBe('accepted');
    });
    it('is not satisfied by inherited properties such as constructor', () => {
      expect(codeOf(valid, { requiredClaims: ['constructor'] })).toBe('claim_invalid');
      expect(codeOf(valid, { requiredClaims: ['toString'] })).toBe('claim_invalid');
    });
    it('refuses sub or jti that are not strings', () => {
      expect(codeOf({ ...valid, sub: 42 })).toBe('claim_invalid');
      expect(codeOf({ ...valid, jti: ['a'] })).toBe('claim_invalid');
    });
    it('refuses a client_id that is not a string, even where it is required', () => {
      expect(codeOf({ ...valid, client_id: ['bar'] }, { requiredClaims: ['client_id'] })).toBe('claim_invalid');
      expect(codeOf({ ...valid, client_id: 7 })).toBe('claim_invalid');
      expect(codeOf({ ...valid, client_id: 'bar' }, { requiredClaims: ['client_id'] })).toBe('accepted');
    });
    it('refuses a scope that is not a space-delimited string', () => {
      expect(codeOf({ ...valid, scope: 12345 })).toBe('claim_invalid');
      expect(codeOf({ ...valid, scope: ['orders:read'] })).toBe('claim_invalid');
      expect(codeOf({ ...valid, scope: 'orders:read orders:write' })).toBe('accepted');
    });
    it('accepts scp as a string or an array of strings, and refuses anything else', () => {
      expect(codeOf({ ...valid, scp: ['orders:read'] })).toBe('accepted');
      expect(codeOf({ ...valid, scp: 'orders:read' })).toBe('accepted');
      expect(codeOf({ ...valid, scp: [1] })).toBe('claim_invalid');
      expect(codeOf({ ...valid, scp: { read: true } })).toBe('claim_invalid');
    });
  });
});

describe('clientId (audience-less tokens)', () => {
  const clients = { audiences: undefined, clientIds: ['app-1', 'app-2'] };
  const noAud = { ...valid, aud: undefined };

  it('accepts a listed client_id, with no aud at all', () => {
    expect(codeOf({ ...noAud, client_id: 'app-1' }, clients)).toBe('accepted');
  });
  it('falls back to azp, then cid, only where the token has no client_id', () => {
    expect(codeOf({ ...noAud, azp: 'app-2' }, clients)).toBe('accepted');
    expect(codeOf({ ...noAud, cid: 'app-2' }, clients)).toBe('accepted');
    // client_id decides when present: a listed azp or cid next to it does not help.
    expect(codeOf({ ...noAud, client_id: 'other', azp: 'app-1', cid: 'app-1' }, clients)).toBe('audience_invalid');
    expect(codeOf({ ...noAud, azp: 'other', cid: 'app-1' }, clients)).toBe('audience_invalid');
  });
  it('refuses a token naming no client, or another one, as audience_invalid', () => {
    expect(codeOf(noAud, clients)).toBe('audience_invalid');
    expect(codeOf({ ...noAud, client_id: 'app-3' }, clients)).toBe('audience_invalid');
  });
  it('refuses an azp or cid that is not a string', () => {
    expect(codeOf({ ...noAud, azp: ['app-1'] }, clients)).toBe('claim_invalid');
    expect(codeOf({ ...noAud, cid: 7 }, clients)).toBe('claim_invalid');
  });
  it('treats an empty aud array as no audience when no audience is configured (Ory Hydra)', () => {
    expect(codeOf({ ...valid, aud: [], client_id: 'app-1' }, clients)).toBe('accepted');
    expect(codeOf({ ...valid, aud: [], client_id: 'app-1' }, { ...clients, audiences: ['orders-api'] })).toBe('claim_invalid');
  });
  it('accepts any well-formed aud when no audience is configured, and refuses a malformed one', () => {
    expect(codeOf({ ...valid, aud: 'account', client_id: 'app-1' }, clients)).toBe('accepted');
    expect(codeOf({ ...valid, aud: 42, client_id: 'app-1' }, clients)).toBe('claim_invalid');
  });
  it('needs both to match when audience and clientId are configured', () => {
    const both = { audiences: ['orders-api'], clientIds: ['app-1'] };
    expect(codeOf({ ...valid, client_id: 'app-1' }, both)).toBe('accepted');
    expect(codeOf({ ...valid, client_id: 'app-3' }, both)).toBe('audience_invalid');
    expect(codeOf({ ...valid, aud: 'billing', client_id: 'app-1' }, both)).toBe('audience_invalid');
  });
});

describe('expectClaims', () => {
  const expectations = [
    { name: 'token_use', values: ['access'] },
    { name: 'ver', values: [1, 2] },
    { name: 'email_verified', values: [true] },
  ];
  const expected = { ...valid, token_use: 'access', ver: 2, email_verified: true };

  it('accepts claims holding an expected value', () => {
    expect(codeOf(expected, { expectations })).toBe('accepted');
    expect(codeOf({ ...expected, ver: 1 }, { expectations })).toBe('accepted');
  });
  it.each<[string, Record<string, unknown>]>([
    ['a missing claim', { token_use: undefined }],
    ['another value', { token_use: 'id' }],
    ['the same text as another type', { ver: '2' }],
    ['a value outside the list', { ver: 3 }],
    ['an array holding the value', { token_use: ['access'] }],
  ])('refuses %s as claim_invalid, naming the claim and not its value', (_name, claims) => {
    const payload = { ...expected, ...claims };
    let message = '';
    try {
      validateClaims(header, payload, { ...rules, expectations }, NOW);
    } catch (error) {
      message = (error as Error).message;
      expect((error as { code: string }).code).toBe('claim_invalid');
    }
    expect(message).toMatch(/"(token_use|ver)" claim/);
    expect(message).not.toMatch(/"id"|\b3\b|'2'/);
  });
  it('is not satisfied by an inherited property', () => {
    expect(codeOf(valid, { expectations: [{ name: 'constructor', values: ['x'] }] })).toBe('claim_invalid');
  });
});

describe('sub and auth_time, always checked', () => {
  it('refuses an empty sub', () => {
    expect(codeOf({ ...valid, sub: '' })).toBe('claim_invalid');
    expect(codeOf({ ...valid, sub: undefined })).toBe('accepted');
  });
  it('refuses an auth_time in the future beyond the tolerance as token_not_yet_valid', () => {
    expect(codeOf({ ...valid, auth_time: NOW + 6 })).toBe('token_not_yet_valid');
    expect(codeOf({ ...valid, auth_time: NOW + 5 })).toBe('accepted');
    expect(codeOf({ ...valid, auth_time: NOW - 86400 })).toBe('accepted');
  });
  it.each([['a string', String(NOW)], ['negative', -1], ['NaN', Number.NaN], ['null', null]])('refuses an auth_time that is %s', (_name, authTime) => {
    expect(codeOf({ ...valid, auth_time: authTime })).toBe('claim_invalid');
  });
});

describe('the issuer selector', () => {
  const byIssuer = new Map([['https://issuer.test', 'source']]);
  const select = createIssuerSelector(resolveIssuers('https://issuer.test', undefined), byIssuer);
  const code = (payload: Record<string, unknown>): string => {
    try {
      return select(payload) as string;
    } catch (error) {
      return (error as { code: string }).code;
    }
  };
  it('returns the entry of a configured issuer', () => {
    expect(code({ iss: 'https://issuer.test' })).toBe('source');
  });
  it('compares exactly: no trailing-slash or case normalisation', () => {
    expect(code({ iss: 'https://issuer.test/' })).toBe('issuer_invalid');
    expect(code({ iss: 'https://ISSUER.test' })).toBe('issuer_invalid');
  });
  it('refuses a missing issuer, and a non-string one as a claim type error', () => {
    expect(code({})).toBe('issuer_invalid');
    expect(code({ iss: ['https://issuer.test'] })).toBe('claim_invalid');
    expect(code({ iss: '__proto__' })).toBe('issuer_invalid');
  });
});

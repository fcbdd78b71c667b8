import { describe, expect, it } from 'vitest';
import { SUPPORTED_ALGORITHMS } from '../../src/token/algorithms.js';
import { createKnownHeaders, parseCompactJws, type ParseOptions } from '../../src/token/parse.js';

const options: ParseOptions = { maxTokenLength: 8192, algorithms: new Set(SUPPORTED_ALGORITHMS) };
const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (header: unknown, payload: unknown = { sub: 'a' }, signature = 'c2ln'): string =>
  `${segment(header)}.${segment(payload)}.${signature}`;

function codeOf(input: unknown, parseOptions = options): string {
  try {
    parseCompactJws(input, parseOptions);
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'accepted';
}

describe('parseCompactJws', () => {
  it('splits a compact JWS into header, payload, signing input and signature bytes', () => {
    const input = token({ alg: 'RS256', kid: 'k1' }, { sub: 'alice' });
    const parsed = parseCompactJws(input, options);
    expect(parsed.header).toEqual({ alg: 'RS256', kid: 'k1' });
    expect(parsed.payload).toEqual({ sub: 'alice' });
    expect(parsed.signingInput).toBe(input.slice(0, input.lastIndexOf('.')));
    expect(Buffer.from(parsed.signature).toString()).toBe('sig');
  });

  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['an object', {}],
    ['an empty string', ''],
  ])('refuses %s as token_malformed', (_name, input) => {
    expect(codeOf(input)).toBe('token_malformed');
  });

  it('refuses a token over maxTokenLength before decoding anything', () => {
    const long = token({ alg: 'RS256' }, { pad: 'x'.repeat(9000) });
    expect(codeOf(long)).toBe('token_malformed');
    expect(() => parseCompactJws(long, options)).toThrow(/longer than 8192/);
    expect(codeOf(long, { ...options, maxTokenLength: 20_000 })).toBe('accepted');
  });

  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['five segments (JWE)', 'a.b.c.d.e'],
    ['JSON serialization', '{"payload":"x","signatures":[]}'],
  ])('refuses %s', (_name, input) => {
    expect(codeOf(input)).toBe('token_malformed');
  });

  // Extra segments are found only once decoding fails; a dot in the signature never decodes.
  it.each([
    ['after a valid token', (valid: string) => `${valid}.c2ln`, /must have 3 segments, found 4/],
    ['in the signature', (valid: string) => `${valid.slice(0, -2)}.${valid.slice(-2)}`, /must have 3 segments, found 4/],
    ['at the end', (valid: string) => `${valid}.`, /must have 3 segments, found 4/],
    ['twice more, as in a JWE', (valid: string) => `${valid}.a.b`, /encrypted tokens \(JWE\) are not accepted/],
  ])('refuses extra segments %s for their count, whether or not the header is already known', (_where, extend, message) => {
    const valid = token({ alg: 'RS256', kid: 'k1' }, { sub: 'alice' }, 'c2lnbmF0dXJlcw');
    const withKnownHeaders = { ...options, headers: createKnownHeaders() };
    parseCompactJws(valid, withKnownHeaders);
    expect(withKnownHeaders.headers.size).toBe(1);
    for (const parseOptions of [options, withKnownHeaders]) {
      expect(() => parseCompactJws(extend(valid), parseOptions)).toThrow(message);
    }
  });

  it('names JWE tokens clearly', () => {
    expect(() => parseCompactJws('a.b.c.d.e', options)).toThrow(/encrypted tokens \(JWE\) are not accepted/);
    const jweHeader = `${segment({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.x.y`;
    expect(() => parseCompactJws(jweHeader, options)).toThrow(/encrypted tokens/);
  });

  it.each([
    ['header is an array', token([1])],
    ['header is null', token(null)],
    ['payload is a string', token({ alg: 'RS256' }, 'x')],
    ['payload is a number', token({ alg: 'RS256' }, 7)],
    ['header has duplicate members', `${Buffer.from('{"alg":"RS256","alg":"none"}').toString('base64url')}.${segment({})}.c2ln`],
    ['payload has duplicate members', `${segment({ alg: 'RS256' })}.${Buffer.from('{"sub":"a","sub":"b"}').toString('base64url')}.c2ln`],
    ['signature is padded', `${token({ alg: 'RS256' })}=`],
    ['header contains whitespace', ` ${token({ alg: 'RS256' })}`],
  ])('refuses a token whose %s', (_name, input) => {
    expect(codeOf(input)).toBe('token_malformed');
  });

  it.each(['none', 'None', 'NONE'])('never accepts alg %s', (alg) => {
    expect(codeOf(token({ alg }))).toBe('algorithm_not_allowed');
  });

  it.each(['HS256', 'HS512', 'RSA-OAEP', 'ES256K'])('refuses alg %s, which is outside every allowlist', (alg) => {
    expect(codeOf(token({ alg }))).toBe('algorithm_not_allowed');
  });

  it('refuses an alg outside the configured allowlist', () => {
    const only = { ...options, algorithms: new Set(['ES256']) };
    expect(codeOf(token({ alg: 'RS256' }), only)).toBe('algorithm_not_allowed');
    expect(codeOf(token({ alg: 'ES256' }), only)).toBe('accepted');
  });

  it.each([
    ['alg is missing', {}],
    ['alg is a number', { alg: 1 }],
    ['kid is a number', { alg: 'RS256', kid: 7 }],
    ['typ is an object', { alg: 'RS256', typ: {} }],
    ['b64 is false', { alg: 'RS256', b64: false, crit: ['b64'] }],
    ['cty is JWT (a nested token)', { alg: 'RS256', cty: 'JWT' }],
    ['crit names an unknown parameter', { alg: 'RS256', crit: ['exp'], exp: 1 }],
    ['crit names an absent parameter', { alg: 'RS256', crit: ['b64'] }],
    ['crit is empty', { alg: 'RS256', crit: [] }],
    ['crit is not an array', { alg: 'RS256', crit: 'b64' }],
    ['crit names a parameter twice', { alg: 'RS256', b64: true, crit: ['b64', 'b64'] }],
    ['crit names an inherited property', { alg: 'RS256', crit: ['constructor'] }],
  ])('refuses a header where %s', (_name, header) => {
    expect(codeOf(token(header))).toBe('token_malformed');
  });

  it('accepts b64: true listed in crit, since it changes nothing', () => {
    expect(codeOf(token({ alg: 'RS256', b64: true, crit: ['b64'] }))).toBe('accepted');
  });

  it('ignores jku, x5u, jwk and x5c: they are parsed, never acted on', () => {
    const parsed = parseCompactJws(
      token({ alg: 'RS256', jku: 'http://127.0.0.1:1/keys', x5u: 'http://127.0.0.1:1/x', jwk: { kty: 'RSA' }, x5c: ['AA'] }),
      options,
    );
    expect(parsed.header.alg).toBe('RS256');
  });

  describe('with a header cache', () => {
    it('decodes a header once and shares it, frozen, between tokens', () => {
      const headers = createKnownHeaders();
      const cached = { ...options, headers };
      const first = parseCompactJws(token({ alg: 'ES256', kid: 'k' }, { sub: 'a' }), cached);
      const second = parseCompactJws(token({ alg: 'ES256', kid: 'k' }, { sub: 'b' }), cached);
      expect(second.header).toBe(first.header);
      expect(Object.isFrozen(first.header)).toBe(true);
      expect(second.payload).toEqual({ sub: 'b' });
    });

    it('never caches a header it refuses', () => {
      const headers = createKnownHeaders();
      const cached = { ...options, headers };
      expect(codeOf(token({ alg: 'none' }), cached)).toBe('algorithm_not_allowed');
      expect(codeOf(token({ alg: 'none' }), cached)).toBe('algorithm_not_allowed');
      expect(headers.size).toBe(0);
    });

    it('stays bounded however many distinct headers arrive', () => {
      const headers = createKnownHeaders();
      const cached = { ...options, headers };
      for (let i = 0; i < 200; i++) parseCompactJws(token({ alg: 'RS256', kid: `k${i}` }), cached);
      expect(headers.size).toBeLessThanOrEqual(16);
      // The newest headers are the ones kept.
      const again = parseCompactJws(token({ alg: 'RS256', kid: 'k199' }), cached);
      const newest = token({ alg: 'RS256', kid: 'k199' });
      const oldest = token({ alg: 'RS256', kid: 'k0' });
      expect(headers.find(newest.slice(0, newest.indexOf('.')))).toBe(again.header);
      expect(headers.find(oldest.slice(0, oldest.indexOf('.')))).toBeUndefined();
    });

    it('finds a known header only where the token segment is exactly its segment', () => {
      const headers = createKnownHeaders();
      const known = token({ alg: 'RS256', kid: 'k' });
      const { header } = parseCompactJws(known, { ...options, headers });
      const segment = known.slice(0, known.indexOf('.'));
      expect(headers.find(segment)).toBe(header);
      // The known segment with more characters, or fewer, is another segment.
      expect(headers.find(`${segment}QQ`)).toBeUndefined();
      expect(headers.find(segment.slice(0, -2))).toBeUndefined();
    });
  });
});

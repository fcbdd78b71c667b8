import { describe, expect, it } from 'vitest';
import { extractBearer, isB64token } from '../../src/lib/bearer.js';

describe('extractBearer (RFC 6750 §2)', () => {
  it.each<[string, string]>([
    ['Bearer', 'Bearer abc.def-ghi_jkl~mno+pqr/stu=='],
    ['lower case', 'bearer abc.def-ghi_jkl~mno+pqr/stu=='],
    ['upper case', 'BEARER abc.def-ghi_jkl~mno+pqr/stu=='],
    ['several spaces', 'Bearer   abc.def-ghi_jkl~mno+pqr/stu=='],
    ['a tab', 'Bearer\tabc.def-ghi_jkl~mno+pqr/stu=='],
  ])('reads the token after the scheme (%s)', (_name, header) => {
    expect(extractBearer(header, undefined, undefined)).toEqual({ kind: 'token', token: 'abc.def-ghi_jkl~mno+pqr/stu==' });
  });

  it.each<[string, string | readonly string[] | null | undefined]>([
    ['no header', undefined],
    ['a null header', null],
    ['an empty list', []],
    ['Basic credentials', 'Basic YWxpY2U6c2VjcmV0'],
    ['a scheme that only starts with Bearer', 'Bearerx abc'],
    ['a Digest header', 'Digest username="alice", realm="bearer"'],
  ])('finds no token in %s', (_name, header) => {
    expect(extractBearer(header, undefined, undefined)).toEqual({ kind: 'none' });
  });

  it.each<[string, string]>([
    ['the scheme alone', 'Bearer'],
    ['the scheme and spaces', 'Bearer   '],
    ['a space inside the token', 'Bearer abc def'],
    ['characters outside b64token', 'Bearer abc"def'],
    ['padding in the middle', 'Bearer ab=cd'],
    ['a trailing comma', 'Bearer abc,'],
    ['another credential in the same header', 'Basic YWxpY2U6c2VjcmV0, Bearer abc'],
  ])('calls %s malformed', (_name, header) => {
    expect(extractBearer(header, undefined, undefined)).toEqual({ kind: 'malformed' });
  });

  it('sees two tokens in repeated headers and in one joined header', () => {
    expect(extractBearer(['Bearer a', 'Bearer b'], undefined, undefined)).toEqual({ kind: 'multiple' });
    expect(extractBearer('Bearer a, Bearer a', undefined, undefined)).toEqual({ kind: 'multiple' });
  });

  it('ignores headers of other schemes next to one Bearer header', () => {
    expect(extractBearer(['Basic eA==', 'Bearer abc'], undefined, undefined)).toEqual({ kind: 'token', token: 'abc' });
  });

  describe('cookie', () => {
    it('reads the named cookie only when a name is given', () => {
      expect(extractBearer(undefined, 'a=1; at=tok.en; b=2', 'at')).toEqual({ kind: 'token', token: 'tok.en' });
      expect(extractBearer(undefined, 'a=1; at=tok.en; b=2', undefined)).toEqual({ kind: 'none' });
    });

    it('matches the whole cookie name, not a prefix or suffix', () => {
      expect(extractBearer(undefined, 'xat=1; at_=2', 'at')).toEqual({ kind: 'none' });
    });

    it('unquotes a quoted value and treats an emptied cookie as none', () => {
      expect(extractBearer(undefined, 'at="tok.en"', 'at')).toEqual({ kind: 'token', token: 'tok.en' });
      expect(extractBearer(undefined, 'at=', 'at')).toEqual({ kind: 'none' });
    });

    it('sees two tokens in a repeated cookie, in cookies joined by a runtime, and in header plus cookie', () => {
      expect(extractBearer(undefined, 'at=one; at=two', 'at')).toEqual({ kind: 'multiple' });
      expect(extractBearer(undefined, 'at=one, at=two', 'at')).toEqual({ kind: 'multiple' });
      expect(extractBearer(undefined, ['at=one', 'at=two'], 'at')).toEqual({ kind: 'multiple' });
      expect(extractBearer('Bearer one', 'at=one', 'at')).toEqual({ kind: 'multiple' });
    });

    it('uses the cookie next to an Authorization header of another scheme', () => {
      expect(extractBearer('Basic eA==', 'at=tok', 'at')).toEqual({ kind: 'token', token: 'tok' });
    });
  });
});

// Both Authorization readers check the token with isB64token, which remembers the last token it
// accepted so that the second reading of one header does not scan it again.
describe('isB64token', () => {
  it('accepts the RFC 6750 alphabet with trailing padding, and nothing else', () => {
    expect(isB64token('abc.DEF-ghi_jkl~mno+pqr/stu==')).toBe(true);
    expect(isB64token('')).toBe(false);
    expect(isB64token('=')).toBe(false);
    expect(isB64token('ab=c')).toBe(false);
    expect(isB64token('ab c')).toBe(false);
    expect(isB64token('abc\n')).toBe(false);
  });

  it('answers for the text it is given, whatever it accepted just before', () => {
    expect(isB64token('abc')).toBe(true);
    expect(isB64token('abc')).toBe(true);
    expect(isB64token('abc ')).toBe(false);
    expect(isB64token('ab')).toBe(true);
    expect(isB64token('abc"')).toBe(false);
    expect(isB64token('abc')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { headerValues, readCredential } from '../../src/dpop/headers.js';

// The Authorization grammar both schemes share (RFC 9449 §7.1, RFC 6750 §2.1): the scheme in any
// case, one or more spaces or tabs, a b64token, and nothing else.
describe('readCredential', () => {
  const TOKEN = 'abc.def-ghi_jkl~mno+pqr/stu==';

  it.each<[string, string, 'Bearer' | 'DPoP']>([
    ['Bearer', `Bearer ${TOKEN}`, 'Bearer'],
    ['upper-case BEARER', `BEARER ${TOKEN}`, 'Bearer'],
    ['DPoP', `DPoP ${TOKEN}`, 'DPoP'],
    ['lower-case dpop after spaces and a tab', `dpop  \t${TOKEN}`, 'DPoP'],
  ])('reads the scheme and token of %s', (_name, header, scheme) => {
    expect(readCredential(headerValues({ authorization: header }, 'authorization'))).toEqual({ kind: 'token', scheme, token: TOKEN });
  });

  it.each<[string, string]>([
    ['the scheme alone', 'DPoP'],
    ['the scheme and a space', 'Bearer '],
    ['a space inside the token', 'Bearer abc def'],
    ['a character outside b64token', 'DPoP abc"def'],
    ['padding in the middle', 'Bearer ab=cd'],
    ['a token with a non-ASCII letter', 'Bearer abcé'],
  ])('calls %s malformed', (_name, header) => {
    expect(readCredential([header])).toEqual({ kind: 'malformed' });
  });

  it('ignores other schemes and schemes that only start like one', () => {
    expect(readCredential(['Basic YWxpY2U6c2VjcmV0', 'Bearerx abc', 'DPoPx abc'])).toEqual({ kind: 'none' });
    expect(readCredential(['Basic YWxpY2U6c2VjcmV0', `DPoP ${TOKEN}`])).toEqual({ kind: 'token', scheme: 'DPoP', token: TOKEN });
  });

  it('sees two credentials, joined in one header or in two', () => {
    expect(readCredential(headerValues({ authorization: `Bearer ${TOKEN}, DPoP ${TOKEN}` }, 'authorization'))).toEqual({ kind: 'multiple' });
    expect(readCredential([`DPoP ${TOKEN}`, `DPoP ${TOKEN}`])).toEqual({ kind: 'multiple' });
  });

  it('refuses a token it read before once something is appended to it', () => {
    expect(readCredential([`Bearer ${TOKEN}`])).toEqual({ kind: 'token', scheme: 'Bearer', token: TOKEN });
    expect(readCredential([`Bearer ${TOKEN} x`])).toEqual({ kind: 'malformed' });
    expect(readCredential([`Bearer ${TOKEN}"`])).toEqual({ kind: 'malformed' });
  });
});

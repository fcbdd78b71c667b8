import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { incomingToken, rememberIncomingToken } from '../../src/adapters/incoming-token.js';

describe('the incoming token of a request', () => {
  it('keeps one record per claims object while the token is the same (claims recalled from the cache)', () => {
    const claims = Object.freeze({ sub: 'ana' });
    rememberIncomingToken(claims, 'token-one', 'Bearer');
    const first = incomingToken(claims);
    rememberIncomingToken(claims, 'token-one', 'Bearer');
    expect(incomingToken(claims)).toBe(first);
  });

  it('records anew when the same claims come with another token or scheme', () => {
    const claims = Object.freeze({ sub: 'ben' });
    rememberIncomingToken(claims, 'token-one', 'Bearer');
    rememberIncomingToken(claims, 'token-two', 'Bearer');
    expect(incomingToken(claims)).toMatchObject({ token: 'token-two', scheme: 'Bearer' });
    rememberIncomingToken(claims, 'token-two', 'DPoP');
    expect(incomingToken(claims)).toMatchObject({ token: 'token-two', scheme: 'DPoP' });
  });

  it('never shows the token in JSON, util.inspect or its keys, and cannot be changed', () => {
    const claims = {};
    rememberIncomingToken(claims, 'secret-token-value', 'DPoP');
    const record = incomingToken(claims);
    expect(JSON.parse(JSON.stringify(record))).toEqual({ scheme: 'DPoP', token: '[redacted]' });
    expect(inspect(record, { depth: 5 })).not.toContain('secret-token-value');
    expect(inspect(record, { depth: 5, showHidden: true })).not.toContain('secret-token-value');
    expect(Object.keys(record)).toEqual(['scheme']);
    expect(Object.isFrozen(record)).toBe(true);
    expect(record.token).toBe('secret-token-value');
  });
});

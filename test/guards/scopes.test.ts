import { describe, expect, it } from 'vitest';
import { ERROR_DESCRIPTION, requireAnyScope, requireScopes } from '../../src/index.js';
import { grantedScopes } from '../../src/guards/scopes.js';
import { answerForError } from '../../src/lib/answer.js';
import { refusal } from '../helpers/refusal.js';
import { claims } from './support.js';

const settings = { realm: 'api', resourceMetadata: undefined, retryAfter: 30 };

describe('grantedScopes', () => {
  it('reads the space-delimited scope claim, ignoring repeated spaces', () => {
    expect([...grantedScopes(claims({ scope: ' a  b c ' }))]).toEqual(['a', 'b', 'c']);
  });

  it('reads scp as an array (Okta) or a string (Entra ID), together with scope', () => {
    expect([...grantedScopes(claims({ scope: 'a', scp: ['b', 7, 'c'] }))]).toEqual(['a', 'b', 'c']);
    expect([...grantedScopes(claims({ scp: 'User.Read Mail.Read' }))]).toEqual(['User.Read', 'Mail.Read']);
  });

  it('grants nothing from claims of other types', () => {
    expect(grantedScopes(claims({ scope: 42, scp: { a: true } })).size).toBe(0);
  });
});

describe('requireScopes', () => {
  it('passes when every scope is granted, synchronously', () => {
    expect(requireScopes('a', 'b')(claims({ scope: 'b c a' }))).toBeUndefined();
  });

  it('refuses with insufficient_scope (403), naming the missing scopes', async () => {
    const guard = requireScopes('orders:read', 'orders:write', 'admin');
    const error = await refusal(() => guard(claims({ scope: 'orders:read' })));
    expect(error.code).toBe('insufficient_scope');
    expect(error.status).toBe(403);
    expect(error.message).toBe('token lacks scopes orders:write, admin');
    const answer = answerForError(error, settings);
    expect(answer.body.error_description).toBe(`${ERROR_DESCRIPTION.insufficient_scope} (missing scopes: orders:write, admin)`);
    expect(answer.headers['www-authenticate']).toContain('scope="orders:read orders:write admin"');
  });

  it('refuses a token without any scope claim', async () => {
    expect((await refusal(() => requireScopes('a')(claims()))).code).toBe('insufficient_scope');
  });

  it('does not match scope prefixes or substrings', async () => {
    await refusal(() => requireScopes('orders')(claims({ scope: 'orders:read' })));
    await refusal(() => requireScopes('read')(claims({ scope: 'orders:read' })));
  });

  it.each<[string, unknown[]]>([
    ['no scope', []],
    ['an empty scope', ['']],
    ['a scope with a space', ['a b']],
    ['a scope with a quote', ['a"b']],
    ['a scope with a backslash', ['a\\b']],
    ['a non-string', [7]],
  ])('throws TypeError at construction for %s', (_name, scopes) => {
    expect(() => requireScopes(...(scopes as string[]))).toThrow(TypeError);
  });
});

describe('requireAnyScope', () => {
  it('passes with any one of the scopes', () => {
    expect(requireAnyScope('a', 'b')(claims({ scp: ['b'] }))).toBeUndefined();
  });

  it('refuses with none, listing the accepted scopes', async () => {
    const error = await refusal(() => requireAnyScope('a', 'b')(claims({ scope: 'c' })));
    const answer = answerForError(error, settings);
    expect(answer.headers['www-authenticate']).toContain('scope="a b"');
    expect(answer.body.error_description).toContain('one of the scopes: a, b');
  });

  it('throws TypeError at construction without scopes', () => {
    expect(() => requireAnyScope()).toThrow(TypeError);
  });
});

import { describe, expect, it } from 'vitest';
import { AccessTokenError, ERROR_DESCRIPTION, insufficientScope, requireClaims, requireRoles, requireScopes } from '../../src/index.js';
import { answerForError } from '../../src/lib/answer.js';
import { refusal } from '../helpers/refusal.js';
import { claims } from './support.js';

const settings = { realm: 'api', resourceMetadata: undefined, retryAfter: 30 };

describe('insufficientScope', () => {
  it('makes a 403 insufficient_scope refusal carrying the required scopes and a client-safe description', () => {
    const error = insufficientScope('token of alice lacks orders:refund', {
      requiredScopes: ['orders:refund'],
      description: 'Refunds need the orders:refund permission',
    });
    expect(error).toBeInstanceOf(AccessTokenError);
    expect(error.code).toBe('insufficient_scope');
    expect(error.status).toBe(403);
    expect(error.message).toBe('token of alice lacks orders:refund');
    expect(error.requiredScopes).toEqual(['orders:refund']);
    expect(error.description).toBe('Refunds need the orders:refund permission');
  });

  it('keeps its own frozen copy of the scopes', () => {
    const scopes = ['a'];
    const error = insufficientScope('x', { requiredScopes: scopes });
    scopes.push('b');
    expect(error.requiredScopes).toEqual(['a']);
    expect(Object.isFrozen(error.requiredScopes)).toBe(true);
  });

  it('leaves the fields out altogether when they are not set', () => {
    for (const error of [
      insufficientScope('x'),
      insufficientScope('x', {}),
      new AccessTokenError('token_expired', 'x'),
      new AccessTokenError('jwks_unavailable', 'x', { retryAfter: 3 }),
    ]) {
      expect('requiredScopes' in error).toBe(false);
      expect('description' in error).toBe(false);
    }
    expect('retryAfter' in new AccessTokenError('token_expired', 'x')).toBe(false);
  });

  it('refuses scopes a challenge cannot carry, and an empty description, naming the option', () => {
    expect(() => insufficientScope('x', { requiredScopes: ['orders write'] })).toThrow(/option "requiredScopes"/);
    expect(() => insufficientScope('x', { requiredScopes: ['say "hi"'] })).toThrow(TypeError);
    expect(() => insufficientScope('x', { requiredScopes: 'orders:write' as never })).toThrow(/option "requiredScopes"/);
    expect(() => insufficientScope('x', { description: '' })).toThrow(/option "description"/);
  });

  it('is what the built-in guards refuse with: scopes carry the route\'s scopes, roles and claims carry none', async () => {
    const scopes = await refusal(() => requireScopes('a', 'b')(claims({ scope: 'a' })), 'insufficient_scope');
    expect(scopes.requiredScopes).toEqual(['a', 'b']);
    expect(scopes.description).toBe(`${ERROR_DESCRIPTION.insufficient_scope} (missing scope: b)`);
    const roles = await refusal(() => requireRoles('admin')(claims()), 'insufficient_scope');
    const predicate = await refusal(() => requireClaims(() => false)(claims()), 'insufficient_scope');
    for (const error of [roles, predicate]) {
      expect('requiredScopes' in error).toBe(false);
      expect('description' in error).toBe(false);
      expect(answerForError(error, settings).body.error_description).toBe(ERROR_DESCRIPTION.insufficient_scope);
    }
  });

  it('gives its description to any refusal it is set on, 401 included', () => {
    const error = new AccessTokenError('claim_invalid', 'tenant claim missing', { description: 'The access token names no tenant' });
    const answer = answerForError(error, settings);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'invalid_token', error_description: 'The access token names no tenant' });
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token", error_description="The access token names no tenant"');
  });
});

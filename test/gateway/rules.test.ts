import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims } from '../../src/claims/types.js';
import { claimHeaders, forwardConfig, headerValue } from '../../src/gateway/forward.js';
import { globPattern, matchRoute, routeRules } from '../../src/gateway/routes.js';
import { refusal } from '../helpers/refusal.js';

const claims = (extra: Record<string, unknown>): AccessTokenClaims => ({ iss: 'https://auth.example.com', exp: 2e9, ...extra }) as AccessTokenClaims;

describe('route rules', () => {
  const rules = routeRules('routes', [
    { methods: ['GET'], path: '/orders', scopes: ['orders:read'] },
    { methods: ['POST'], prefix: '/orders', anyScope: ['orders:write', 'orders:admin'] },
    { glob: '/files/*/meta', anonymous: true },
    { glob: '/files/**', roles: ['reader', 'admin'], rolesMatch: 'any', rolesClaim: 'realm_access.roles' },
    { prefix: '/static/', anonymous: true },
  ]);
  const where = (method: string, path: string): string | undefined => matchRoute(rules, method, path)?.where;

  it('takes the first rule that matches method and path', () => {
    expect(where('GET', '/orders')).toBe('routes[0]');
    expect(where('GET', '/orders/1')).toBeUndefined();
    expect(where('POST', '/orders/1')).toBe('routes[1]');
    expect(where('POST', '/orders')).toBe('routes[1]');
    expect(where('POST', '/orders-admin')).toBeUndefined();
    expect(where('GET', '/files/a/meta')).toBe('routes[2]');
    expect(where('GET', '/files/a/b/meta')).toBe('routes[3]');
    expect(where('GET', '/static/app.js')).toBe('routes[4]');
    expect(where('GET', '/static')).toBeUndefined();
  });

  it('compiles globs with * inside a segment and ** across them, everything else literal', () => {
    expect(globPattern('/a/*.json').test('/a/x.json')).toBe(true);
    expect(globPattern('/a/*.json').test('/a/b/x.json')).toBe(false);
    expect(globPattern('/a/*.json').test('/a/xxjson')).toBe(false);
    expect(globPattern('/a/**').test('/a/b/c')).toBe(true);
  });

  it('asks for the rule\'s scopes and roles with the guards\' own refusals', async () => {
    const [read, write, , files] = rules;
    await expect(Promise.resolve(read?.guards[0]?.(claims({ scope: 'orders:read' })))).resolves.toBeUndefined();
    const missing = await refusal(async () => read?.guards[0]?.(claims({ scope: 'profile' })), 'insufficient_scope');
    expect(missing.requiredScopes).toEqual(['orders:read']);
    await expect(Promise.resolve(write?.guards[0]?.(claims({ scp: ['orders:admin'] })))).resolves.toBeUndefined();
    await expect(Promise.resolve(files?.guards[0]?.(claims({ realm_access: { roles: ['reader'] } })))).resolves.toBeUndefined();
    await refusal(async () => files?.guards[0]?.(claims({ roles: ['reader'] })), 'insufficient_scope');
  });
});

describe('claim headers', () => {
  const config = forwardConfig('forward', { claims: true, maxLength: 32 });

  it('sends every configured header, empty where the claim is absent', () => {
    expect(claimHeaders(config, claims({ sub: 'alice', azp: 'spa', scp: ['a', 'b'] }))).toMatchObject({
      'x-auth-subject': 'alice',
      'x-auth-client-id': 'spa',
      'x-auth-scope': 'a b',
      'x-auth-issuer': 'https://auth.example.com',
    });
    expect(claimHeaders(config, undefined)).toEqual({
      'x-auth-subject': '',
      'x-auth-client-id': '',
      'x-auth-scope': '',
      'x-auth-issuer': '',
      'x-auth-claims': '',
    });
    const disabled = forwardConfig('forward', { subject: false, issuer: 'X-Issuer' });
    expect(Object.keys(claimHeaders(disabled, claims({ sub: 'a' })))).toEqual(['x-auth-client-id', 'x-auth-scope', 'x-issuer']);
  });

  it('removes controls, encodes % and non-ASCII, and drops a value past the bound', () => {
    expect(headerValue('alice\r\nX-Admin: true', 64)).toBe('aliceX-Admin: true');
    expect(headerValue('zoë 100%', 64)).toBe('zo%C3%AB 100%25');
    expect(headerValue('x'.repeat(33), 32)).toBe('');
    expect(headerValue(42, 32)).toBe('');
    expect(headerValue('\ud800', 32)).toBe('');
  });

  it('encodes every claim as base64url JSON in X-Auth-Claims when enabled', () => {
    const headers = claimHeaders(config, claims({ sub: 'alice', tenant: 't1' }));
    expect(JSON.parse(Buffer.from(headers['x-auth-claims'] as string, 'base64url').toString())).toEqual(claims({ sub: 'alice', tenant: 't1' }));
    const small = forwardConfig('forward', { claims: 'X-Claims', claimsMaxLength: 64 });
    expect(claimHeaders(small, claims({ big: 'y'.repeat(100) }))['x-claims']).toBe('');
  });
});

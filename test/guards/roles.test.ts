import { describe, expect, it } from 'vitest';
import { ERROR_DESCRIPTION, requireRoles } from '../../src/index.js';
import { answerForError } from '../../src/lib/answer.js';
import { refusal } from '../helpers/refusal.js';
import { claims } from './support.js';

describe('requireRoles', () => {
  it('reads the roles claim by default', async () => {
    expect(requireRoles('admin')(claims({ roles: ['user', 'admin'] }))).toBeUndefined();
    await refusal(() => requireRoles('admin')(claims({ groups: ['admin'] })));
  });

  it.each<[string, string | readonly string[], Record<string, unknown>]>([
    ['groups', 'groups', { groups: ['admin'] }],
    ['permissions (Auth0)', 'permissions', { permissions: ['admin'] }],
    ['realm_access.roles (Keycloak)', 'realm_access.roles', { realm_access: { roles: ['admin'] } }],
    ['a deeper dotted path', 'resource_access.orders-api.roles', { resource_access: { 'orders-api': { roles: ['admin'] } } }],
    ['a name with dots, as path segments', ['https://example.com/roles'], { 'https://example.com/roles': ['admin'] }],
    ['a claim holding one string', 'role', { role: 'admin' }],
  ])('reads %s', (_name, claim, extra) => {
    expect(requireRoles('admin', { claim })(claims(extra))).toBeUndefined();
  });

  it('reads a string claim as space-separated roles, as providers write them', async () => {
    const held = claims({ roles: 'admin  ops\tauditor' });
    expect(requireRoles(['admin', 'ops', 'auditor'])(held)).toBeUndefined();
    await refusal(() => requireRoles('admin ops')(claims({ roles: ['admin', 'ops'] })));
    await refusal(() => requireRoles('dmin')(held));
  });

  it('keeps a role name with a space whole when it comes in an array', () => {
    expect(requireRoles('Order Managers')(claims({ roles: ['Order Managers'] }))).toBeUndefined();
  });

  it('needs every role by default, one with match "any"', async () => {
    const held = claims({ roles: ['a'] });
    await refusal(() => requireRoles(['a', 'b'])(held));
    expect(requireRoles(['a', 'b'], { match: 'any' })(held)).toBeUndefined();
  });

  it('refuses with 403 insufficient_scope, without naming roles to the client', async () => {
    const error = await refusal(() => requireRoles('secret-group')(claims({ roles: [] })));
    expect(error.status).toBe(403);
    const answer = answerForError(error, { realm: 'api', resourceMetadata: undefined, retryAfter: 30 });
    expect(answer.body.error_description).toBe(ERROR_DESCRIPTION.insufficient_scope);
    expect(JSON.stringify(answer)).not.toContain('secret-group');
    expect(answer.headers['www-authenticate']).not.toContain('scope=');
  });

  it('does not walk into inherited properties or arrays', async () => {
    await refusal(() => requireRoles('admin', { claim: 'constructor.name' })(claims()));
    await refusal(() => requireRoles('admin', { claim: 'list.0' })(claims({ list: [['admin']] })));
    await refusal(() => requireRoles('admin', { claim: 'roles' })(claims({ roles: { admin: true } })));
  });

  it('ignores non-string entries', async () => {
    await refusal(() => requireRoles('1')(claims({ roles: [1, null] })));
  });

  it.each<[string, () => unknown, RegExp]>([
    ['no role', () => requireRoles([]), /requireRoles needs a role name/],
    ['an empty role', () => requireRoles(''), /requireRoles needs a role name/],
    ['an empty path segment', () => requireRoles('a', { claim: 'realm_access..roles' }), /option "claim" must be/],
    ['an unknown match', () => requireRoles('a', { match: 'some' as 'any' }), /option "match" must be "all" or "any"/],
    ['an unknown option', () => requireRoles('a', { path: 'roles' } as never), /unknown option "path"/],
    ['options that are not an object', () => requireRoles('a', 'roles' as never), /requireRoles needs an options object/],
  ])('throws TypeError at construction for %s, saying which', (_name, build, message) => {
    expect(build).toThrow(TypeError);
    expect(build).toThrow(message);
  });
});

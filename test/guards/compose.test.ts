import { describe, expect, it } from 'vitest';
import { AccessTokenError, allOf, anyOf, requireClaims, requireRoles, requireScopes } from '../../src/index.js';
import { refusal } from '../helpers/refusal.js';
import { claims } from './support.js';

describe('anyOf', () => {
  const adminOrReader = anyOf(requireRoles('admin'), requireScopes('orders:read'));

  it('passes when one guard passes', async () => {
    await expect(adminOrReader(claims({ roles: ['admin'] }))).resolves.toBeUndefined();
    await expect(adminOrReader(claims({ scope: 'orders:read' }))).resolves.toBeUndefined();
  });

  it("refuses with the first guard's refusal when none passes", async () => {
    const error = await refusal(() => adminOrReader(claims({ scope: 'profile' })));
    expect(error.message).toContain('role');
  });

  it('stops at an error that is not a refusal', async () => {
    let later = false;
    const guard = anyOf(
      requireClaims(() => {
        throw new TypeError('bug');
      }),
      requireClaims(() => {
        later = true;
        return true;
      }),
    );
    await expect(guard(claims())).rejects.toThrow(TypeError);
    expect(later).toBe(false);
  });

  it('throws TypeError at construction when empty or given a non-guard', () => {
    expect(() => anyOf()).toThrow(TypeError);
    expect(() => anyOf('x' as never)).toThrow(TypeError);
  });
});

describe('allOf', () => {
  it('needs every guard, in order, and nests inside anyOf', async () => {
    const guard = anyOf(requireRoles('admin'), allOf(requireScopes('orders:write'), requireClaims<{ tenant?: unknown }>((c) => c.tenant === 'acme')));
    await expect(guard(claims({ scope: 'orders:write', tenant: 'acme' }))).resolves.toBeUndefined();
    const error = await refusal(() => guard(claims({ scope: 'orders:write', tenant: 'globex' })));
    expect(error).toBeInstanceOf(AccessTokenError);
    await expect(guard(claims({ roles: ['admin'] }))).resolves.toBeUndefined();
  });

  it('throws TypeError at construction when empty', () => {
    expect(() => allOf()).toThrow(TypeError);
  });
});

import { describe, expect, it } from 'vitest';
import { ERROR_DESCRIPTION, requireClaims } from '../../src/index.js';
import { refusal } from '../helpers/refusal.js';
import { claims } from './support.js';

describe('requireClaims', () => {
  it('passes synchronously when the predicate returns true', () => {
    const acme = { ...claims(), tenant: 'acme' };
    expect(requireClaims<{ tenant: string }>((c) => c.tenant === 'acme')(acme)).toBeUndefined();
  });

  it('refuses with insufficient_scope when it returns false', async () => {
    const error = await refusal(() => requireClaims(() => false)(claims()));
    expect(error.code).toBe('insufficient_scope');
    expect(error.status).toBe(403);
    expect(error.message).not.toContain(ERROR_DESCRIPTION.insufficient_scope);
  });

  it('awaits an asynchronous predicate', async () => {
    const guard = requireClaims(async (c) => c.sub === 'alice');
    await expect(guard(claims())).resolves.toBeUndefined();
    await refusal(() => guard(claims({ sub: 'mallory' })));
  });

  it('refuses anything but exactly true, so a predicate that forgets to return denies', async () => {
    await refusal(() => requireClaims((() => undefined) as unknown as () => boolean)(claims()));
    await refusal(() => requireClaims((() => 'yes') as unknown as () => boolean)(claims()));
    await refusal(() => requireClaims((async () => 1) as unknown as () => Promise<boolean>)(claims()));
  });

  it('lets a throwing predicate throw its own error (a bug, not a refusal)', async () => {
    const guard = requireClaims(() => {
      throw new TypeError('bug');
    });
    expect(() => guard(claims())).toThrow(TypeError);
    await expect(requireClaims(async () => Promise.reject(new RangeError('bug')))(claims())).rejects.toThrow(RangeError);
  });

  it('throws TypeError at construction without a function', () => {
    expect(() => requireClaims('x' as never)).toThrow(TypeError);
  });
});

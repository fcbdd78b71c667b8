// Type tests: the HTTP detail a refusal carries, and insufficientScope in a guard of your own.
// Checked by `tsc --noEmit` (tsconfig includes test/) and by `vitest --typecheck`.
import { describe, expectTypeOf, it } from 'vitest';
import { AccessTokenError, insufficientScope, type AccessTokenErrorOptions, type Guard } from '../../src/index.js';

describe('AccessTokenError', () => {
  it('has optional, read-only requiredScopes and description beside retryAfter', () => {
    const error = new AccessTokenError('insufficient_scope', 'x');
    expectTypeOf(error.requiredScopes).toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf(error.description).toEqualTypeOf<string | undefined>();
    expectTypeOf(error.retryAfter).toEqualTypeOf<number | undefined>();
    // @ts-expect-error the fields are read-only
    error.description = 'changed';
    expectTypeOf<AccessTokenErrorOptions>().toHaveProperty('requiredScopes');
  });
});

describe('insufficientScope', () => {
  it('builds an AccessTokenError from a message and optional scopes and description', () => {
    expectTypeOf(insufficientScope).returns.toEqualTypeOf<AccessTokenError>();
    expectTypeOf(insufficientScope).parameter(1).toEqualTypeOf<{ requiredScopes?: readonly string[]; description?: string } | undefined>();
  });

  it('is thrown from a guard typed with your own claims', () => {
    const canRefund: Guard<{ permissions?: string[] }> = (claims) => {
      if (claims.permissions?.includes('orders:refund')) return;
      throw insufficientScope('no refunds', { requiredScopes: ['orders:refund'] });
    };
    expectTypeOf(canRefund).toBeFunction();
    // @ts-expect-error requiredScopes is a list, not one string
    insufficientScope('x', { requiredScopes: 'orders:refund' });
  });
});

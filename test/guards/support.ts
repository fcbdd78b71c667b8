import { expect } from 'vitest';
import { AccessTokenError, type AccessTokenClaims } from '../../src/index.js';

export const claims = (extra: Record<string, unknown> = {}): AccessTokenClaims => ({
  iss: 'https://auth.example.com',
  aud: 'api',
  exp: 2_000_000_000,
  sub: 'alice',
  ...extra,
});

/** Runs a guard and returns its refusal, failing the test when it passes. */
export async function refusal(run: () => void | Promise<void>): Promise<AccessTokenError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(AccessTokenError);
    return error as AccessTokenError;
  }
  throw new Error('expected the guard to refuse');
}

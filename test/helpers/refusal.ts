// The one way tests wait for a refusal: a verification, a guard or a store call that must fail
// with an AccessTokenError. It checks the code when one is named, and that the message never
// repeats the token when the token is known.
import { expect } from 'vitest';
import { AccessTokenError, type ErrorCode } from '../../src/errors.js';

export interface RefusalExpectation {
  /** The code the refusal must carry. */
  readonly code?: ErrorCode;
  /** The token that was presented: its text must appear nowhere in the message. */
  readonly token?: string;
}

/**
 * Awaits `attempt` (a promise, or a function that may throw or reject), which must be refused
 * with an {@link AccessTokenError}, and returns that error for further checks.
 */
export async function refusal(
  attempt: Promise<unknown> | (() => unknown),
  expected: ErrorCode | RefusalExpectation = {},
): Promise<AccessTokenError> {
  const { code, token } = typeof expected === 'string' ? { code: expected, token: undefined } : expected;
  let outcome: unknown;
  let settled = false;
  try {
    await (typeof attempt === 'function' ? attempt() : attempt);
    settled = true;
  } catch (error) {
    outcome = error;
  }
  expect(settled, `expected a refusal${code === undefined ? '' : ` with ${code}`}, but it was accepted`).toBe(false);
  expect(outcome, `expected an AccessTokenError, got ${String(outcome)}`).toBeInstanceOf(AccessTokenError);
  const error = outcome as AccessTokenError;
  if (code !== undefined) expect(error.code, `refused for another reason: ${error.message}`).toBe(code);
  if (token !== undefined && token.length >= 16) expect(error.message.includes(token)).toBe(false);
  return error;
}

/** The code a verification ends with: `accepted`, or the refusal's code. */
export async function outcomeOf(promise: Promise<unknown>): Promise<ErrorCode | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    expect(error, `expected an AccessTokenError, got ${String(error)}`).toBeInstanceOf(AccessTokenError);
    return (error as AccessTokenError).code;
  }
}

/**
 * Asserts that `verifier` refuses `token` with `code`, and that the message does not repeat the
 * token. Returns the error for further checks.
 */
export function expectRefusal(
  verifier: { verifyAccessToken(token: string): Promise<unknown> },
  token: string,
  code: ErrorCode,
): Promise<AccessTokenError> {
  return refusal(() => verifier.verifyAccessToken(token), { code, token });
}

// checkRevocation, the one place a verifier asks a revocation checker: only a definite `false`
// lets a token through, and every failure becomes revocation_unavailable unless fail-open.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessTokenClaims } from '../../src/claims/types.js';
import { checkRevocation, type RevocationChecker } from '../../src/revocation/checker.js';
import type { JwsHeader } from '../../src/token/parse.js';
import { refusal } from '../helpers/refusal.js';

const claims: AccessTokenClaims = { iss: 'https://issuer.test', aud: 'api', exp: 1_800_000_000, jti: 'j1' };
const header: JwsHeader = { alg: 'RS256' };
const ask = (isRevoked: RevocationChecker['isRevoked'], failOpen = false, timeout = 1000) =>
  checkRevocation({ checker: { isRevoked }, failOpen, timeout }, claims, header);

describe('checkRevocation', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('lets a token through on a definite false, synchronous or not', async () => {
    await expect(ask(() => false)).resolves.toBeUndefined();
    await expect(ask(async () => false)).resolves.toBeUndefined();
  });

  it('refuses a non-boolean answer as unavailable, unless fail-open', async () => {
    const error = await refusal(ask(() => 'no' as unknown as boolean), 'revocation_unavailable');
    expect(error.message).toBe('revocation checker returned a non-boolean answer');
    await expect(ask(() => undefined as unknown as boolean, true)).resolves.toBeUndefined();
  });

  it('lets the token through when the checker throws only if fail-open', async () => {
    const broken = (): boolean => {
      throw new Error('store down');
    };
    await refusal(ask(broken), 'revocation_unavailable');
    await expect(ask(broken, true)).resolves.toBeUndefined();
    await expect(ask(() => true, true)).rejects.toMatchObject({ code: 'token_revoked' });
  });

  it("keeps the checker's own error as the cause, out of the message", async () => {
    const failure = new Error('connection to deny-list-host:6379 refused');
    const error = await refusal(ask(() => Promise.reject(failure)), 'revocation_unavailable');
    expect(error.message).toBe('revocation check failed');
    expect(error.cause).toBe(failure);
  });

  it('answers unavailable when the checker does not answer within the timeout, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    let reject = (_reason: Error): void => undefined;
    const pending = new Promise<boolean>((_, rejectLater) => {
      reject = rejectLater;
    });
    const answer = refusal(ask(() => pending, false, 50), 'revocation_unavailable');
    await vi.advanceTimersByTimeAsync(49);
    expect(vi.getTimerCount()).toBe(1);
    // The timeout falls due, and its verdict follows one pass over pending I/O.
    await vi.advanceTimersByTimeAsync(2);
    expect((await answer).message).toBe('revocation check did not answer within 50 ms');
    expect(vi.getTimerCount()).toBe(0);
    // The checker failing after the verdict is expected: it must not surface as unhandled.
    reject(new Error('too late'));
    await vi.advanceTimersByTimeAsync(0);
  });

  it('clears the timer as soon as the checker answers', async () => {
    vi.useFakeTimers();
    await expect(ask(async () => false, false, 50)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});

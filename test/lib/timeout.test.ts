import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline, withTimeout } from '../../src/lib/timeout.js';
import { stallEventLoop } from '../helpers/stall.js';

afterEach(() => {
  vi.useRealTimers();
});

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('withTimeout', () => {
  it('settles with the answer when it comes in time, leaving no timer behind', async () => {
    vi.useFakeTimers();
    const answer = withTimeout(Promise.resolve('yes'), 1000, () => new Error('late'));

    await expect(answer).resolves.toBe('yes');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the reason once the time has passed without an answer', async () => {
    const started = performance.now();
    await expect(withTimeout(never(), 50, () => new Error('no answer'))).rejects.toThrow('no answer');
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
  });

  it('builds the reason only when the timer wins', async () => {
    const reason = vi.fn(() => new Error('late'));
    await withTimeout(Promise.resolve(1), 10, reason);
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(reason).not.toHaveBeenCalled();
  });

  it('takes an answer that becomes ready in the same turn the timer falls due', async () => {
    let resolve!: (value: string) => void;
    const pending = new Promise<string>((done) => (resolve = done));
    const answer = withTimeout(pending, 20, () => new Error('late'));
    // Both fall due during the stall: the timer runs first, the I/O-like callback after it.
    setTimeout(() => setImmediate(() => resolve('read after the stall')), 10);
    stallEventLoop(60);

    await expect(answer).resolves.toBe('read after the stall');
  });

  it('gives one more period after a stall longer than the timeout, and no more', async () => {
    const started = performance.now();
    const answer = withTimeout(never(), 50, () => new Error('silent'));
    stallEventLoop(200);

    await expect(answer).rejects.toThrow('silent');
    // The stall (200 ms) plus one more period (50 ms); a second stall-free period is not granted.
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('never leaves a late rejection unhandled', async () => {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('after the verdict')), 30));
    await expect(withTimeout(late, 5, () => new Error('timed out'))).rejects.toThrow('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
});

describe('deadline', () => {
  it('aborts with a TimeoutError once the time has passed', async () => {
    const { signal } = deadline(20);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));

    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('never aborts once cleared', async () => {
    const { signal, clear } = deadline(10);
    clear();
    await new Promise((resolve) => setTimeout(resolve, 40));

    expect(signal.aborted).toBe(false);
  });
});

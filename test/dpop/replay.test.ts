// The memory replay store: once per key inside its window, bounded, and refusing when full
// rather than forgetting a key whose proof could then be replayed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryReplayStore } from '../../src/dpop/replay.js';
import { refusal } from '../helpers/refusal.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_800_000_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const now = (): number => Date.now() / 1000;

describe('createMemoryReplayStore', () => {
  it('claims a key once inside its window, and again once the window has closed', () => {
    const store = createMemoryReplayStore();
    expect(store.claim('a', now() + 60)).toBe(true);
    expect(store.claim('a', now() + 60)).toBe(false);
    vi.advanceTimersByTime(61_000);
    expect(store.claim('a', now() + 60)).toBe(true);
  });

  it('refuses with a 503 when full of keys inside their window, and never forgets one of them', async () => {
    const store = createMemoryReplayStore({ maxEntries: 2 });
    expect(store.claim('a', now() + 60)).toBe(true);
    expect(store.claim('b', now() + 60)).toBe(true);
    const error = await refusal(() => store.claim('c', now() + 60), 'revocation_unavailable');
    expect(error.status).toBe(503);
    expect(store.claim('a', now() + 60)).toBe(false);
    expect(store.claim('b', now() + 60)).toBe(false);
  });

  it('makes room by forgetting keys whose window has closed', () => {
    const store = createMemoryReplayStore({ maxEntries: 2 });
    store.claim('a', now() + 10);
    store.claim('b', now() + 60);
    vi.advanceTimersByTime(11_000);
    expect(store.claim('c', now() + 60)).toBe(true);
    expect(store.claim('b', now() + 60)).toBe(false);
  });

  it('checks its options', () => {
    expect(() => createMemoryReplayStore({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createMemoryReplayStore({ max: 5 } as never)).toThrow(/max/);
  });
});

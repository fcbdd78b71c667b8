// tokenwarden:cache:evict: published when the verified-token cache forgets a live entry to make
// room, and for nothing else.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, createVerifier, type CacheEvictEvent } from '../../src/index.js';
import { createVerifiedTokenCache, fingerprint } from '../../src/verified-token-cache.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import { refusal } from '../helpers/refusal.js';
import { recordEvents, type Recorder } from './support.js';

const AUDIENCE = 'orders-api';
let issuer: TestIssuer;
let recorder: Recorder;

beforeAll(async () => {
  issuer = await createTestIssuer({ audience: AUDIENCE });
});
afterEach(() => {
  recorder?.stop();
  vi.useRealTimers();
});
afterAll(async () => {
  await issuer?.close();
});

/** `count` tokens with distinct fingerprints (the cache's keys), so that each takes an entry of its own. */
async function distinctTokens(count: number, claims: Record<string, unknown> = {}): Promise<string[]> {
  const tokens: string[] = [];
  const prints = new Set<number>();
  for (let attempt = 0; attempt < count * 20 && tokens.length < count; attempt++) {
    const token = await issuer.sign(claims);
    const print = fingerprint(token);
    if (prints.has(print)) continue;
    prints.add(print);
    tokens.push(token);
  }
  expect(tokens).toHaveLength(count);
  return tokens;
}

describe('tokenwarden:cache:evict', () => {
  it('reports each entry forgotten to make room, with the size and maxEntries', async () => {
    const verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, cache: { maxEntries: 2 } });
    const tokens = await distinctTokens(4);
    recorder = recordEvents([CHANNELS.cacheEvict]);

    // Each token is remembered on its second verification; the third and fourth need room.
    for (const token of tokens) {
      await verifier.verifyAccessToken(token);
      await verifier.verifyAccessToken(token);
    }

    expect(recorder.of<CacheEvictEvent>(CHANNELS.cacheEvict)).toEqual([
      { size: 2, maxEntries: 2 },
      { size: 2, maxEntries: 2 },
    ]);
  });

  it('says nothing when a remembered token is verified again, or forgotten because it expired', async () => {
    const verifier = createVerifier({ issuer: issuer.issuer, audience: AUDIENCE, jwksUri: issuer.jwksUri, cache: { maxEntries: 1 } });
    const [token = ''] = await distinctTokens(1);
    recorder = recordEvents([CHANNELS.cacheEvict]);
    vi.useFakeTimers({ toFake: ['Date'] });

    for (let i = 0; i < 5; i++) await verifier.verifyAccessToken(token);
    vi.setSystemTime(Date.now() + 600_000); // past exp (5 minutes) and the clock tolerance
    await refusal(verifier.verifyAccessToken(token), { code: 'token_expired', token });

    expect(recorder.published).toEqual([]);
  });

  it('says nothing of a token deleted from the cache (unit)', () => {
    const published: CacheEvictEvent[] = [];
    const cache = createVerifiedTokenCache<{ token: string }>(1, { hasSubscribers: true, publish: (event) => void published.push(event) });
    for (const token of ['aaaaaaaa-1', 'aaaaaaaa-1']) cache.admit({ token });
    cache.delete('aaaaaaaa-1');
    for (const token of ['bbbbbbbb-2', 'bbbbbbbb-2']) cache.admit({ token });
    expect(published).toEqual([]);
    for (const token of ['cccccccc-3', 'cccccccc-3']) cache.admit({ token });
    expect(published).toEqual([{ size: 1, maxEntries: 1 }]);
  });
});

// Stateless DPoP nonces (RFC 9449 §8): handed out with dpop_nonce_required, accepted for one
// to two lifetimes, the same on every instance holding the secret, rotated by adding secrets.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createNonceSource } from '../../src/dpop/nonce.js';
import { nodeDigests } from '../../src/dpop/digest-node.js';
import { webDigests } from '../../src/dpop/digest-web.js';
import { createDpopKey, type DpopKey, type TestIssuer } from '../../src/testing/index.js';
import { refusal } from '../helpers/refusal.js';
import { API_URL, request, startIssuer, verifierFor } from './support.js';

const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(32);

let issuer: TestIssuer;
let key: DpopKey;

beforeAll(async () => {
  [issuer, key] = await Promise.all([startIssuer(), createDpopKey()]);
});
afterAll(async () => {
  await issuer.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Sends a proof with `nonce` and returns the nonce the verifier asks for, or 'accepted'. */
async function attempt(verifier: ReturnType<typeof verifierFor>, nonce: string | undefined): Promise<string> {
  const token = await issuer.sign({}, { dpop: key });
  const proof = key.proof({ method: 'GET', url: API_URL, accessToken: token, ...(nonce === undefined ? {} : { nonce }) });
  try {
    await verifier.verifyRequest(request(`DPoP ${token}`, proof));
    return 'accepted';
  } catch (error) {
    const refused = await refusal(Promise.reject(error), 'dpop_nonce_required');
    expect(refused.dpopNonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    return refused.dpopNonce as string;
  }
}

describe('DPoP nonces', () => {
  it('asks a proof without a nonce for one, and accepts the retry that carries it', async () => {
    const verifier = verifierFor(issuer, { dpop: { nonce: { secret: OLD } } });
    const nonce = await attempt(verifier, undefined);
    expect(await attempt(verifier, nonce)).toBe('accepted');
  });

  it('answers a wrong nonce with a fresh one', async () => {
    const verifier = verifierFor(issuer, { dpop: { nonce: { secret: OLD } } });
    const nonce = await attempt(verifier, undefined);
    const forged = `${nonce.split('.')[0]}.${'A'.repeat(43)}`;
    expect(await attempt(verifier, forged)).toBe(nonce);
  });

  it('answers an expired nonce with a fresh one, after one to two lifetimes', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2030, 0, 1) });
    const verifier = verifierFor(issuer, { dpop: { nonce: { secret: OLD, lifetime: 60 } } });
    const nonce = await attempt(verifier, undefined);
    vi.setSystemTime(Date.now() + 60_000);
    expect(await attempt(verifier, nonce)).toBe('accepted');
    vi.setSystemTime(Date.now() + 60_000);
    const fresh = await attempt(verifier, nonce);
    expect(fresh).not.toBe(nonce);
    expect(await attempt(verifier, fresh)).toBe('accepted');
  });

  it('is the same on every instance holding the secret, and rotates by adding one first', async () => {
    const a = verifierFor(issuer, { dpop: { nonce: { secret: OLD } } });
    const b = verifierFor(issuer, { dpop: { nonce: { secrets: [OLD] } } });
    const rotated = verifierFor(issuer, { dpop: { nonce: { secrets: [NEW, OLD] } } });
    const fromA = await attempt(a, undefined);
    expect(await attempt(b, fromA)).toBe('accepted');
    expect(await attempt(rotated, fromA)).toBe('accepted');
    const fromRotated = await attempt(rotated, undefined);
    expect(fromRotated).not.toBe(fromA);
    expect(await attempt(a, fromRotated)).toBe(fromA);
  });

  it('agrees between the node:crypto and WebCrypto digests', async () => {
    const secret = new TextEncoder().encode(OLD);
    const node = createNonceSource([secret], 300, nodeDigests);
    const web = createNonceSource([secret], 300, webDigests);
    const now = 1_900_000_000;
    const nonce = await node.current(now);
    expect(await web.current(now)).toBe(nonce);
    expect(await web.accepts(nonce, now + 300)).toBe(true);
    expect(await web.accepts(nonce, now + 600)).toBe(false);
    expect(await node.accepts('zzzzzzzzzzzz.x', now)).toBe(false);
  });
});

// Encrypted tokens (JWE) an attacker sends: each case of the corpus (test/jwe/corpus.ts) gets its
// exact code; those refused by the parse or the allowlists never reach a key (no WebCrypto call);
// and no error or event ever repeats the token, its content or a decryption key.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../src/index.js';
import { forgeVerifier } from '../helpers/forge.js';
import { outcomeOf } from '../helpers/refusal.js';
import { recordEvents } from '../events/support.js';
import { buildJweCorpus, type JweCorpus } from '../jwe/corpus.js';

let corpus: JweCorpus;
beforeAll(async () => {
  corpus = await buildJweCorpus();
}, 60_000);

const verifierOf = () => forgeVerifier([corpus.signer.jwk], { decryption: { keys: corpus.keys.map((key) => key.privateJwk) as never } }).verifier;

/** Everything reachable from `value` as text: own properties, and an error's message, stack and cause. */
function writeOut(value: unknown, seen = new Set<unknown>()): string {
  if (typeof value !== 'object' || value === null) return String(value);
  if (seen.has(value)) return '';
  seen.add(value);
  const parts: string[] = [];
  if (value instanceof Error) parts.push(value.message, value.stack ?? '', writeOut(value.cause, seen));
  for (const key of Reflect.ownKeys(value)) parts.push(String(key), writeOut((value as Record<PropertyKey, unknown>)[key], seen));
  return parts.join('\n');
}

describe('encrypted tokens an attacker sends', () => {
  it('get the code each deserves', async () => {
    const verifier = verifierOf();
    const outcomes: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const { name, token, code } of corpus.cases) {
      outcomes[name] = await outcomeOf(verifier.verifyAccessToken(token));
      expected[name] = code;
    }
    expect(outcomes).toEqual(expected);
  });

  it('are refused before any key is used when the parse or the allowlists refuse them', async () => {
    const verifier = verifierOf();
    const subtle = crypto.subtle;
    const spies = (['importKey', 'decrypt', 'deriveBits', 'unwrapKey'] as const).map((method) => vi.spyOn(subtle, method));
    try {
      for (const { name, token, beforeKeyUse } of corpus.cases) {
        if (!beforeKeyUse) continue;
        await outcomeOf(verifier.verifyAccessToken(token));
        for (const spy of spies) expect(spy, `${name}: ${spy.getMockName()}`).not.toHaveBeenCalled();
      }
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('never find the token, its content or a decryption key in an error or an event', async () => {
    const verifier = verifierOf();
    const recorder = recordEvents([CHANNELS.verify]);
    const errors: unknown[] = [];
    try {
      for (const { token } of corpus.cases) await verifier.verifyAccessToken(token).catch((error: unknown) => errors.push(error));
    } finally {
      recorder.stop();
    }
    expect(errors.length).toBeGreaterThan(30);
    const text = writeOut([errors, recorder.published.map((event) => event.payload)]);
    for (const secret of corpus.secrets) expect(text.includes(secret)).toBe(false);
    for (const { token } of corpus.cases) {
      for (const segment of token.split('.')) if (segment.length >= 24) expect(text.includes(segment)).toBe(false);
    }
  });
});

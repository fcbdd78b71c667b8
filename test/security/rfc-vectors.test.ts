// The JWS examples of RFC 7515 Appendix A and RFC 8037 Appendix A (see test/fixtures/rfc/),
// verified by tokenwarden's signature layer on both runtimes and, where the payload is a claims
// set, by a verifier on a clock set before the examples' exp.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SignatureRuntime } from '../../src/token/signature.js';
import { joseSignatures } from '../../src/token/signature-jose.js';
import { nodeSignatures } from '../../src/token/signature-node.js';
import { forgeVerifier, type PublishedJwk } from '../helpers/forge.js';
import { expectRefusal } from '../helpers/refusal.js';
import { signatureLayer } from './signature-layer.js';

interface Example {
  readonly section: string;
  readonly alg: string;
  readonly header: Record<string, unknown>;
  readonly payloadText?: string;
  readonly key?: PublishedJwk;
  readonly jws: string;
}
interface Rfc {
  readonly claims?: Record<string, unknown>;
  readonly examples: readonly Example[];
}

const load = (name: string): Rfc =>
  JSON.parse(readFileSync(new URL(`../fixtures/rfc/${name}`, import.meta.url), 'utf8')) as Rfc;
const rfc7515 = load('rfc7515-appendix-a.json');
const rfc8037 = load('rfc8037-appendix-a.json');

function example(rfc: Rfc, section: string): Example & { key: PublishedJwk } {
  const found = rfc.examples.find((item) => item.section === section);
  if (found?.key === undefined && section !== 'A.5') throw new Error(`no example ${section}`);
  return found as Example & { key: PublishedJwk };
}

const runtimes: [string, SignatureRuntime][] = [
  ['node:crypto', nodeSignatures],
  ['jose', joseSignatures],
];

/** The token with one bit of its signature flipped. */
function tamper(jws: string): string {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

// 2011-03-22T00:00:00Z: before the examples' exp of 1300819380 (2011-03-22T18:43:00Z).
const BEFORE_EXP = Date.UTC(2011, 2, 22);

describe('the RFC examples as typed in the fixtures', () => {
  it.each([...rfc7515.examples, ...rfc8037.examples].map((item) => [item.section, item] as const))(
    '%s decodes to the header and payload the RFC prints',
    (_section, item) => {
      const [header, payload] = item.jws.split('.') as [string, string];
      expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toEqual(item.header);
      const text = Buffer.from(payload, 'base64url').toString('utf8');
      if (item.payloadText === undefined) expect(JSON.parse(text)).toEqual(rfc7515.claims);
      else expect(text).toBe(item.payloadText);
    },
  );
});

describe.each(runtimes)('RFC signatures at the signature layer on %s', (_runtime, runtime) => {
  it.each([
    ['RFC 7515 A.2 (RS256)', example(rfc7515, 'A.2')],
    ['RFC 7515 A.3 (ES256)', example(rfc7515, 'A.3')],
    ['RFC 7515 A.4 (ES512)', example(rfc7515, 'A.4')],
    ['RFC 8037 A.4 (EdDSA, Ed25519)', example(rfc8037, 'A.4')],
  ])('verifies %s, and refuses it with one signature bit flipped', async (_name, item) => {
    expect(await signatureLayer(item.jws, [item.key], runtime)).toBe('accepted');
    expect(await signatureLayer(tamper(item.jws), [item.key], runtime)).toBe('signature_invalid');
  });

  it('refuses RFC 7515 A.1: HMAC is never accepted with keys from a key set', async () => {
    const item = example(rfc7515, 'A.1');
    expect(await signatureLayer(item.jws, [item.key], runtime)).toBe('algorithm_not_allowed');
  });
});

describe('RFC 7515 examples through a verifier', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const verifierFor = (key: PublishedJwk | undefined) =>
    forgeVerifier(key === undefined ? [] : [key], { issuer: 'joe', audience: 'rfc-7515-reader', clockTolerance: 0 }).verifier;

  it.each([
    ['A.2 (RS256)', 'A.2'],
    ['A.3 (ES256)', 'A.3'],
  ])('gets past signature and exp for %s on a clock before 2011-03-22, stopping only at its missing aud', async (_name, section) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(BEFORE_EXP);
    const item = example(rfc7515, section);
    const verifier = verifierFor(item.key);
    // The RFC claims have iss "joe" and exp but no aud: audience is checked after signature and time.
    await expectRefusal(verifier, item.jws, 'audience_invalid');
    await expectRefusal(verifier, tamper(item.jws), 'signature_invalid');
  });

  it.each([
    ['A.2 (RS256)', 'A.2'],
    ['A.3 (ES256)', 'A.3'],
  ])('refuses %s as expired on today\'s clock', async (_name, section) => {
    const item = example(rfc7515, section);
    await expectRefusal(verifierFor(item.key), item.jws, 'token_expired');
  });

  it('refuses A.1 (HS256) whatever the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(BEFORE_EXP);
    const item = example(rfc7515, 'A.1');
    await expectRefusal(verifierFor(item.key), item.jws, 'algorithm_not_allowed');
  });

  it('refuses A.5, the unsecured JWS (alg "none")', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(BEFORE_EXP);
    await expectRefusal(verifierFor(undefined), example(rfc7515, 'A.5').jws, 'algorithm_not_allowed');
  });

  it('refuses A.4 and RFC 8037 A.4 as malformed: their payloads are text, not claims', async () => {
    for (const item of [example(rfc7515, 'A.4'), example(rfc8037, 'A.4')]) {
      await expectRefusal(verifierFor(item.key), item.jws, 'token_malformed');
    }
  });
});

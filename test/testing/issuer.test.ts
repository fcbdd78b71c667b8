// The test issuer's rotation: the next key is generated ahead, so rotate() publishes it at once.
// node:crypto's generateKeyPair is wrapped so a test can hold a key generation open and see that
// rotate() does not wait for it.
import * as crypto from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, generateKeyPair: vi.fn(original.generateKeyPair) };
});

type Generate = (...args: unknown[]) => void;
const generate = vi.mocked(crypto.generateKeyPair) as unknown as ReturnType<typeof vi.fn<Generate>>;
const { generateKeyPair: realGenerateKeyPair } = await vi.importActual<typeof import('node:crypto')>('node:crypto');
const issuers: TestIssuer[] = [];
const held: (() => void)[] = [];

async function testIssuer(): Promise<TestIssuer> {
  const issuer = await createTestIssuer({ algorithm: 'ES256' });
  issuers.push(issuer);
  return issuer;
}

/** Makes the next key generation wait until the returned function is called. */
function holdNextGeneration(): () => void {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  generate.mockImplementationOnce((...args: unknown[]) => {
    void released.then(() => (realGenerateKeyPair as unknown as Generate)(...args));
  });
  held.push(release);
  return release;
}

/** Whether `promise` settles before the event loop's next turn, i.e. without waiting on any I/O or thread. */
async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  return Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))]);
}

const kids = (issuer: TestIssuer): string[] => issuer.jwks().keys.map((key) => String(key.kid));
const signingKid = async (issuer: TestIssuer): Promise<string> => String(decodeProtectedHeader(await issuer.sign()).kid);

afterEach(async () => {
  for (const release of held.splice(0)) release();
  generate.mockClear();
  await Promise.all(issuers.splice(0).map((issuer) => issuer.close()));
});

describe('createTestIssuer rotation', () => {
  it('generates the signing key and the next one as it starts', async () => {
    await testIssuer();

    expect(generate).toHaveBeenCalledTimes(2);
  });

  it('publishes the prepared key without waiting for a key to be generated', async () => {
    const issuer = await testIssuer();
    const before = await signingKid(issuer);
    holdNextGeneration();

    // The generation rotate() starts is held open: the key it publishes must already exist.
    expect(await settlesAtOnce(issuer.rotate())).toBe(true);

    const after = await signingKid(issuer);
    expect(after).not.toBe(before);
    expect(kids(issuer)).toEqual([after]);
    expect(generate).toHaveBeenCalledTimes(3);
  });

  it('prepares the next key after a rotation, and a second rotation waits only for that one', async () => {
    const issuer = await testIssuer();
    const release = holdNextGeneration();
    await issuer.rotate();
    const first = await signingKid(issuer);

    const second = issuer.rotate();
    expect(await settlesAtOnce(second)).toBe(false);
    expect(await signingKid(issuer)).toBe(first);
    release();
    await second;

    const now = await signingKid(issuer);
    expect(now).not.toBe(first);
    expect(kids(issuer)).toEqual([now]);
  });

  it('publishes two different keys for two rotations started together', async () => {
    const issuer = await testIssuer();
    const original = await signingKid(issuer);

    await Promise.all([issuer.rotate({ keepOld: true }), issuer.rotate({ keepOld: true })]);

    expect(new Set(kids(issuer)).size).toBe(3);
    expect(kids(issuer)).toContain(original);
  });

  it('withdraws the replaced key unless keepOld is set', async () => {
    const issuer = await testIssuer();
    const original = await signingKid(issuer);

    await issuer.rotate({ keepOld: true });
    const kept = await signingKid(issuer);
    expect(kids(issuer)).toEqual([kept, original]);

    await issuer.rotate();
    const latest = await signingKid(issuer);
    expect(kids(issuer)).toEqual([latest]);
  });

  it('rejects the rotation whose key could not be generated, and the next rotation tries again', async () => {
    const issuer = await testIssuer();
    generate.mockImplementationOnce((...args: unknown[]) => {
      const callback = args.at(-1) as (error: Error) => void;
      callback(new Error('no entropy'));
    });
    await issuer.rotate(); // publishes the key made at start; the failing generation begins
    const published = await signingKid(issuer);

    await expect(issuer.rotate()).rejects.toThrow('no entropy');
    expect(await signingKid(issuer)).toBe(published);

    await issuer.rotate();
    expect(await signingKid(issuer)).not.toBe(published);
  });
});

import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { importVerificationKey } from '../../src/jwks/key-set.js';
import type { Algorithm } from '../../src/token/algorithms.js';
import type { ParsedToken } from '../../src/token/parse.js';
import type { SignatureRuntime, VerificationKey } from '../../src/token/signature.js';
import { joseSignatures } from '../../src/token/signature-jose.js';
import { nodeSignatures } from '../../src/token/signature-node.js';
import { createSignatureStep } from '../../src/token/verify-signature.js';
import { refusal } from '../helpers/refusal.js';

/** A key the stub runtimes below verify with when its handle says `good`. */
function stubKey(handle: 'good' | 'bad', alg: Algorithm = 'ES256'): VerificationKey {
  return { kid: handle, algorithms: new Set([alg]), handle, modulusBytes: undefined, identity: `${handle}-${alg}` };
}
const good = stubKey('good');
const bad = stubKey('bad');

const token = (signatureLength = 64): ParsedToken => ({
  header: { alg: 'ES256' },
  payload: {},
  signingInput: 'eyJhbGciOiJFUzI1NiJ9.e30',
  signature: new Uint8Array(signatureLength),
});

const answers = (_alg: Algorithm, key: VerificationKey): boolean => key.handle === 'good';

/** node:crypto's shape: a synchronous check, and the same check on the thread pool. */
function withPool() {
  const runtime = {
    importKey: () => undefined,
    verify: vi.fn(answers),
    verifyInBackground: vi.fn((alg: Algorithm, key: VerificationKey) => Promise.resolve(answers(alg, key))),
  };
  const step = createSignatureStep(runtime);
  /** Asks the step; a refusal thrown at once becomes a rejection, so that calls can be started together. */
  const ask = (parsed: ParsedToken, keys: readonly VerificationKey[]): Promise<VerificationKey> => {
    try {
      return Promise.resolve(step(parsed, keys));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return { runtime, step, ask };
}

describe('the signature step', () => {
  it('answers synchronously with the first key that verifies, trying the keys in order', () => {
    const verify = vi.fn(answers);
    const step = createSignatureStep({ importKey: () => undefined, verify });
    const other = stubKey('good');
    expect(step(token(), [bad, good, other])).toBe(good);
    expect(verify.mock.calls.map(([, key]) => key)).toEqual([bad, good]);
  });

  it('skips keys bound to another algorithm, and signatures of the wrong length, without any cryptography', async () => {
    const verify = vi.fn(answers);
    const step = createSignatureStep({ importKey: () => undefined, verify });
    expect(step(token(), [stubKey('good', 'ES384'), good])).toBe(good);
    expect(verify).toHaveBeenCalledTimes(1);
    await refusal(() => step(token(63), [good]), 'signature_invalid');
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('refuses with signature_invalid when no key verifies, or there are none', async () => {
    const step = createSignatureStep({ importKey: () => undefined, verify: answers });
    const error = await refusal(() => step(token(), [bad, bad]), 'signature_invalid');
    expect(error.status).toBe(401);
    await refusal(() => step(token(), []), 'signature_invalid');
  });

  it('awaits a runtime whose answers are promises (jose over WebCrypto), key after key', async () => {
    const verify = vi.fn((alg: Algorithm, key: VerificationKey) => Promise.resolve(answers(alg, key)));
    const step = createSignatureStep({ importKey: () => undefined, verify });
    await expect(step(token(), [bad, stubKey('bad', 'PS256'), good])).resolves.toBe(good);
    expect(verify).toHaveBeenCalledTimes(2);
    await refusal(() => step(token(), [bad, bad]), 'signature_invalid');
  });
});

describe('the signature step with a thread pool', () => {
  it('verifies a lone verification on the calling thread, after one yield', async () => {
    const { runtime, step } = withPool();
    const answer = step(token(), [good]);
    expect(answer).toBeInstanceOf(Promise);
    expect(runtime.verify).not.toHaveBeenCalled();
    await expect(answer).resolves.toBe(good);
    expect(runtime.verify).toHaveBeenCalledTimes(1);
    expect(runtime.verifyInBackground).not.toHaveBeenCalled();
  });

  it('sends verifications started in the same tick to the thread pool, the first one included', async () => {
    const { runtime, step } = withPool();
    const pending = [step(token(), [good]), step(token(), [bad, good]), step(token(), [good])];
    await expect(Promise.all(pending)).resolves.toEqual([good, good, good]);
    expect(runtime.verify).not.toHaveBeenCalled();
    expect(runtime.verifyInBackground).toHaveBeenCalledTimes(4);
  });

  it('refuses on the thread pool as on the calling thread', async () => {
    const { ask } = withPool();
    const [first, second] = [ask(token(), [good]), ask(token(), [bad, bad])];
    await expect(first).resolves.toBe(good);
    await refusal(second, 'signature_invalid');
  });

  it('counts a verification out once it is answered, refused or not: the next lone one stays on the calling thread', async () => {
    const { runtime, ask } = withPool();
    const first = await Promise.allSettled([ask(token(), [good]), ask(token(), [bad]), ask(token(63), [good])]);
    expect(first.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(runtime.verifyInBackground).toHaveBeenCalledTimes(2);
    runtime.verify.mockClear();
    runtime.verifyInBackground.mockClear();
    for (const keys of [[bad], [good], [bad]]) await Promise.allSettled([ask(token(), keys)]);
    expect(runtime.verify).toHaveBeenCalledTimes(3);
    expect(runtime.verifyInBackground).not.toHaveBeenCalled();
  });

  it('keeps one count per step: a busy verifier does not push another one to the pool', async () => {
    const busy = withPool();
    const idle = withPool();
    const pending = [busy.step(token(), [good]), busy.step(token(), [good])];
    await expect(idle.step(token(), [good])).resolves.toBe(good);
    await Promise.all(pending);
    expect(idle.runtime.verify).toHaveBeenCalledTimes(1);
    expect(idle.runtime.verifyInBackground).not.toHaveBeenCalled();
  });
});

describe.each<[string, SignatureRuntime]>([
  ['node:crypto', nodeSignatures],
  ['jose', joseSignatures],
])('the signature step over %s', (_name, runtime) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingInput = 'eyJhbGciOiJFUzI1NiJ9.e30';
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const parsed: ParsedToken = { header: { alg: 'ES256' }, payload: {}, signingInput, signature };

  it('finds the key that signed, past one that did not', async () => {
    const all = new Set<Algorithm>(['ES256']);
    const signer = (await importVerificationKey({ ...publicKey.export({ format: 'jwk' }), kid: 'a' }, all, runtime)) as VerificationKey;
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    const other = (await importVerificationKey({ ...stranger, kid: 'b' }, all, runtime)) as VerificationKey;
    const step = createSignatureStep(runtime);
    await expect(Promise.resolve(step(parsed, [other, signer]))).resolves.toBe(signer);
    const flipped = Buffer.from(signature);
    flipped[5] = (flipped[5] as number) ^ 1;
    await refusal(() => step({ ...parsed, signature: flipped }, [other, signer]), 'signature_invalid');
  });
});
